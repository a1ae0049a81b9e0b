//! Where the shop receives webhook events, and the secrets they are signed with.

use std::fmt;

use base64::Engine;

use super::HttpUrl;

/// The shop's webhook endpoint: https, or plain http only to this machine (a receiver under
/// development), so events never cross a network unencrypted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookUrl(HttpUrl);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookUrlError {
    #[error("must be an absolute https:// URL (http:// only on loopback)")]
    Invalid,
    #[error("must use https:// unless the host is loopback (127.0.0.1, [::1], localhost)")]
    PlainHttp,
}

impl WebhookUrl {
    pub fn parse(raw: &str) -> Result<Self, WebhookUrlError> {
        let url = HttpUrl::parse(raw).map_err(|_| WebhookUrlError::Invalid)?;
        if let Some(rest) = url.as_str().strip_prefix("http://") {
            let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
            let host = match authority.strip_prefix('[') {
                Some(v6) => v6.split(']').next().unwrap_or_default(),
                None => authority.split(':').next().unwrap_or_default(),
            };
            let loopback = host == "localhost"
                || host == "::1"
                || host
                    .parse::<std::net::Ipv4Addr>()
                    .is_ok_and(|ip| ip.is_loopback());
            if !loopback {
                return Err(WebhookUrlError::PlainHttp);
            }
        }
        Ok(Self(url))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

/// Standard Webhooks signing secrets, `whsec_` and the base64 of 24–64 random bytes; several,
/// separated by spaces, each sign every event, so a receiver can rotate without a gap.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecrets(Vec<String>);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("each secret is `whsec_` and the base64 of 24–64 random bytes, separated by spaces")]
pub struct WebhookSecretsError;

impl WebhookSecrets {
    pub fn parse(raw: &str) -> Result<Self, WebhookSecretsError> {
        let secrets: Vec<String> = raw.split_whitespace().map(str::to_owned).collect();
        let valid = !secrets.is_empty()
            && secrets.iter().all(|secret| {
                secret
                    .strip_prefix("whsec_")
                    .and_then(|encoded| {
                        base64::engine::general_purpose::STANDARD
                            .decode(encoded)
                            .ok()
                    })
                    .is_some_and(|bytes| (24..=64).contains(&bytes.len()))
            });
        if valid {
            Ok(Self(secrets))
        } else {
            Err(WebhookSecretsError)
        }
    }

    /// The secrets as configured (`whsec_…`), for the signer.
    pub fn expose(&self) -> &[String] {
        &self.0
    }
}

/// Never printed: settings are logged when start-up fails.
impl fmt::Debug for WebhookSecrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WebhookSecrets({} redacted)", self.0.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_reaches_this_machine() {
        for ok in [
            "https://shop.example/hooks",
            "http://127.0.0.1:8080/hooks",
            "http://localhost/x",
            "http://[::1]:9/x",
        ] {
            assert!(WebhookUrl::parse(ok).is_ok(), "{ok}");
        }
        assert_eq!(
            WebhookUrl::parse("http://shop.example/hooks"),
            Err(WebhookUrlError::PlainHttp)
        );
        assert_eq!(
            WebhookUrl::parse("http://127.0.0.1.evil.example/"),
            Err(WebhookUrlError::PlainHttp)
        );
        assert_eq!(WebhookUrl::parse("ftp://x"), Err(WebhookUrlError::Invalid));
    }

    #[test]
    fn secrets_are_whsec_base64_of_24_to_64_bytes_and_never_printed() {
        let one = format!(
            "whsec_{}",
            base64::engine::general_purpose::STANDARD.encode([7u8; 24])
        );
        let two = format!(
            "whsec_{}",
            base64::engine::general_purpose::STANDARD.encode([9u8; 64])
        );
        let secrets = WebhookSecrets::parse(&format!(" {one}  {two} ")).expect("valid");
        assert_eq!(secrets.expose(), [one.clone(), two]);
        assert!(!format!("{secrets:?}").contains("whsec_"));
        let short = format!(
            "whsec_{}",
            base64::engine::general_purpose::STANDARD.encode([7u8; 23])
        );
        for bad in ["", "secret", "whsec_", "whsec_!!!", short.as_str()] {
            assert_eq!(
                WebhookSecrets::parse(bad),
                Err(WebhookSecretsError),
                "{bad}"
            );
        }
    }
}
