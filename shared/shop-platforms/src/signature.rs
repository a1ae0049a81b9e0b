use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The secret a platform signs its webhooks with: Shopify's app client secret (or the key shown
/// under Settings → Notifications → Webhooks), or the secret typed into a WooCommerce webhook.
/// Both platforms key the HMAC with the secret's bytes as written.
#[derive(Clone, PartialEq, Eq)]
pub struct SigningSecret(Vec<u8>);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be at least {min} characters without surrounding spaces (the platform's webhook secret)", min = SigningSecret::MIN_LEN)]
pub struct SigningSecretError;

impl SigningSecret {
    /// Shopify's secrets are 32 characters or more and WooCommerce generates 50: anything
    /// shorter is a typo or a guessable secret.
    pub const MIN_LEN: usize = 16;

    pub fn parse(raw: &str) -> Result<Self, SigningSecretError> {
        if raw.len() < Self::MIN_LEN || raw.trim() != raw {
            return Err(SigningSecretError);
        }
        Ok(Self(raw.as_bytes().to_vec()))
    }

    /// Whether `signature` (the header's base64) is the HMAC-SHA256 of exactly `body`; compared
    /// in constant time, so timing tells an attacker nothing about how close a guess was.
    pub fn verifies(&self, body: &[u8], signature: &str) -> bool {
        let Ok(expected) = STANDARD.decode(signature.trim()) else {
            return false;
        };
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.0) else {
            return false;
        };
        mac.update(body);
        mac.verify_slice(&expected).is_ok()
    }
}

impl std::fmt::Debug for SigningSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningSecret(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The expected value comes from OpenSSL, not from this code.
    #[test]
    fn verifies_a_signature_computed_elsewhere() {
        let secret = SigningSecret::parse("my-shop-webhook-secret-0123").expect("secret");
        // printf '%s' '{"id":1}' | openssl dgst -sha256 -hmac my-shop-webhook-secret-0123 -binary | base64
        let signature = "aR8QcBkM6uW00ybZ/R6DnXpmxbxBlrOC/+1t3Ni5WNA=";
        assert!(secret.verifies(br#"{"id":1}"#, signature));
        assert!(!secret.verifies(br#"{"id":2}"#, signature));
        assert!(!secret.verifies(br#"{"id":1} "#, signature));
        assert!(!secret.verifies(br#"{"id":1}"#, "not base64!"));
        assert!(!secret.verifies(br#"{"id":1}"#, ""));
    }

    #[test]
    fn refuses_short_secrets_and_hides_them() {
        assert!(SigningSecret::parse("short").is_err());
        assert!(SigningSecret::parse(" padded-secret-0123456789").is_err());
        let secret = SigningSecret::parse("a-long-enough-secret").expect("secret");
        assert!(!format!("{secret:?}").contains("long"));
    }
}
