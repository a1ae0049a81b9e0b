//! The local mailer: every mail becomes an `.eml` file in the outbox folder (open it in any mail
//! client), plus a log line naming the file but not the recipient.

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use chrono::Utc;

use domain::model::Email;
use domain::ports::{MailError, Mailer, OutgoingMail};

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
        let message = render_eml(mail, &self.from, &self.from_name, &id.to_string(), now);
        tokio::fs::create_dir_all(&self.folder)
            .await
            .map_err(|e| MailError::new("creating the outbox folder", e))?;
        // Write then rename, so a reader never sees half a mail.
        let partial = file.with_extension("eml.partial");
        tokio::fs::write(&partial, message)
            .await
            .map_err(|e| MailError::new("writing a mail to the outbox", e))?;
        tokio::fs::rename(&partial, &file)
            .await
            .map_err(|e| MailError::new("publishing a mail in the outbox", e))?;
        tracing::info!(file = %file.display(), "mail written to the outbox");
        Ok(())
    }
}

/// An RFC 5322 message with UTF-8 headers (RFC 6532) and a multipart/alternative body.
fn render_eml(
    mail: &OutgoingMail,
    from: &Email,
    from_name: &str,
    id: &str,
    at: chrono::DateTime<Utc>,
) -> String {
    let boundary = format!("alt-{id}");
    let mut headers = vec![
        (
            "From".to_owned(),
            format!("\"{}\" <{from}>", from_name.replace(['"', '\\'], "")),
        ),
        ("To".to_owned(), mail.to.to_string()),
        ("Subject".to_owned(), mail.subject.clone()),
        ("Date".to_owned(), at.to_rfc2822()),
        ("Message-ID".to_owned(), format!("<{id}@outbox.local>")),
        ("MIME-Version".to_owned(), "1.0".to_owned()),
    ];
    headers.extend(mail.headers.iter().cloned());
    headers.push((
        "Content-Type".to_owned(),
        format!("multipart/alternative; boundary=\"{boundary}\""),
    ));
    let mut message: String = headers
        .iter()
        .map(|(name, value)| format!("{name}: {value}\r\n"))
        .collect();
    for (content_type, part) in [("text/plain", &mail.text), ("text/html", &mail.html)] {
        message.push_str(&format!(
            "\r\n--{boundary}\r\nContent-Type: {content_type}; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{}\r\n",
            part.replace("\r\n", "\n").replace('\n', "\r\n")
        ));
    }
    message.push_str(&format!("\r\n--{boundary}--\r\n"));
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn writes_one_complete_eml_file_per_mail() {
        let folder = std::env::temp_dir().join(format!("outbox-test-{}", uuid::Uuid::new_v4()));
        let outbox = MailFolder::new(
            &folder,
            Email::parse("shop@example.com").expect("email"),
            "Demo Shop",
        );
        let mail = OutgoingMail {
            to: Email::parse("anna@example.com").expect("email"),
            subject: "Vielen Dank – 10,00 €".into(),
            text: "Hallo\nWelt".into(),
            html: "<p>Hallo</p>".into(),
            headers: vec![("List-Unsubscribe".into(), "<https://x.example/u/1>".into())],
        };
        outbox.send(&mail).await.expect("sent");
        let files: Vec<_> = std::fs::read_dir(&folder)
            .expect("folder")
            .map(|e| e.expect("entry").path())
            .collect();
        assert_eq!(files.len(), 1);
        let eml = std::fs::read_to_string(&files[0]).expect("readable");
        assert!(eml.contains("To: anna@example.com\r\n"));
        assert!(eml.contains("Subject: Vielen Dank – 10,00 €\r\n"));
        assert!(eml.contains("List-Unsubscribe: <https://x.example/u/1>\r\n"));
        assert!(eml.contains("Content-Type: text/plain; charset=utf-8"));
        assert!(eml.contains("Hallo\r\nWelt"));
        assert!(eml.trim_end().ends_with("--"));
        std::fs::remove_dir_all(&folder).expect("cleanup");
    }
}
