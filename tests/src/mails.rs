//! The mails the local mailer wrote: `.eml` files in a folder, oldest first, read back by an
//! independent MIME parser (`mail-parser`), so tests check what a mail client would show.

use std::path::{Path, PathBuf};

use mail_parser::{Address, MessageParser};

/// Every `.eml` file in `folder`, in name order (the names start with the time of sending),
/// each as `readable`; none when the folder does not exist yet.
pub fn in_folder(folder: &Path) -> Vec<String> {
    raw_in_folder(folder)
        .iter()
        .map(|raw| readable(raw))
        .collect()
}

/// The files' bytes as written, for checks on the wire format itself.
pub fn raw_in_folder(folder: &Path) -> Vec<Vec<u8>> {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|entry| entry.expect("folder entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "eml"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|file| std::fs::read(file).expect("readable mail"))
        .collect()
}

fn addresses(address: Option<&Address<'_>>) -> String {
    address
        .map(|a| {
            a.iter()
                .filter_map(|addr| addr.address())
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

/// A mail as a client shows it, decoded: the headers tests look at (`Name: value`, addresses
/// bare, RFC 2047 words decoded), then each body part after its `Content-Type` line, CRLF line
/// ends throughout.
pub fn readable(raw: &[u8]) -> String {
    let message = MessageParser::default()
        .parse(raw)
        .expect("the mail is a MIME message");
    let mut out = String::new();
    let mut header = |name: &str, value: String| {
        if !value.is_empty() {
            out.push_str(&format!("{name}: {value}\r\n"));
        }
    };
    header("From", addresses(message.from()));
    header("To", addresses(message.to()));
    header("Reply-To", addresses(message.reply_to()));
    header("Subject", message.subject().unwrap_or_default().to_owned());
    for name in ["List-Unsubscribe", "List-Unsubscribe-Post"] {
        header(
            name,
            message
                .header_raw(name)
                .map(|v| v.trim().to_owned())
                .unwrap_or_default(),
        );
    }
    let crlf = |text: &str| text.replace("\r\n", "\n").replace('\n', "\r\n");
    if let Some(text) = message.body_text(0) {
        out.push_str(&format!(
            "\r\nContent-Type: text/plain\r\n\r\n{}\r\n",
            crlf(&text)
        ));
    }
    if let Some(html) = message.body_html(0) {
        out.push_str(&format!(
            "\r\nContent-Type: text/html\r\n\r\n{}\r\n",
            crlf(&html)
        ));
    }
    out
}

/// The survey link token in the newest mail to `to` that carries one (`…/s/<token>?score=…`):
/// `POST /surveys` answers only the public `srv_…` id, so a test answers a survey as its
/// customer does, from the mail.
pub fn survey_token(mails: &[String], to: &str) -> Option<String> {
    let recipient = format!("To: {to}\r\n");
    mails
        .iter()
        .rev()
        .filter(|mail| mail.contains(&recipient))
        .find_map(|mail| {
            let (_, rest) = mail.split_once("/s/")?;
            let token: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect();
            (!token.is_empty()).then_some(token)
        })
}
