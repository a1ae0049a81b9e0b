//! Time travel for the local stack: `POST /_local/clock` `{"advance_seconds": N}` moves the
//! stack's one clock N seconds further ahead, and every function it serves, its delivery task and
//! its retention sweep read that clock, so a reminder due in four days or a win-back due in
//! ninety can be tried in a minute. `GET /_local/clock` answers `{"now", "offset_seconds"}`. The
//! clock never moves back, not even when the stack restarts (the offset is kept in the data
//! folder, `clock-offset`): what the store holds stays in order. Never part of a Lambda function.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use anyhow::Context;

use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Duration, Utc};
use domain::model::rfc3339;
use domain::ports::{Clock, SystemClock};
use serde_json::{json, Value};
use web::{ApiError, JsonFields};

/// The route, beside the console's.
pub const CLOCK_PATH: &str = "/_local/clock";

/// Ten years in one step at most: further than any flow waits, and far from overflowing.
const MAX_ADVANCE_SECONDS: u64 = 10 * 366 * 24 * 3600;

/// The offset's file in the data folder.
pub const CLOCK_OFFSET_FILE: &str = "clock-offset";

/// The system clock plus an offset that only grows, kept in a file when it has one.
#[derive(Debug, Default)]
pub struct LocalClock {
    offset_seconds: AtomicI64,
    /// Where the offset is kept; writes are serialised so the file ends with the latest.
    file: Option<Mutex<PathBuf>>,
}

impl LocalClock {
    /// The clock with the offset kept in `data_dir` (none yet: the system's time).
    pub fn in_folder(data_dir: &Path) -> anyhow::Result<Self> {
        let path = data_dir.join(CLOCK_OFFSET_FILE);
        let offset = match std::fs::read_to_string(&path) {
            Ok(raw) => raw
                .trim()
                .parse::<i64>()
                .with_context(|| format!("{} holds no whole number of seconds", path.display()))?,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => 0,
            Err(error) => return Err(error).with_context(|| format!("reading {}", path.display())),
        };
        Ok(Self {
            offset_seconds: AtomicI64::new(offset),
            file: Some(Mutex::new(path)),
        })
    }

    pub fn offset_seconds(&self) -> i64 {
        self.offset_seconds.load(Ordering::SeqCst)
    }

    /// Moves the clock `seconds` further ahead and keeps the offset; returns it.
    pub fn advance(&self, seconds: i64) -> std::io::Result<i64> {
        let Some(file) = &self.file else {
            return Ok(self.offset_seconds.fetch_add(seconds, Ordering::SeqCst) + seconds);
        };
        // A poisoned lock only means another write panicked; the path is still the path.
        let path = file
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let offset = self.offset_seconds.fetch_add(seconds, Ordering::SeqCst) + seconds;
        // Written aside and renamed, so a kill mid-write leaves the old offset or the new one.
        let partial = path.with_extension("partial");
        let mut out = crate::private_files::file_options()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&partial)?;
        std::io::Write::write_all(&mut out, offset.to_string().as_bytes())?;
        out.sync_all()?;
        std::fs::rename(&partial, &*path)?;
        Ok(offset)
    }
}

impl Clock for LocalClock {
    fn now(&self) -> DateTime<Utc> {
        SystemClock.now() + Duration::seconds(self.offset_seconds())
    }
}

fn body(clock: &LocalClock) -> Json<Value> {
    Json(json!({"now": rfc3339(clock.now()), "offset_seconds": clock.offset_seconds()}))
}

pub fn routes(clock: Arc<LocalClock>) -> Router {
    Router::new()
        .route(CLOCK_PATH, get(read).post(advance))
        .with_state(clock)
}

async fn read(State(clock): State<Arc<LocalClock>>) -> Json<Value> {
    body(&clock)
}

/// Only `application/json`: a web page the developer opens cannot send that to another origin
/// without a preflight, which the stack never grants, so no page can move the clock.
async fn advance(
    State(clock): State<Arc<LocalClock>>,
    headers: HeaderMap,
    fields: JsonFields,
) -> Result<Json<Value>, ApiError> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';')
                .next()
                .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
        });
    if !json {
        return Err(ApiError::invalid_field(
            "Content-Type",
            "must be application/json",
        ));
    }
    let seconds = fields.required_count("advance_seconds")?;
    if seconds > MAX_ADVANCE_SECONDS {
        return Err(ApiError::invalid_field(
            "advance_seconds",
            format!("must be at most {MAX_ADVANCE_SECONDS} (ten years)"),
        ));
    }
    let offset = clock.advance(seconds as i64).map_err(ApiError::internal)?;
    tracing::info!(
        advanced_seconds = seconds,
        offset_seconds = offset,
        "local clock moved ahead"
    );
    Ok(body(&clock))
}
