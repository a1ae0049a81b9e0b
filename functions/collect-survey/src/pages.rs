//! The public HTML pages: survey form, thank-you, unsubscribe and error pages, in the reader's
//! language (words from the catalog, `domain::texts`). No scripts, no external resources; one
//! stylesheet pinned by hash in the CSP.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::model::{Category, Locale, Score, MAX_COMMENT_CHARS};
use domain::services::ShopIdentity;
use domain::texts::{text, text_with, Arg};
use web::ApiError;

pub use web::choose_locale;

/// A rendered template as a page with the security headers; a template that fails to render
/// (it cannot for these types, but the engine's API says it may) is a plain 500.
fn page(status: StatusCode, template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => web::customer_page(status, html),
        Err(error) => ApiError::internal(error).into_response(),
    }
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage<'a> {
    lang: &'static str,
    style: &'static str,
    title: &'a str,
    text: &'a str,
}

/// One button of the 0–10 scale.
struct ScoreOption {
    value: u8,
    checked: bool,
}

#[derive(Template)]
#[template(path = "survey_form.html")]
struct SurveyFormPage<'a> {
    lang: &'static str,
    style: &'static str,
    title: &'a str,
    error: Option<&'a str>,
    question: &'a str,
    options: Vec<ScoreOption>,
    low: &'a str,
    high: &'a str,
    comment_label: &'a str,
    max_comment: usize,
    comment: &'a str,
    send: &'a str,
    counts_once_sent: &'a str,
    shop: &'a str,
    shop_url: &'a str,
}

#[derive(Template)]
#[template(path = "thank_you.html")]
struct ThankYouPage<'a> {
    lang: &'static str,
    style: &'static str,
    title: &'a str,
    message: &'a str,
    referral_link: Option<&'a str>,
    page_url: Option<&'a str>,
    share_intro: &'a str,
    share_note: &'a str,
    page_label: &'a str,
    changed: &'a str,
    shop: &'a str,
    shop_url: &'a str,
}

#[derive(Template)]
#[template(path = "unsubscribe_confirm.html")]
struct UnsubscribeConfirmPage<'a> {
    lang: &'static str,
    style: &'static str,
    title: &'a str,
    text: &'a str,
    button: &'a str,
}

/// The survey form: the 0–10 scale with the mailed score preselected, a comment box, one button.
pub fn survey_form(
    locale: Locale,
    shop: &ShopIdentity,
    selected: Option<Score>,
    comment: Option<&str>,
    error: Option<&str>,
) -> Response {
    let shop_url = shop.url.to_string();
    let shop = shop.name.as_str();
    let with_shop = [("shop", Arg::from(shop))];
    let title = text_with(locale, "survey-title", &with_shop);
    let question = text_with(locale, "survey-question", &with_shop);
    let low = text(locale, "survey-scale-low");
    let high = text(locale, "survey-scale-high");
    let comment_label = text(locale, "survey-comment-label");
    let send = text(locale, "survey-send");
    // A click in the mail only preselects (link scanners must cast no vote): the page says so.
    let counts_once_sent = text(locale, "survey-counts-once-sent");
    let status = if error.is_none() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    page(
        status,
        &SurveyFormPage {
            lang: locale.as_str(),
            style: web::PAGE_STYLE,
            title: &title,
            error,
            question: &question,
            options: (0..=Score::MAX)
                .map(|value| ScoreOption {
                    value,
                    checked: selected.map(Score::value) == Some(value),
                })
                .collect(),
            low: &low,
            high: &high,
            comment_label: &comment_label,
            max_comment: MAX_COMMENT_CHARS,
            comment: comment.unwrap_or_default(),
            send: &send,
            counts_once_sent: &counts_once_sent,
            shop,
            shop_url: &shop_url,
        },
    )
}

/// After an answer: thanks, and for promoters their own share link.
pub fn thank_you(
    locale: Locale,
    shop: &ShopIdentity,
    category: Category,
    referral_link: Option<&str>,
    page_url: Option<&str>,
) -> Response {
    let shop_url = shop.url.to_string();
    let shop = shop.name.as_str();
    let (title, message) = match category {
        Category::Promoter => (
            text(locale, "survey-thanks-title"),
            text(locale, "survey-thanks-promoter"),
        ),
        Category::Passive => (
            text(locale, "survey-thanks-title"),
            text(locale, "survey-thanks-passive"),
        ),
        Category::Detractor => (
            text(locale, "survey-thanks-title-detractor"),
            text(locale, "survey-thanks-detractor"),
        ),
    };
    let share_intro = text(locale, "survey-share-intro");
    let share_note = text(locale, "survey-share-note");
    let page_label = text(locale, "survey-page-link");
    let changed = text(locale, "survey-changed");
    page(
        StatusCode::OK,
        &ThankYouPage {
            lang: locale.as_str(),
            style: web::PAGE_STYLE,
            title: &title,
            message: &message,
            referral_link,
            page_url,
            share_intro: &share_intro,
            share_note: &share_note,
            page_label: &page_label,
            changed: &changed,
            shop,
            shop_url: &shop_url,
        },
    )
}

pub fn not_found(locale: Locale) -> Response {
    let title = text(locale, "survey-not-found-title");
    let body = text(locale, "survey-not-found-text");
    message_page(StatusCode::NOT_FOUND, locale, &title, &body)
}

pub fn expired(locale: Locale) -> Response {
    let title = text(locale, "survey-expired-title");
    let body = text(locale, "survey-expired-text");
    message_page(StatusCode::GONE, locale, &title, &body)
}

pub fn bad_score(locale: Locale) -> Response {
    let title = text(locale, "survey-bad-score-title");
    let body = text(locale, "survey-error-score");
    message_page(StatusCode::BAD_REQUEST, locale, &title, &body)
}

pub fn server_error(locale: Locale) -> Response {
    let title = text(locale, "survey-server-error-title");
    let body = text(locale, "survey-server-error-text");
    message_page(StatusCode::INTERNAL_SERVER_ERROR, locale, &title, &body)
}

/// GET /u/…: nothing happens until the customer confirms, so link scanners unsubscribe nobody.
pub fn unsubscribe_confirm(locale: Locale, shop: &str) -> Response {
    let title = text_with(
        locale,
        "survey-unsubscribe-title",
        &[("shop", Arg::from(shop))],
    );
    let body = text(locale, "survey-unsubscribe-text");
    let button = text(locale, "survey-unsubscribe-button");
    page(
        StatusCode::OK,
        &UnsubscribeConfirmPage {
            lang: locale.as_str(),
            style: web::PAGE_STYLE,
            title: &title,
            text: &body,
            button: &button,
        },
    )
}

pub fn unsubscribed(locale: Locale, shop: &str) -> Response {
    let title = text(locale, "survey-unsubscribed-title");
    let body = text_with(
        locale,
        "survey-unsubscribed-text",
        &[("shop", Arg::from(shop))],
    );
    message_page(StatusCode::OK, locale, &title, &body)
}

fn message_page(status: StatusCode, locale: Locale, title: &str, text: &str) -> Response {
    page(
        status,
        &MessagePage {
            lang: locale.as_str(),
            style: web::PAGE_STYLE,
            title,
            text,
        },
    )
}

#[cfg(test)]
mod tests {
    use axum::http::{header, HeaderMap, HeaderValue};

    use super::*;

    fn headers(accept_language: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT_LANGUAGE,
            HeaderValue::from_str(accept_language).expect("header"),
        );
        headers
    }

    #[test]
    fn customer_locale_wins_then_browser_then_default() {
        assert_eq!(
            choose_locale(Some(Locale::En), &headers("de-DE"), Locale::De),
            Locale::En
        );
        assert_eq!(
            choose_locale(None, &headers("nl-NL, en;q=0.8, de;q=0.9"), Locale::En),
            Locale::De
        );
        assert_eq!(
            choose_locale(None, &headers("fr-FR, en;q=0.8"), Locale::De),
            Locale::Fr
        );
        assert_eq!(choose_locale(None, &headers("nl"), Locale::En), Locale::En);
        assert_eq!(
            choose_locale(None, &HeaderMap::new(), Locale::De),
            Locale::De
        );
    }
}
