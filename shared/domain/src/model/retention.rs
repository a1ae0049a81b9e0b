//! How long personal details are kept (`RETENTION_DAYS`): survey answers with their comments,
//! order records and outbox messages older than this are deleted; counters, guards, opt-outs,
//! coupons and profiles stay (docs/personal-data.md).

use chrono::{DateTime, Duration, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    days: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be a number of days from {MIN_RETENTION_DAYS} to {MAX_RETENTION_DAYS}")]
pub struct RetentionError;

/// A month at least, so the last weeks' refunds and follow-ups stay workable. A survey link
/// that outlives the period (`SURVEY_TTL_DAYS` may be longer) finds no survey and answers 404.
pub const MIN_RETENTION_DAYS: u32 = 30;
/// Ten years: longer than any bookkeeping duty the data could serve.
pub const MAX_RETENTION_DAYS: u32 = 3650;
pub const DEFAULT_RETENTION_DAYS: u32 = 730;

impl Retention {
    pub fn days(days: u32) -> Result<Self, RetentionError> {
        if (MIN_RETENTION_DAYS..=MAX_RETENTION_DAYS).contains(&days) {
            Ok(Self { days })
        } else {
            Err(RetentionError)
        }
    }

    pub fn day_count(self) -> u32 {
        self.days
    }

    /// When a record made at `made` is due for deletion.
    pub fn expires_at(self, made: DateTime<Utc>) -> DateTime<Utc> {
        made + Duration::days(i64::from(self.days))
    }

    /// Records made before this are due at `now`.
    pub fn cutoff(self, now: DateTime<Utc>) -> DateTime<Utc> {
        now - Duration::days(i64::from(self.days))
    }
}

impl Default for Retention {
    fn default() -> Self {
        Self {
            days: DEFAULT_RETENTION_DAYS,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn bounded_and_symmetric() {
        assert_eq!(Retention::days(29), Err(RetentionError));
        assert_eq!(Retention::days(3651), Err(RetentionError));
        let retention = Retention::days(730).expect("valid");
        let made = Utc
            .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
            .single()
            .expect("time");
        let due = retention.expires_at(made);
        assert_eq!(due.to_rfc3339(), "2028-01-01T00:00:00+00:00");
        assert_eq!(retention.cutoff(due), made);
    }
}
