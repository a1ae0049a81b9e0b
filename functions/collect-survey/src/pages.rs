//! The public HTML pages: survey form, thank-you, unsubscribe and error pages, in German and
//! English. No scripts, no external resources; one stylesheet pinned by hash in the CSP.

use std::sync::LazyLock;

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use domain::html::escape;
use domain::model::{Category, Locale, Score, MAX_COMMENT_CHARS};
use sha2::{Digest, Sha256};

const STYLE: &str = "
*{box-sizing:border-box}
body{margin:0;background:#f4f4f5;color:#18181b;font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif}
main{max-width:36rem;margin:0 auto;padding:1.5rem 1rem}
.card{background:#fff;border-radius:.75rem;padding:1.5rem;box-shadow:0 1px 3px rgba(0,0,0,.08)}
h1{font-size:1.35rem;line-height:1.3;margin:0 0 1rem}
p{margin:0 0 1rem}
fieldset{border:0;margin:0 0 1rem;padding:0}
legend{font-weight:600;margin-bottom:.5rem}
.scale{display:grid;grid-template-columns:repeat(11,1fr);gap:.25rem}
.scale input{position:absolute;opacity:0;width:1px;height:1px}
.scale label{display:block;text-align:center;padding:.6rem 0;border:2px solid #d4d4d8;border-radius:.4rem;font-weight:600;cursor:pointer;user-select:none}
.scale input:checked+label{background:#16a34a;border-color:#16a34a;color:#fff}
.scale input:focus-visible+label{outline:3px solid #2563eb;outline-offset:2px}
.ends{display:flex;justify-content:space-between;font-size:.8rem;color:#52525b;margin-top:.25rem}
textarea{width:100%;min-height:7rem;padding:.6rem;border:2px solid #d4d4d8;border-radius:.4rem;font:inherit}
button{width:100%;margin-top:1rem;padding:.8rem;border:0;border-radius:.5rem;background:#16a34a;color:#fff;font:inherit;font-weight:600;cursor:pointer}
.error{color:#b91c1c;font-weight:600}
.share{width:100%;padding:.6rem;border:2px dashed #16a34a;border-radius:.4rem;font:inherit;background:#f0fdf4}
.muted{color:#52525b;font-size:.9rem}
@media (max-width:420px){.scale{grid-template-columns:repeat(6,1fr)}}
";

/// `default-src 'none'` forbids everything; the one inline stylesheet is allowed by its hash and
/// forms may only post back to us.
static CONTENT_SECURITY_POLICY: LazyLock<String> = LazyLock::new(|| {
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(STYLE.as_bytes()));
    format!(
        "default-src 'none'; style-src 'sha256-{hash}'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    )
});

/// The page language: the customer's locale, else the browser's Accept-Language, else the default.
pub fn choose_locale(customer: Option<Locale>, headers: &HeaderMap, default: Locale) -> Locale {
    customer
        .or_else(|| accepted_locale(headers))
        .unwrap_or(default)
}

fn accepted_locale(headers: &HeaderMap) -> Option<Locale> {
    let accepted = headers.get(header::ACCEPT_LANGUAGE)?.to_str().ok()?;
    let mut tags: Vec<(f32, &str)> = accepted
        .split(',')
        .filter_map(|part| {
            let mut pieces = part.split(';');
            let tag = pieces.next()?.trim();
            let quality = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            Some((quality, tag))
        })
        .collect();
    tags.sort_by(|a, b| b.0.total_cmp(&a.0));
    tags.into_iter()
        .filter(|(quality, _)| *quality > 0.0)
        .find_map(|(_, tag)| Locale::parse(tag).ok())
}

fn page(status: StatusCode, locale: Locale, title: &str, body: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><meta name=\"robots\" content=\"noindex\"><title>{title}</title><style>{STYLE}</style></head>\n<body><main><div class=\"card\">{body}</div></main></body></html>\n",
        lang = locale.as_str(),
        title = escape(title),
    );
    let mut response = (status, html).into_response();
    let headers = response.headers_mut();
    let set = |headers: &mut HeaderMap, name, value: &str| {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(name, value);
        }
    };
    set(headers, header::CONTENT_TYPE, "text/html; charset=utf-8");
    set(
        headers,
        header::CONTENT_SECURITY_POLICY,
        &CONTENT_SECURITY_POLICY,
    );
    set(headers, header::CACHE_CONTROL, "no-store");
    set(headers, header::REFERRER_POLICY, "no-referrer");
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    response
}

/// The survey form: the 0–10 scale with the mailed score preselected, a comment box, one button.
pub fn survey_form(
    locale: Locale,
    shop: &str,
    selected: Option<Score>,
    comment: Option<&str>,
    error: Option<&str>,
) -> Response {
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
    let options: String = (0..=Score::MAX)
        .map(|n| {
            let checked = if selected.map(Score::value) == Some(n) { " checked" } else { "" };
            format!(
                "<input type=\"radio\" id=\"score-{n}\" name=\"score\" value=\"{n}\" required{checked}><label for=\"score-{n}\">{n}</label>"
            )
        })
        .collect();
    let error = error.map_or(String::new(), |e| {
        format!("<p class=\"error\" role=\"alert\">{}</p>", escape(e))
    });
    let body = format!(
        "<h1>{title}</h1>{error}<form method=\"post\"><fieldset><legend>{question}</legend><div class=\"scale\">{options}</div><div class=\"ends\"><span>{low}</span><span>{high}</span></div></fieldset><label for=\"comment\">{comment_label}</label><textarea id=\"comment\" name=\"comment\" maxlength=\"{MAX_COMMENT_CHARS}\">{comment}</textarea><button type=\"submit\">{send}</button></form>",
        title = escape(&title),
        question = escape(&question),
        comment = escape(comment.unwrap_or_default()),
    );
    let status = if error.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    page(status, locale, &title, &body)
}

/// After an answer: thanks, and for promoters their own share link.
pub fn thank_you(
    locale: Locale,
    shop: &str,
    category: Category,
    referral_link: Option<&str>,
) -> Response {
    let (title, message) = match (locale, category) {
        (Locale::De, Category::Promoter) => ("Vielen Dank für Ihre Bewertung!", "Schön, dass Sie uns weiterempfehlen möchten!"),
        (Locale::De, Category::Passive) => ("Vielen Dank für Ihre Bewertung!", "Wir arbeiten daran, Sie beim nächsten Mal restlos zu überzeugen."),
        (Locale::De, Category::Detractor) => ("Vielen Dank für Ihre ehrliche Bewertung", "Es tut uns leid, dass wir Sie nicht überzeugen konnten. Unser Team sieht sich Ihre Rückmeldung an und meldet sich bei Ihnen."),
        (Locale::En, Category::Promoter) => ("Thank you for your rating!", "We are glad you would recommend us!"),
        (Locale::En, Category::Passive) => ("Thank you for your rating!", "We are working on winning you over completely next time."),
        (Locale::En, Category::Detractor) => ("Thank you for your honest rating", "We are sorry we did not live up to your expectations. Our team will look at your feedback and get in touch."),
    };
    let share = referral_link.map_or(String::new(), |link| {
        let (intro, note) = match locale {
            Locale::De => ("Ihr persönlicher Empfehlungslink:", "Teilen Sie ihn mit Freunden: Bei deren erster Bestellung erhalten Sie beide einen Gutschein."),
            Locale::En => ("Your personal referral link:", "Share it with friends: when they place their first order, you both get a coupon."),
        };
        format!(
            "<p><label for=\"share\">{}</label></p><input id=\"share\" class=\"share\" type=\"text\" readonly value=\"{}\"><p class=\"muted\">{}</p>",
            escape(intro),
            escape(link),
            escape(note)
        )
    });
    let changed = match locale {
        Locale::De => "Sie können Ihre Bewertung über den Link in der E-Mail jederzeit ändern.",
        Locale::En => "You can change your rating at any time through the link in the email.",
    };
    let body = format!(
        "<h1>{}</h1><p>{}</p>{share}<p class=\"muted\">{}</p><p class=\"muted\">{}</p>",
        escape(title),
        escape(message),
        escape(changed),
        escape(shop)
    );
    page(StatusCode::OK, locale, title, &body)
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
            "Wir senden Ihnen dann keine Umfragen nach Einkäufen mehr.",
            "Abmelden",
        ),
        Locale::En => (
            format!("No more surveys from {shop}?"),
            "We will no longer send you surveys after your purchases.",
            "Unsubscribe",
        ),
    };
    let body = format!(
        "<h1>{}</h1><p>{}</p><form method=\"post\"><button type=\"submit\">{}</button></form>",
        escape(&title),
        escape(text),
        escape(button)
    );
    page(StatusCode::OK, locale, &title, &body)
}

pub fn unsubscribed(locale: Locale, shop: &str) -> Response {
    let (title, text) = match locale {
        Locale::De => (
            "Sie sind abgemeldet",
            format!("Sie erhalten keine Umfragen mehr von {shop}."),
        ),
        Locale::En => (
            "You are unsubscribed",
            format!("You will not receive any more surveys from {shop}."),
        ),
    };
    message_page(StatusCode::OK, locale, title, &text)
}

fn message_page(status: StatusCode, locale: Locale, title: &str, text: &str) -> Response {
    page(
        status,
        locale,
        title,
        &format!("<h1>{}</h1><p>{}</p>", escape(title), escape(text)),
    )
}

#[cfg(test)]
mod tests {
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

    #[test]
    fn policy_pins_the_stylesheet_by_hash() {
        assert!(CONTENT_SECURITY_POLICY.starts_with("default-src 'none'; style-src 'sha256-"));
    }
}
