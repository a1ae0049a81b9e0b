//! Storefront authentication: `Authorization: Bearer <key>` against the configured keys.

use std::fmt;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use subtle::{Choice, ConstantTimeEq};

use super::ApiError;

/// Shorter keys are guessable; the deploy docs generate 32 random bytes.
pub const MIN_KEY_LEN: usize = 16;

/// The accepted storefront keys, held only as SHA-256 digests so comparing them in constant
/// time does not leak a key's length, and a memory dump does not show them.
#[derive(Clone)]
pub struct ApiKeys(Arc<Vec<[u8; 32]>>);

impl ApiKeys {
    /// Parses a comma-separated list; blank entries are ignored, at least one key is required.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let keys: Vec<&str> = raw
            .split(',')
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .collect();
        if keys.is_empty() {
            return Err("must list at least one key".into());
        }
        if keys.iter().any(|k| k.len() < MIN_KEY_LEN) {
            return Err(format!(
                "every key must be at least {MIN_KEY_LEN} characters"
            ));
        }
        Ok(Self(Arc::new(keys.into_iter().map(digest).collect())))
    }

    /// Compares against every key without stopping early, so timing reveals nothing.
    pub fn accepts(&self, presented: &str) -> bool {
        let presented = digest(presented);
        let matched = self
            .0
            .iter()
            .fold(Choice::from(0), |acc, key| acc | key.ct_eq(&presented));
        matched.into()
    }
}

fn digest(key: &str) -> [u8; 32] {
    Sha256::digest(key.as_bytes()).into()
}

impl fmt::Debug for ApiKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiKeys({} keys)", self.0.len())
    }
}

/// Middleware for storefront routes: 401 unless a configured key is presented.
pub async fn require_api_key(
    State(keys): State<ApiKeys>,
    request: Request,
    next: Next,
) -> Response {
    let presented = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, key)| key.trim());
    match presented {
        Some(key) if keys.accepts(key) => next.run(request).await,
        _ => ApiError::Unauthorized.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_any_configured_key_and_nothing_else() {
        let keys = ApiKeys::parse(" first-key-0123456789 ,, second-key-0123456789").expect("valid");
        assert!(keys.accepts("first-key-0123456789"));
        assert!(keys.accepts("second-key-0123456789"));
        assert!(!keys.accepts("first-key-012345678"));
        assert!(!keys.accepts(""));
    }

    #[test]
    fn rejects_empty_lists_and_short_keys() {
        assert!(ApiKeys::parse(" , ").is_err());
        assert!(ApiKeys::parse("short").is_err());
    }

    #[test]
    fn debug_output_never_shows_keys() {
        let keys = ApiKeys::parse("secret-key-0123456789").expect("valid");
        assert_eq!(format!("{keys:?}"), "ApiKeys(1 keys)");
    }
}
