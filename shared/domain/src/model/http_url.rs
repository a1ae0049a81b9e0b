use std::fmt;

/// An absolute http(s) URL without a trailing slash, so paths append with `/`: the shop's site,
/// a function's public base, where a referral link lands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpUrl(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HttpUrlError {
    #[error("must start with http:// or https://")]
    Scheme,
    #[error("must be an absolute URL with a host")]
    NoHost,
}

impl HttpUrl {
    pub fn parse(raw: &str) -> Result<Self, HttpUrlError> {
        let trimmed = raw.trim().trim_end_matches('/');
        let rest = trimmed
            .strip_prefix("https://")
            .or_else(|| trimmed.strip_prefix("http://"))
            .ok_or(HttpUrlError::Scheme)?;
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if host.is_empty() || trimmed.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(HttpUrlError::NoHost);
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for HttpUrl {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for HttpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_slashes_go_so_paths_append_cleanly() {
        let url = HttpUrl::parse(" https://shop.example/de/ ").expect("valid");
        assert_eq!(url.as_str(), "https://shop.example/de");
    }

    #[test]
    fn anything_but_an_absolute_http_url_is_refused() {
        for raw in [
            "shop.example",
            "ftp://shop.example",
            "https://",
            "https:///path",
            "https://a b",
        ] {
            assert!(HttpUrl::parse(raw).is_err(), "{raw}");
        }
    }
}
