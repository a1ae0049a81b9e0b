//! The dashboard's login: HTTP Basic authentication whose password is a staff key, so a browser
//! can open the page (it cannot send a bearer key) and its follow-up form.

use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use web::{ApiError, ApiKeys};

const REALM: &str = "Basic realm=\"score-nps dashboard\", charset=\"UTF-8\"";

/// `Authorization: Basic base64(user:password)` with a staff key as the password; the user
/// name is not checked (there are no users, only keys).
pub(crate) fn authorised(headers: &HeaderMap, keys: &ApiKeys) -> bool {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("basic"))
        .and_then(|(_, encoded)| {
            base64::engine::general_purpose::STANDARD
                .decode(encoded.trim())
                .ok()
        })
        .and_then(|decoded| String::from_utf8(decoded).ok())
        .and_then(|credentials| {
            credentials
                .split_once(':')
                .map(|(_, password)| keys.accepts(password))
        })
        .unwrap_or(false)
}

/// 401 with the Basic challenge, so a browser asks for the key.
pub(crate) fn challenge() -> Response {
    let mut response = ApiError::Unauthorized.into_response();
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(REALM));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic(credentials: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        let encoded = base64::engine::general_purpose::STANDARD.encode(credentials);
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(&format!("Basic {encoded}")).expect("header"),
        );
        headers
    }

    #[test]
    fn the_password_must_be_a_staff_key() {
        let keys = ApiKeys::parse("dashboard-key-0123456789").expect("keys");
        assert!(authorised(&basic("staff:dashboard-key-0123456789"), &keys));
        assert!(authorised(&basic(":dashboard-key-0123456789"), &keys));
        assert!(!authorised(&basic("staff:wrong-key-0123456789"), &keys));
        assert!(!authorised(&basic("dashboard-key-0123456789"), &keys));
        assert!(!authorised(&HeaderMap::new(), &keys));
    }
}
