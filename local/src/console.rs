//! The local console at `http://127.0.0.1:9000/`: the outbox's health (what the deployed stack's
//! alarms watch), the functions and their API descriptions, the keys in use, and the outbox
//! folder's mails, each readable as its headers, plain text and sandboxed HTML. Read-only; the
//! local stack only, never deployed.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use domain::ports::{Clock, MessageStatus, OutboxAdmin, OutboxStore};
use mail_parser::{Address, MessageParser};
use web::{style_source, ApiError, PathText};

use crate::mount_path;

const STYLE: &str = include_str!("../templates/console.css");

/// The newest mails listed; older ones stay in the folder, openable by name.
const MAILS_LISTED: usize = 200;

/// What the console shows, gathered once at start.
pub struct Console {
    pub address: SocketAddr,
    pub data_dir: PathBuf,
    pub outbox: PathBuf,
    /// The first key of each role, as the stack accepts it.
    pub keys: Vec<RoleKey>,
    /// `docs/openapi.json`, as the functions' annotations generate it.
    pub document: Bytes,
    /// The outbox, for its failed messages and its oldest pending one.
    pub outbox_listing: Arc<dyn OutboxAdmin>,
    pub outbox_store: Arc<dyn OutboxStore>,
    pub clock: Arc<dyn Clock>,
    /// For the offset `POST /_local/clock` has moved it by.
    pub local_clock: Arc<crate::LocalClock>,
}

/// How old the oldest pending message may be before the deployed stack's alarm
/// `OutboxOldestPending` fires (docs/runbook.md).
const OLDEST_PENDING_ALARM_SECONDS: i64 = 30 * 60;

/// The failed messages counted on the page, at most; more shows as "100 or more".
const FAILED_COUNTED: usize = 100;

/// The conditions the deployed stack alarms on, as this stack's outbox shows them.
struct OutboxHealth {
    failed: String,
    failed_alarm: bool,
    oldest_pending: String,
    oldest_alarm: bool,
    /// The operator route that lists the failed messages, on this stack.
    failed_url: String,
}

async fn outbox_health(console: &Console) -> Result<OutboxHealth, ApiError> {
    let page = console
        .outbox_listing
        .messages(MessageStatus::Failed, FAILED_COUNTED, None)
        .await
        .map_err(ApiError::internal)?;
    let now = console.clock.now();
    let pending = console
        .outbox_store
        .due(now, 0)
        .await
        .map_err(ApiError::internal)?;
    let age = pending
        .oldest_pending_since
        .map(|since| (now - since).num_seconds().max(0));
    Ok(OutboxHealth {
        failed: match (page.messages.len(), page.next) {
            (n, Some(_)) => format!("{n} or more"),
            (n, None) => n.to_string(),
        },
        failed_alarm: !page.messages.is_empty(),
        oldest_pending: age.map_or_else(|| "none pending".to_owned(), |s| format!("{s} s")),
        oldest_alarm: age.is_some_and(|s| s > OLDEST_PENDING_ALARM_SECONDS),
        failed_url: format!(
            "http://{}{}/outbox/messages?status=failed",
            console.address,
            mount_path(reward_referral::FUNCTION_NAME)
        ),
    })
}

/// `/`, `/openapi.json` and `/mails/…`, beside the functions' mount paths.
pub fn routes(console: Console) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/openapi.json", get(merged_document))
        .route("/mails/{file}", get(mail))
        .route("/mails/{file}/html", get(mail_html))
        .route("/mails/{file}/raw", get(mail_raw))
        .with_state(Arc::new(console))
}

/// A mail's file name as the outbox writes them (`<time>-<uuid>.eml`): nothing that could name a
/// file outside the folder.
struct MailFile(String);

impl MailFile {
    fn parse(raw: &str) -> Option<Self> {
        let plain = raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
        (plain && raw.len() <= 128 && raw.ends_with(".eml") && !raw.starts_with('.'))
            .then(|| Self(raw.to_owned()))
    }
}

/// One role's key, as the console shows it.
pub struct RoleKey {
    pub role: &'static str,
    pub variable: &'static str,
    pub key: String,
    pub routes: &'static str,
}

struct FunctionRow {
    name: &'static str,
    base_url: String,
    openapi_url: String,
}

struct MailRow {
    file: String,
    written: String,
    to: String,
    subject: String,
}

#[derive(Template)]
#[template(path = "console.html")]
struct ConsolePage<'a> {
    style: &'static str,
    health: OutboxHealth,
    data_dir: String,
    outbox: String,
    keys: &'a [RoleKey],
    functions: Vec<FunctionRow>,
    /// score-nps's dashboard on this stack.
    dashboard_url: String,
    mails: Vec<MailRow>,
    /// Why the outbox folder could not be listed; the rest of the page still works.
    outbox_problem: Option<String>,
    /// The stack's time, and how far `POST /_local/clock` has moved it ahead.
    clock_now: String,
    clock_offset: i64,
    clock_host: String,
}

#[derive(Template)]
#[template(path = "mail.html")]
struct MailPage {
    style: &'static str,
    file: String,
    subject: String,
    headers: Vec<(String, String)>,
    text: Option<String>,
    has_html: bool,
}

async fn home(State(console): State<Arc<Console>>) -> Result<Response, ApiError> {
    let functions = crate::openapi::function_documents()
        .into_iter()
        .map(|(name, _)| {
            let base_url = format!("http://{}{}", console.address, mount_path(name));
            FunctionRow {
                name,
                openapi_url: format!("{base_url}{}", web::openapi::DOCUMENT_PATH),
                base_url,
            }
        })
        .collect();
    let mut mails = Vec::new();
    let (files, mut outbox_problem) = match newest_mails(&console).await {
        Ok(files) => (files, None),
        Err(error) => (Vec::new(), Some(error.kind().to_string())),
    };
    for file in files {
        let bytes = match tokio::fs::read(console.outbox.join(&file.0)).await {
            Ok(bytes) => bytes,
            Err(error) => {
                outbox_problem = Some(format!("{}: {}", file.0, error.kind()));
                continue;
            }
        };
        let message = MessageParser::default().parse(&bytes);
        mails.push(MailRow {
            written: message
                .as_ref()
                .and_then(|m| m.date())
                .map_or_else(String::new, |d| d.to_rfc3339()),
            to: message
                .as_ref()
                .and_then(|m| m.to())
                .map_or_else(String::new, addresses),
            subject: message
                .as_ref()
                .and_then(|m| m.subject())
                .unwrap_or("(no subject)")
                .to_owned(),
            file: file.0,
        });
    }
    let page = ConsolePage {
        style: STYLE,
        health: outbox_health(&console).await?,
        data_dir: console.data_dir.display().to_string(),
        outbox: console.outbox.display().to_string(),
        keys: &console.keys,
        functions,
        dashboard_url: format!(
            "http://{}{}/dashboard",
            console.address,
            mount_path(score_nps::FUNCTION_NAME)
        ),
        mails,
        outbox_problem,
        clock_now: domain::model::rfc3339(console.clock.now()),
        clock_offset: console.local_clock.offset_seconds(),
        clock_host: console.address.to_string(),
    };
    let html = page.render().map_err(ApiError::internal)?;
    Ok(page_response(html, &console_policy()))
}

/// The outbox's `.eml` files, newest first (their names begin with the time they were written).
/// A folder not made yet holds no mail; one that cannot be read is the caller's to report.
async fn newest_mails(console: &Console) -> std::io::Result<Vec<MailFile>> {
    let mut entries = match tokio::fs::read_dir(&console.outbox).await {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(error),
    };
    let mut files = Vec::new();
    while let Some(entry) = entries.next_entry().await? {
        if let Some(file) = entry.file_name().to_str().and_then(MailFile::parse) {
            files.push(file);
        }
    }
    files.sort_by(|a, b| b.0.cmp(&a.0));
    files.truncate(MAILS_LISTED);
    Ok(files)
}

fn addresses(address: &Address<'_>) -> String {
    address
        .iter()
        .filter_map(|a| a.address())
        .collect::<Vec<_>>()
        .join(", ")
}

async fn read_mail(
    console: &Console,
    file: Option<String>,
) -> Result<(MailFile, Vec<u8>), ApiError> {
    let not_found = || ApiError::NotFound("no such mail in the outbox folder".into());
    let file = file
        .as_deref()
        .and_then(MailFile::parse)
        .ok_or_else(not_found)?;
    match tokio::fs::read(console.outbox.join(&file.0)).await {
        Ok(bytes) => Ok((file, bytes)),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Err(not_found()),
        Err(error) => Err(ApiError::internal(error)),
    }
}

/// `/mails/{file}`: the headers as written, the plain-text part, and the HTML part in a
/// sandboxed frame.
async fn mail(
    State(console): State<Arc<Console>>,
    PathText(file): PathText,
) -> Result<Response, ApiError> {
    let (file, bytes) = read_mail(&console, file).await?;
    let message = MessageParser::default()
        .parse(&bytes)
        .ok_or_else(|| ApiError::internal(format!("{} is not a MIME message", file.0)))?;
    let page = MailPage {
        style: STYLE,
        subject: message.subject().unwrap_or("(no subject)").to_owned(),
        headers: message
            .headers_raw()
            .map(|(name, value)| (name.to_owned(), value.trim().to_owned()))
            .collect(),
        text: message.body_text(0).map(|text| text.into_owned()),
        has_html: message.body_html(0).is_some(),
        file: file.0,
    };
    let html = page.render().map_err(ApiError::internal)?;
    Ok(page_response(html, &console_policy()))
}

/// `/mails/{file}/html`: the HTML part as the customer's mail client would get it, under a
/// `sandbox` policy: no script runs and nothing loads, even when opened outside the frame.
async fn mail_html(
    State(console): State<Arc<Console>>,
    PathText(file): PathText,
) -> Result<Response, ApiError> {
    let (file, bytes) = read_mail(&console, file).await?;
    let html = MessageParser::default()
        .parse(&bytes)
        .and_then(|message| message.body_html(0).map(|html| html.into_owned()))
        .ok_or_else(|| ApiError::NotFound(format!("{} has no HTML part", file.0)))?;
    Ok(page_response(
        html,
        "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'",
    ))
}

/// `/mails/{file}/raw`: the `.eml` file itself, as text.
async fn mail_raw(
    State(console): State<Arc<Console>>,
    PathText(file): PathText,
) -> Result<Response, ApiError> {
    let (_, bytes) = read_mail(&console, file).await?;
    Ok(with_headers(
        bytes.into_response(),
        "text/plain; charset=utf-8",
        "default-src 'none'",
    ))
}

async fn merged_document(State(console): State<Arc<Console>>) -> Response {
    with_headers(
        console.document.clone().into_response(),
        "application/json",
        "default-src 'none'",
    )
}

/// The console's own pages: its stylesheet by hash, the mail frame from this origin only.
fn console_policy() -> String {
    format!(
        "default-src 'none'; style-src {}; frame-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'",
        style_source(STYLE)
    )
}

fn page_response(html: String, policy: &str) -> Response {
    with_headers(
        (StatusCode::OK, html).into_response(),
        "text/html; charset=utf-8",
        policy,
    )
}

fn with_headers(mut response: Response, content_type: &str, policy: &str) -> Response {
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_TYPE, content_type),
        (header::CONTENT_SECURITY_POLICY, policy),
        (header::CACHE_CONTROL, "no-store"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
    ] {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(name, value);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::MailFile;

    #[test]
    fn only_outbox_file_names_are_mail_files() {
        assert!(MailFile::parse("20261130T120000.123Z-0f8e.eml").is_some());
        for bad in [
            "../store.sqlite3",
            "..%2Fstore.eml",
            "a/b.eml",
            ".eml",
            "fingerprint.key",
            "x.eml.partial",
        ] {
            assert!(MailFile::parse(bad).is_none(), "{bad}");
        }
    }
}
