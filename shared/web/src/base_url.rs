//! The public base URL of the function answering a request, for links it hands out.

use axum::http::{HeaderMap, Uri};
use domain::model::HttpUrl;

use super::ApiError;

/// `configured` when set (PUBLIC_BASE_URL); otherwise scheme + Host + the prefix the function
/// is mounted under, so links work both at a function URL and nested in the local stack.
pub fn function_base_url(
    configured: Option<&HttpUrl>,
    headers: &HeaderMap,
    original_uri: &Uri,
    routed_uri: &Uri,
) -> Result<String, ApiError> {
    if let Some(base) = configured {
        return Ok(base.to_string());
    }
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| original_uri.authority().map(|a| a.as_str()))
        .filter(|h| is_plausible_host(h))
        .ok_or_else(|| {
            ApiError::BadRequest(
                "a valid Host header is required to build links (or set PUBLIC_BASE_URL)".into(),
            )
        })?;
    let scheme = headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
        .filter(|p| *p == "https" || *p == "http")
        .or_else(|| original_uri.scheme_str())
        .unwrap_or("http");
    let prefix = original_uri
        .path()
        .strip_suffix(routed_uri.path())
        .unwrap_or_default();
    Ok(format!("{scheme}://{host}{prefix}"))
}

/// What [`function_base_url`] needs from a request, as an extractor for handlers.
pub struct RequestOrigin {
    headers: HeaderMap,
    original_uri: Uri,
    routed_uri: Uri,
}

impl RequestOrigin {
    /// The function's public base: `configured` if set, else derived from this request.
    pub fn base_url(&self, configured: Option<&HttpUrl>) -> Result<String, ApiError> {
        function_base_url(
            configured,
            &self.headers,
            &self.original_uri,
            &self.routed_uri,
        )
    }
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for RequestOrigin {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        let original_uri = parts
            .extensions
            .get::<axum::extract::OriginalUri>()
            .map_or_else(|| parts.uri.clone(), |o| o.0.clone());
        Ok(Self {
            headers: parts.headers.clone(),
            original_uri,
            routed_uri: parts.uri.clone(),
        })
    }
}

fn is_plausible_host(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 255
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(host: &str, proto: Option<&str>) -> HeaderMap {
        let mut map = HeaderMap::new();
        map.insert("host", HeaderValue::from_str(host).expect("valid header"));
        if let Some(proto) = proto {
            map.insert(
                "x-forwarded-proto",
                HeaderValue::from_str(proto).expect("valid"),
            );
        }
        map
    }

    #[test]
    fn configured_base_wins() {
        let uri: Uri = "/referrals".parse().expect("uri");
        let base = function_base_url(
            Some(&HttpUrl::parse("https://ref.shop.example").expect("url")),
            &HeaderMap::new(),
            &uri,
            &uri,
        );
        assert_eq!(base.expect("base"), "https://ref.shop.example");
    }

    #[test]
    fn nested_mount_prefix_is_kept() {
        let original: Uri = "/lambda-url/create-referral/referrals"
            .parse()
            .expect("uri");
        let routed: Uri = "/referrals".parse().expect("uri");
        let base = function_base_url(None, &headers("127.0.0.1:9000", None), &original, &routed);
        assert_eq!(
            base.expect("base"),
            "http://127.0.0.1:9000/lambda-url/create-referral"
        );
    }

    #[test]
    fn function_url_uses_forwarded_https() {
        let uri: Uri = "/referrals".parse().expect("uri");
        let base = function_base_url(
            None,
            &headers("abc.lambda-url.eu-central-1.on.aws", Some("https")),
            &uri,
            &uri,
        );
        assert_eq!(
            base.expect("base"),
            "https://abc.lambda-url.eu-central-1.on.aws"
        );
    }

    #[test]
    fn hostile_host_is_refused() {
        let uri: Uri = "/referrals".parse().expect("uri");
        assert!(
            function_base_url(None, &headers("evil.example/phish?", None), &uri, &uri).is_err()
        );
    }
}
