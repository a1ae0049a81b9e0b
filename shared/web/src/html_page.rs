//! Server-rendered pages: the language a browser asks for, and the headers every page carries
//! (a CSP that allows only the page's own stylesheet, by hash; no caching, no framing).

use std::sync::LazyLock;

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use domain::model::Locale;
use sha2::{Digest, Sha256};

/// The one stylesheet of every customer page (survey, claim, unsubscribe), inline and pinned by
/// its hash in the CSP; readable on a 375 px phone without any script.
pub const PAGE_STYLE: &str = "
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
textarea,input[type=email]{width:100%;padding:.6rem;border:2px solid #d4d4d8;border-radius:.4rem;font:inherit}
textarea{min-height:7rem}
label{display:block;font-weight:600;margin-bottom:.25rem}
button,a.button{display:block;width:100%;margin-top:1rem;padding:.8rem;border:0;border-radius:.5rem;background:#16a34a;color:#fff;font:inherit;font-weight:600;text-align:center;text-decoration:none;cursor:pointer}
a.button{margin-bottom:1rem}
.error{color:#b91c1c;font-weight:600}
.share{padding:.6rem;border:2px dashed #16a34a;border-radius:.4rem;background:#f0fdf4;overflow-wrap:anywhere;user-select:all}
.code{font:700 1.6rem/1.3 ui-monospace,Menlo,Consolas,monospace;letter-spacing:.1em;text-align:center;padding:.8rem;border:2px dashed #16a34a;border-radius:.5rem;background:#f0fdf4;overflow-wrap:anywhere}
.muted{color:#52525b;font-size:.9rem}
[hidden]{display:none!important}
h2{font-size:1.1rem;margin:1.5rem 0 .5rem}
.row{display:flex;flex-wrap:wrap;gap:.5rem;margin:.5rem 0 1rem}
.row>a.button,.row>button{flex:1 1 5rem;width:auto;margin:0;padding:.7rem .4rem}
a.button.alt,button.alt{background:#fff;color:#15803d;border:2px solid #16a34a}
.stats{display:grid;grid-template-columns:repeat(2,1fr);gap:.5rem;margin:0 0 1rem}
.stats div{background:#f4f4f5;border-radius:.5rem;padding:.6rem}
.stats dt{font-size:.85rem;color:#52525b}
.stats dd{margin:0;font-size:1.4rem;font-weight:700}
.rewards{list-style:none;padding:0;margin:0 0 1rem}
.rewards li{border:1px solid #e4e4e7;border-radius:.5rem;padding:.6rem;margin-bottom:.5rem}
.rewards code{font:700 1.05rem/1.3 ui-monospace,Menlo,Consolas,monospace;letter-spacing:.05em;overflow-wrap:anywhere}
@media (max-width:420px){.scale{grid-template-columns:repeat(6,1fr)}}
";

static PAGE_CSP: LazyLock<String> = LazyLock::new(|| content_security_policy(PAGE_STYLE));

/// `default-src 'none'` forbids everything; the one inline stylesheet is allowed by its hash and
/// forms may only submit to the page's own origin.
pub fn content_security_policy(stylesheet: &str) -> String {
    let style = style_source(stylesheet);
    format!(
        "default-src 'none'; style-src {style}; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    )
}

/// [`content_security_policy`] for a page with one small inline script, allowed by its hash
/// and nothing else (no `'unsafe-inline'`, no external script).
pub fn scripted_page_policy(stylesheet: &str, script: &str) -> String {
    let style = style_source(stylesheet);
    let script = style_source(script);
    format!(
        "default-src 'none'; style-src {style}; script-src {script}; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    )
}

/// The CSP source (`'sha256-…'`) that allows exactly this inline stylesheet or script.
pub fn style_source(inline: &str) -> String {
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(inline.as_bytes()));
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

/// A customer's page, styled by [`PAGE_STYLE`] and nothing else.
pub fn customer_page(status: StatusCode, html: String) -> Response {
    html_page(status, html, &PAGE_CSP)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_pins_the_stylesheet_by_hash_and_forms_to_their_origin() {
        assert!(PAGE_CSP.starts_with("default-src 'none'; style-src 'sha256-"));
        assert!(PAGE_CSP.contains(&style_source(PAGE_STYLE)));
        assert!(PAGE_CSP.contains("form-action 'self'"));
    }
}
