//! The outbox's pure rules: message ids derived from their cause, and the retry schedule.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Duration, Utc};

use super::fingerprint;

/// An outbox message's id: `msg_` and 32 hex digits of a hash of the message's cause, so the
/// same cause (a replayed request) always names the same message and can never add a second one.
/// It carries no personal data and is safe in URLs, logs and the `webhook-id` header.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MessageId(String);

const PREFIX: &str = "msg_";
const HEX_DIGITS: usize = 32;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a message id is `msg_` and 32 lower-case hex digits")]
pub struct MessageIdError;

impl MessageId {
    /// The id of the message caused by `cause` (e.g. `["reward-mail", order_id, "friend"]`).
    pub fn derive(cause: &[&str]) -> Self {
        let digest = fingerprint(cause);
        Self(format!("{PREFIX}{}", &digest[..HEX_DIGITS]))
    }

    pub fn parse(raw: &str) -> Result<Self, MessageIdError> {
        let digits = raw.strip_prefix(PREFIX).ok_or(MessageIdError)?;
        let valid = digits.len() == HEX_DIGITS
            && digits
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if valid {
            Ok(Self(raw.to_owned()))
        } else {
            Err(MessageIdError)
        }
    }
}

impl AsRef<str> for MessageId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for MessageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How long to wait after each failed attempt (`OUTBOX_RETRY_SECONDS`): after the n-th failure
/// the n-th delay, with equal jitter (half fixed, half random) so a burst of failures does not
/// retry in lockstep; after the last one the message is given up as `failed`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetrySchedule(Vec<u32>);

/// The default schedule: seconds to a day, eight retries over about 1.8 days.
pub const DEFAULT_RETRY_SECONDS: &str = "5,30,300,1800,7200,21600,43200,86400";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a retry schedule is 1–20 comma-separated delays in seconds, each 1–604800")]
pub struct RetryScheduleError;

impl RetrySchedule {
    /// Attempts a message gets in all: the first and one per delay.
    pub fn max_attempts(&self) -> u32 {
        self.0.len() as u32 + 1
    }

    /// When attempt `attempt + 1` may run after attempt `attempt` (1-based) failed at `now`, or
    /// `None` when that was the last attempt. `unit` in `[0, 1)` is the jitter's random draw.
    pub fn next_attempt(
        &self,
        attempt: u32,
        now: DateTime<Utc>,
        unit: f64,
    ) -> Option<DateTime<Utc>> {
        let delay = *self.0.get(attempt.checked_sub(1)? as usize)?;
        let millis = i64::from(delay) * 1000;
        let half = millis / 2;
        let jitter = (half as f64 * unit.clamp(0.0, 1.0)) as i64;
        Some(now + Duration::milliseconds(millis - half + jitter))
    }
}

impl FromStr for RetrySchedule {
    type Err = RetryScheduleError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let delays = raw
            .split(',')
            .map(|part| part.trim().parse::<u32>().map_err(|_| RetryScheduleError))
            .collect::<Result<Vec<_>, _>>()?;
        let valid =
            (1..=20).contains(&delays.len()) && delays.iter().all(|d| (1..=604_800).contains(d));
        if valid {
            Ok(Self(delays))
        } else {
            Err(RetryScheduleError)
        }
    }
}

impl Default for RetrySchedule {
    fn default() -> Self {
        DEFAULT_RETRY_SECONDS
            .parse()
            .unwrap_or_else(|_| Self(vec![5, 30, 300, 1800, 7200, 21600, 43200, 86400]))
    }
}

impl fmt::Display for RetrySchedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(u32::to_string).collect();
        f.write_str(&parts.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_per_cause_and_differ_between_causes() {
        let a = MessageId::derive(&["reward-mail", "order-1", "friend"]);
        assert_eq!(a, MessageId::derive(&["reward-mail", "order-1", "friend"]));
        assert_ne!(
            a,
            MessageId::derive(&["reward-mail", "order-1", "referrer"])
        );
        assert_eq!(MessageId::parse(a.as_ref()), Ok(a.clone()));
        assert!(a.as_ref().starts_with("msg_") && a.as_ref().len() == 36);
    }

    #[test]
    fn malformed_ids_are_refused() {
        for raw in [
            "",
            "msg_",
            "msg_XYZ",
            "msg_0123456789abcdef0123456789abcdeF",
            "id_0",
        ] {
            assert_eq!(MessageId::parse(raw), Err(MessageIdError), "{raw}");
        }
    }

    #[test]
    fn delays_follow_the_schedule_with_equal_jitter() {
        let schedule: RetrySchedule = "10,100".parse().expect("schedule");
        let now = DateTime::<Utc>::UNIX_EPOCH;
        assert_eq!(schedule.max_attempts(), 3);
        assert_eq!(
            schedule.next_attempt(1, now, 0.0),
            Some(now + Duration::seconds(5))
        );
        assert_eq!(
            schedule.next_attempt(1, now, 0.999_999),
            Some(now + Duration::milliseconds(9_999))
        );
        assert_eq!(
            schedule.next_attempt(2, now, 0.5),
            Some(now + Duration::seconds(75))
        );
        assert_eq!(schedule.next_attempt(3, now, 0.5), None);
        assert_eq!(schedule.next_attempt(0, now, 0.5), None);
    }

    #[test]
    fn schedules_parse_strictly() {
        assert_eq!(RetrySchedule::default().to_string(), DEFAULT_RETRY_SECONDS);
        for bad in ["", "0", "5,,30", "-5", "5;30", "604801"] {
            assert!(bad.parse::<RetrySchedule>().is_err(), "{bad}");
        }
    }
}
