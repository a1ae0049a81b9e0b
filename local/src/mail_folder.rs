//! The local mailer: every mail becomes an `.eml` file in the outbox folder (open it in any mail
//! client), plus a log line naming the file but not the recipient.

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use chrono::Utc;

use domain::model::Email;
use domain::ports::{MailError, Mailer, OutgoingMail};
use mail_builder::headers::raw::Raw;
use mail_builder::MessageBuilder;

#[derive(Debug, Clone)]
pub struct MailFolder {
    folder: PathBuf,
    from: Email,
    from_name: String,
}

impl MailFolder {
    pub fn new(folder: impl Into<PathBuf>, from: Email, from_name: impl Into<String>) -> Self {
        Self {
            folder: folder.into(),
            from,
            from_name: from_name.into(),
        }
    }

    pub fn folder(&self) -> &Path {
        &self.folder
    }
}

#[async_trait]
impl Mailer for MailFolder {
    async fn send(&self, mail: &OutgoingMail) -> Result<(), MailError> {
        let now = Utc::now();
        let id = uuid::Uuid::new_v4();
        let file = self
            .folder
            .join(format!("{}-{id}.eml", now.format("%Y%m%dT%H%M%S%.3fZ")));
        let message = render_eml(mail, &self.from, &self.from_name, &id.to_string(), now)?;
        crate::private_files::create_dir_async(&self.folder)
            .await
            .map_err(|e| MailError::new("creating the outbox folder", e))?;
        // Write then rename, so a reader never sees half a mail.
        let partial = file.with_extension("eml.partial");
        crate::private_files::write_async(&partial, message.as_bytes())
            .await
            .map_err(|e| MailError::new("writing a mail to the outbox", e))?;
        tokio::fs::rename(&partial, &file)
            .await
            .map_err(|e| MailError::new("publishing a mail in the outbox", e))?;
        tracing::info!(file = %file.display(), "mail written to the outbox");
        Ok(())
    }
}

/// An RFC 5322 message built by `mail-builder`: non-ASCII header text becomes RFC 2047
/// encoded words (and text that merely looks like one is encoded too, so a mail reader shows it
/// as written), the bodies a multipart/alternative with the plain text first.
fn render_eml(
    mail: &OutgoingMail,
    from: &Email,
    from_name: &str,
    id: &str,
    at: chrono::DateTime<Utc>,
) -> Result<String, MailError> {
    let mut message = MessageBuilder::new()
        .from((from_name, from.as_ref()))
        .to(mail.to.as_ref())
        .subject(mail.subject.as_str())
        .date(at.timestamp())
        .message_id(format!("{id}@outbox.local"))
        .text_body(mail.text.as_str())
        .html_body(mail.html.as_str());
    if let Some(reply_to) = &mail.reply_to {
        message = message.reply_to(reply_to.as_ref());
    }
    for (name, value) in &mail.headers {
        // The outgoing headers are URLs and fixed tokens (List-Unsubscribe): already ASCII.
        message = message.header(name.as_str(), Raw::new(value.as_str()));
    }
    message
        .write_to_string()
        .map_err(|e| MailError::new("building the mail's MIME message", e))
}

#[cfg(test)]
mod tests {
    use mail_parser::MessageParser;

    use super::*;

    #[tokio::test]
    async fn writes_one_complete_mime_message_per_mail() {
        let folder = std::env::temp_dir().join(format!("outbox-test-{}", uuid::Uuid::new_v4()));
        let outbox = MailFolder::new(
            &folder,
            Email::parse("shop@example.com").expect("email"),
            "Schuhhaus Müller",
        );
        // An order id shaped like an RFC 2047 encoded word must reach the reader as written.
        let subject = "Kritische Bewertung (2/10) zu Bestellung =?utf-8?q?Gl=C3=BCck?= – 10,00 €";
        let mail = OutgoingMail {
            to: Email::parse("anna@example.com").expect("email"),
            subject: subject.into(),
            text: "Hallo Jürgen\nZweite Zeile".into(),
            html: "<p>Hallo Jürgen</p>".into(),
            headers: vec![("List-Unsubscribe".into(), "<https://x.example/u/1>".into())],
            reply_to: Some(Email::parse("kunde@example.com").expect("email")),
        };
        outbox.send(&mail).await.expect("sent");
        let files: Vec<_> = std::fs::read_dir(&folder)
            .expect("folder")
            .map(|e| e.expect("entry").path())
            .collect();
        assert_eq!(files.len(), 1);
        let raw = std::fs::read(&files[0]).expect("readable");
        let head_end = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("headers end");
        assert!(
            raw[..head_end].is_ascii(),
            "headers are 7-bit, encoded per RFC 2047"
        );

        let parsed = MessageParser::default().parse(&raw[..]).expect("MIME");
        assert_eq!(parsed.subject(), Some(subject));
        let first = |a: Option<&mail_parser::Address<'_>>| {
            a.and_then(|a| a.first())
                .and_then(|a| a.address())
                .map(str::to_owned)
        };
        assert_eq!(first(parsed.to()).as_deref(), Some("anna@example.com"));
        assert_eq!(
            first(parsed.reply_to()).as_deref(),
            Some("kunde@example.com")
        );
        assert_eq!(
            parsed.from().and_then(|a| a.first()).and_then(|a| a.name()),
            Some("Schuhhaus Müller")
        );
        assert_eq!(
            parsed.header_raw("List-Unsubscribe").map(str::trim),
            Some("<https://x.example/u/1>")
        );
        // Lines end in CRLF on the wire, as RFC 5322 requires.
        assert_eq!(
            parsed.body_text(0).as_deref(),
            Some("Hallo Jürgen\r\nZweite Zeile")
        );
        assert_eq!(parsed.body_html(0).as_deref(), Some("<p>Hallo Jürgen</p>"));
        std::fs::remove_dir_all(&folder).expect("cleanup");
    }
}
