//! Posts outbox events to the shop's webhook endpoint, signed per Standard Webhooks v1
//! (docs/architecture.md#webhooks): `webhook-id`, `webhook-timestamp`, `webhook-signature`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use domain::model::{MessageId, WebhookSecrets, WebhookUrl};
use domain::ports::{WebhookError, WebhookSender};
use standardwebhooks::Webhook;

/// A receiver that has not answered within this long is treated as down; the event is retried.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// The HTTP client and the signers, built once per cold start.
pub struct HttpWebhookSender {
    client: reqwest::Client,
    url: WebhookUrl,
    signers: Vec<Webhook>,
}

/// Why the sender could not be built; start-up fails with it.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("WEBHOOK_SECRET is not a Standard Webhooks secret: {0}")]
    Secret(String),
    #[error("building the webhook HTTP client")]
    Client(#[source] reqwest::Error),
    #[error("configuring TLS for webhooks")]
    Tls(#[source] rustls::Error),
}

impl HttpWebhookSender {
    pub fn new(url: WebhookUrl, secrets: &WebhookSecrets) -> Result<Self, SetupError> {
        let signers = secrets
            .expose()
            .iter()
            .map(|secret| Webhook::new(secret).map_err(|e| SetupError::Secret(e.to_string())))
            .collect::<Result<Vec<_>, _>>()?;
        let client = client_builder()?
            .timeout(TIMEOUT)
            // A redirect would resend a signed event somewhere the shop did not configure.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!(
                "referral-feedback-webhooks/",
                env!("CARGO_PKG_VERSION")
            ))
            .build()
            .map_err(SetupError::Client)?;
        Ok(Self {
            client,
            url,
            signers,
        })
    }
}

/// A reqwest builder whose TLS is rustls over aws-lc-rs with the public web roots. reqwest,
/// built without a crypto provider of its own, needs this for every client in a binary that
/// links this crate.
pub fn client_builder() -> Result<reqwest::ClientBuilder, SetupError> {
    let provider = std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(SetupError::Tls)?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(reqwest::Client::builder().use_preconfigured_tls(config))
}

impl HttpWebhookSender {
    /// `v1,<sig>` for each secret, space-separated, as the receiver checks any of them.
    fn signature(&self, id: &MessageId, timestamp: i64, body: &str) -> Result<String, String> {
        let signatures = self
            .signers
            .iter()
            .map(|signer| {
                signer
                    .sign(id.as_ref(), timestamp, body.as_bytes())
                    .map_err(|e| format!("signing: {e}"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(signatures.join(" "))
    }
}

#[async_trait]
impl WebhookSender for HttpWebhookSender {
    async fn post(&self, id: &MessageId, body: &str) -> Result<(), WebhookError> {
        let timestamp = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        let signature = self
            .signature(id, timestamp, body)
            .map_err(WebhookError::Failed)?;
        let response = self
            .client
            .post(self.url.as_str())
            .header("content-type", "application/json")
            .header("webhook-id", id.as_ref())
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(body.to_owned())
            .send()
            .await
            .map_err(|e| WebhookError::Failed(transport_reason(&e)))?;
        let status = response.status();
        if status.is_success() {
            Ok(())
        } else if status == reqwest::StatusCode::GONE {
            Err(WebhookError::Gone)
        } else {
            Err(WebhookError::Failed(format!(
                "the receiver answered {status}"
            )))
        }
    }
}

/// What went wrong on the way, without the URL (it may carry a token of the shop's).
fn transport_reason(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "no answer within 10 s"
    } else if error.is_connect() {
        "could not connect"
    } else if error.is_redirect() {
        "redirect refused"
    } else {
        "request failed"
    };
    let mut reason = kind.to_owned();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        reason.push_str(": ");
        reason.push_str(&cause.to_string());
        source = cause.source();
    }
    reason
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example delivery of docs/delivery.md, whose signature was computed with the PyPI
    /// `standardwebhooks` package: ours must be byte-identical.
    #[test]
    fn the_readme_example_is_signed_as_standard_webhooks_signs_it() {
        let secrets =
            WebhookSecrets::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").expect("secret");
        let url = WebhookUrl::parse("https://shop.example/hooks/referrals").expect("url");
        let sender = HttpWebhookSender::new(url, &secrets).expect("sender");
        let body = r#"{"data":{"amount_cents":1000,"available_from":"2026-12-14T11:01:59.512Z","beneficiary":"friend","coupon":"TJ7CP4H8BMAC","currency":"EUR","customer_id":"c-77","order_id":"100234","status":"pending","valid_until":"2027-12-14T11:01:59.512Z"},"timestamp":"2026-11-30T11:01:59.512Z","type":"reward.issued"}"#;
        let id = MessageId::parse("msg_3f9c2a6e8b1d4f7a9c0e2b4d6f8a1c3e").expect("id");
        assert_eq!(
            sender.signature(&id, 1_796_036_519, body),
            Ok("v1,s99TLXM+cpkrOb6T6rwcbvxda9UnpdWIP/e6wXMAsOg=".to_owned())
        );
        let page = include_str!("../../../docs/delivery.md");
        assert!(page.contains(body), "docs/delivery.md shows this body");
    }

    #[test]
    fn several_secrets_give_one_signature_each() {
        let one = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let two = "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        let secrets = WebhookSecrets::parse(&format!("{one} {two}")).expect("secrets");
        let url = WebhookUrl::parse("https://shop.example/hooks").expect("url");
        let sender = HttpWebhookSender::new(url, &secrets).expect("sender");
        let id = MessageId::derive(&["x"]);
        let signature = sender.signature(&id, 1, "{}").expect("signed");
        let parts: Vec<&str> = signature.split(' ').collect();
        assert_eq!(parts.len(), 2);
        assert!(parts.iter().all(|p| p.starts_with("v1,")) && parts[0] != parts[1]);
    }
}
