//! The one timestamp format of answers and records.

use chrono::{DateTime, SecondsFormat, Utc};

/// Millisecond RFC 3339 in UTC (`2026-11-22T21:44:04.488Z`): sorts as text and round-trips
/// exactly, since the clock keeps milliseconds.
pub fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}
