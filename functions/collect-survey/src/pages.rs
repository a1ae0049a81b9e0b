//! The public HTML pages: survey form, thank-you, unsubscribe and error pages, in German and
//! English. No scripts, no external resources; one stylesheet pinned by hash in the CSP.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::model::{Category, Locale, Score, MAX_COMMENT_CHARS};
use domain::services::ShopIdentity;
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
    // A click in the mail only preselects (link scanners must cast no vote): the page says so.
    let counts_once_sent = match locale {
        Locale::De => "Ihre Bewertung zählt erst, wenn Sie auf „Bewertung absenden“ klicken.",
        Locale::En => "Your rating counts only once you press \"Send rating\".",
    };
    let (title, question, low, high, comment_label, send) = match locale {
        Locale::De => (
            format!("Ihre Meinung zu {shop}"),
            format!("Wie wahrscheinlich ist es, dass Sie {shop} einem Freund empfehlen?"),
            "0 = sehr unwahrscheinlich",
            "10 = sehr wahrscheinlich",
            "Möchten Sie uns noch etwas sagen? (optional)",
            "Bewertung absenden",
        ),
        Locale::En => (
            format!("Your opinion of {shop}"),
            format!("How likely are you to recommend {shop} to a friend?"),
            "0 = not at all likely",
            "10 = extremely likely",
            "Anything else you would like to tell us? (optional)",
            "Send rating",
        ),
    };
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
            low,
            high,
            comment_label,
            max_comment: MAX_COMMENT_CHARS,
            comment: comment.unwrap_or_default(),
            send,
            counts_once_sent,
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
    let (title, message) = match (locale, category) {
        (Locale::De, Category::Promoter) => ("Vielen Dank für Ihre Bewertung!", "Schön, dass Sie uns weiterempfehlen möchten!"),
        (Locale::De, Category::Passive) => ("Vielen Dank für Ihre Bewertung!", "Wir arbeiten daran, Sie beim nächsten Mal restlos zu überzeugen."),
        (Locale::De, Category::Detractor) => ("Vielen Dank für Ihre ehrliche Bewertung", "Es tut uns leid, dass wir Sie nicht überzeugen konnten. Unser Team sieht sich Ihre Rückmeldung an und meldet sich bei Ihnen."),
        (Locale::En, Category::Promoter) => ("Thank you for your rating!", "We are glad you would recommend us!"),
        (Locale::En, Category::Passive) => ("Thank you for your rating!", "We are working on winning you over completely next time."),
        (Locale::En, Category::Detractor) => ("Thank you for your honest rating", "We are sorry we did not live up to your expectations. Our team will look at your feedback and get in touch."),
    };
    let (share_intro, share_note) = match locale {
        Locale::De => ("Ihr persönlicher Empfehlungslink:", "Teilen Sie ihn mit Freunden: Bei deren erster Bestellung erhalten Sie beide einen Gutschein."),
        Locale::En => ("Your personal referral link:", "Share it with friends: when they place their first order, you both get a coupon."),
    };
    let page_label = match locale {
        Locale::De => "Link kopieren oder teilen, und sehen, was er bringt",
        Locale::En => "Copy or share your link, and see what it earns",
    };
    let changed = match locale {
        Locale::De => "Sie können Ihre Bewertung über den Link in der E-Mail jederzeit ändern.",
        Locale::En => "You can change your rating at any time through the link in the email.",
    };
    page(
        StatusCode::OK,
        &ThankYouPage {
            lang: locale.as_str(),
            style: web::PAGE_STYLE,
            title,
            message,
            referral_link,
            page_url,
            share_intro,
            share_note,
            page_label,
            changed,
            shop,
            shop_url: &shop_url,
        },
    )
}

pub fn not_found(locale: Locale) -> Response {
    let (title, text) = match locale {
        Locale::De => ("Link nicht gefunden", "Dieser Link ist ungültig. Bitte verwenden Sie den vollständigen Link aus Ihrer E-Mail."),
        Locale::En => ("Link not found", "This link is not valid. Please use the complete link from your email."),
    };
    message_page(StatusCode::NOT_FOUND, locale, title, text)
}

pub fn expired(locale: Locale) -> Response {
    let (title, text) = match locale {
        Locale::De => (
            "Diese Umfrage ist abgelaufen",
            "Vielen Dank für Ihr Interesse. Diese Umfrage nimmt keine Antworten mehr an.",
        ),
        Locale::En => (
            "This survey has expired",
            "Thank you for your interest. This survey no longer accepts answers.",
        ),
    };
    message_page(StatusCode::GONE, locale, title, text)
}

pub fn bad_score(locale: Locale) -> Response {
    let (title, text) = match locale {
        Locale::De => (
            "Ungültige Bewertung",
            "Bitte wählen Sie eine Bewertung von 0 bis 10.",
        ),
        Locale::En => ("Invalid rating", "Please choose a rating from 0 to 10."),
    };
    message_page(StatusCode::BAD_REQUEST, locale, title, text)
}

pub fn server_error(locale: Locale) -> Response {
    let (title, text) = match locale {
        Locale::De => (
            "Das hat leider nicht geklappt",
            "Bitte versuchen Sie es in ein paar Minuten noch einmal.",
        ),
        Locale::En => ("Something went wrong", "Please try again in a few minutes."),
    };
    message_page(StatusCode::INTERNAL_SERVER_ERROR, locale, title, text)
}

/// GET /u/…: nothing happens until the customer confirms, so link scanners unsubscribe nobody.
pub fn unsubscribe_confirm(locale: Locale, shop: &str) -> Response {
    let (title, text, button) = match locale {
        Locale::De => (
            format!("Keine Umfragen mehr von {shop}?"),
            "Wir senden Ihnen dann keine Umfragen nach Einkäufen und keine Angebote zur Rückkehr mehr.",
            "Abmelden",
        ),
        Locale::En => (
            format!("No more surveys from {shop}?"),
            "We will no longer send you surveys after your purchases, nor offers to come back.",
            "Unsubscribe",
        ),
    };
    page(
        StatusCode::OK,
        &UnsubscribeConfirmPage {
            lang: locale.as_str(),
            style: web::PAGE_STYLE,
            title: &title,
            text,
            button,
        },
    )
}

pub fn unsubscribed(locale: Locale, shop: &str) -> Response {
    let (title, text) = match locale {
        Locale::De => (
            "Sie sind abgemeldet",
            format!("Sie erhalten keine Umfragen und Angebote mehr von {shop}."),
        ),
        Locale::En => (
            "You are unsubscribed",
            format!("You will not receive any more surveys or offers from {shop}."),
        ),
    };
    message_page(StatusCode::OK, locale, title, &text)
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
            choose_locale(None, &headers("fr-FR, en;q=0.8, de;q=0.9"), Locale::En),
            Locale::De
        );
        assert_eq!(choose_locale(None, &headers("fr"), Locale::En), Locale::En);
        assert_eq!(
            choose_locale(None, &HeaderMap::new(), Locale::De),
            Locale::De
        );
    }
}
