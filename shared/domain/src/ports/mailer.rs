use async_trait::async_trait;

use crate::model::Email;

/// A rendered mail: both a plain-text and an HTML part, plus any extra headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMail {
    pub to: Email,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub headers: Vec<(String, String)>,
    /// Where answers go instead of the sender: the customer, on a detractor alert, so support
    /// answers from its inbox.
    pub reply_to: Option<Email>,
}

#[derive(Debug, thiserror::Error)]
#[error("{context}")]
pub struct MailError {
    pub context: &'static str,
    #[source]
    pub source: Box<dyn std::error::Error + Send + Sync>,
    /// The provider's rate limit refused the send (SES's `TooManyRequestsException`): a wait,
    /// not a failure.
    pub throttled: bool,
}

impl MailError {
    pub fn new(
        context: &'static str,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Self {
            context,
            source: source.into(),
            throttled: false,
        }
    }

    /// The provider's rate limit refused the send; sending again later will do.
    pub fn throttled(
        context: &'static str,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Self {
            throttled: true,
            ..Self::new(context, source)
        }
    }

    /// The whole cause chain, as the provider gave it (e.g. SES's `AccessDeniedException: …`),
    /// with every address replaced: reasons are stored and logged, addresses must not be.
    pub fn reason(&self) -> String {
        let mut reason = self.context.to_owned();
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(self.source.as_ref());
        while let Some(cause) = source {
            reason.push_str(": ");
            reason.push_str(&cause.to_string());
            source = cause.source();
        }
        redact_addresses(&reason)
    }
}

/// Replaces every word holding an `@` with `<address>`.
pub fn redact_addresses(text: &str) -> String {
    text.split_inclusive(char::is_whitespace)
        .map(|word| {
            if word.contains('@') {
                let trailing = &word[word.trim_end().len()..];
                format!("<address>{trailing}")
            } else {
                word.to_owned()
            }
        })
        .collect()
}

/// Sends mail: SES on Lambda, an outbox folder locally.
#[async_trait]
pub trait Mailer: Send + Sync {
    async fn send(&self, mail: &OutgoingMail) -> Result<(), MailError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_keep_the_provider_words_and_drop_addresses() {
        let error = MailError::new(
            "sending through SES",
            "MessageRejected: Email address is not verified: anna@example.com, bob@example.org.",
        );
        assert_eq!(
            error.reason(),
            "sending through SES: MessageRejected: Email address is not verified: <address> <address>"
        );
    }
}
