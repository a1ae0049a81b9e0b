//! Server-rendered pages: the language a browser asks for, and the headers every page carries
//! (a CSP that allows only the page's own stylesheet, by hash; no caching, no framing).

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use domain::model::Locale;
use sha2::{Digest, Sha256};

/// `default-src 'none'` forbids everything; the one inline stylesheet is allowed by its hash and
/// forms may only submit to the page's own origin.
pub fn content_security_policy(stylesheet: &str) -> String {
    let style = style_source(stylesheet);
    format!(
        "default-src 'none'; style-src {style}; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    )
}

/// The CSP source (`'sha256-…'`) that allows exactly this inline stylesheet.
pub fn style_source(stylesheet: &str) -> String {
    let hash =
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(stylesheet.as_bytes()));
    format!("'sha256-{hash}'")
}

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

/// An HTML page with the security headers every page carries.
pub fn html_page(status: StatusCode, html: String, csp: &str) -> Response {
    let mut response = (status, html).into_response();
    let headers = response.headers_mut();
    let mut set = |name, value: &str| {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(name, value);
        }
    };
    set(header::CONTENT_TYPE, "text/html; charset=utf-8");
    set(header::CONTENT_SECURITY_POLICY, csp);
    set(header::CACHE_CONTROL, "no-store");
    set(header::REFERRER_POLICY, "no-referrer");
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::X_FRAME_OPTIONS, "DENY");
    response
}
