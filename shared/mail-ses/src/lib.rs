//! The production mailer: SES v2 `SendEmail` with a simple (text + HTML) message.

use async_trait::async_trait;
use aws_sdk_sesv2::error::ProvideErrorMetadata;
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message, MessageHeader};
use aws_sdk_sesv2::Client;
use base64::Engine;

use domain::model::Email;
use domain::ports::{MailError, Mailer, OutgoingMail};

/// Sends through SES v2; the client is built once per cold start.
#[derive(Debug, Clone)]
pub struct SesMailer {
    client: Client,
    from: String,
    configuration_set: Option<String>,
}

impl SesMailer {
    pub fn new(
        client: Client,
        from: &Email,
        from_name: &str,
        configuration_set: Option<String>,
    ) -> Self {
        Self {
            client,
            from: mailbox(from, from_name),
            configuration_set,
        }
    }
}

/// `"Name" <address>`; names outside printable ASCII are RFC 2047-encoded, as SES requires.
fn mailbox(address: &Email, name: &str) -> String {
    let plain = name
        .bytes()
        .all(|b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\');
    if plain {
        format!("\"{name}\" <{address}>")
    } else {
        let encoded = base64::engine::general_purpose::STANDARD.encode(name.as_bytes());
        format!("=?UTF-8?B?{encoded}?= <{address}>")
    }
}

fn utf8(data: &str) -> Result<Content, MailError> {
    Content::builder()
        .data(data)
        .charset("UTF-8")
        .build()
        .map_err(|e| MailError::new("building mail content", e))
}

#[async_trait]
impl Mailer for SesMailer {
    async fn send(&self, mail: &OutgoingMail) -> Result<(), MailError> {
        let headers = mail
            .headers
            .iter()
            .map(|(name, value)| {
                MessageHeader::builder()
                    .name(name)
                    .value(value)
                    .build()
                    .map_err(|e| MailError::new("building a mail header", e))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let message = Message::builder()
            .subject(utf8(&mail.subject)?)
            .body(
                Body::builder()
                    .text(utf8(&mail.text)?)
                    .html(utf8(&mail.html)?)
                    .build(),
            )
            .set_headers(Some(headers))
            .build();
        self.client
            .send_email()
            .from_email_address(&self.from)
            .destination(
                Destination::builder()
                    .to_addresses(mail.to.as_ref())
                    .build(),
            )
            .content(EmailContent::builder().simple(message).build())
            .set_reply_to_addresses(mail.reply_to.as_ref().map(|to| vec![to.to_string()]))
            .set_configuration_set_name(self.configuration_set.clone())
            .send()
            .await
            // The whole chain: SES's own code and message (an AccessDenied, a rejected
            // identity) is what an operator needs to see in the message's last error.
            .map_err(|e| {
                let throttled = e.as_service_error().is_some_and(|service| {
                    service.is_too_many_requests_exception() || service.code() == Some("Throttling")
                });
                let reason = aws_sdk_sesv2::error::DisplayErrorContext(e).to_string();
                if throttled {
                    MailError::throttled("sending through SES (rate limited)", reason)
                } else {
                    MailError::new("sending through SES", reason)
                }
            })?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sender_names_are_quoted_or_encoded() {
        let from = Email::parse("shop@example.com").expect("email");
        assert_eq!(
            mailbox(&from, "Demo Shop"),
            "\"Demo Shop\" <shop@example.com>"
        );
        assert_eq!(
            mailbox(&from, "Müller"),
            "=?UTF-8?B?TcO8bGxlcg==?= <shop@example.com>"
        );
    }
}
