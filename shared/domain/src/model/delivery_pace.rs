//! How fast one deliverer sends: messages in flight at once (`OUTBOX_CONCURRENCY`) and mails per
//! second (`SES_MAX_SEND_RATE`).

use std::fmt;
use std::str::FromStr;

/// Messages one deliverer sends at once: 1–64. A send waits on the network (SES, a webhook, a
/// platform's API), so several at once multiply a deliverer's throughput.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Concurrency(usize);

pub const DEFAULT_OUTBOX_CONCURRENCY: &str = "8";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a number of messages at once, 1–64")]
pub struct ConcurrencyError;

impl Concurrency {
    pub fn get(self) -> usize {
        self.0
    }
}

impl Default for Concurrency {
    fn default() -> Self {
        Self(8)
    }
}

impl FromStr for Concurrency {
    type Err = ConcurrencyError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        match raw.trim().parse::<usize>() {
            Ok(n) if (1..=64).contains(&n) => Ok(Self(n)),
            _ => Err(ConcurrencyError),
        }
    }
}

impl fmt::Display for Concurrency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Mails per second one deliverer sends at most: more than 0, at most 10 000. SES refuses sends
/// above the account's maximum send rate (14 per second when production access is granted).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SendRate(f64);

pub const DEFAULT_SES_MAX_SEND_RATE: &str = "14";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("mails per second, more than 0 and at most 10000")]
pub struct SendRateError;

impl SendRate {
    /// The time one send takes up of a second.
    pub fn interval(self) -> std::time::Duration {
        std::time::Duration::from_secs_f64(1.0 / self.0)
    }
}

impl FromStr for SendRate {
    type Err = SendRateError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        match raw.trim().parse::<f64>() {
            Ok(rate) if rate.is_finite() && rate > 0.0 && rate <= 10_000.0 => Ok(Self(rate)),
            _ => Err(SendRateError),
        }
    }
}

impl fmt::Display for SendRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paces_parse_within_their_bounds_only() {
        assert_eq!("8".parse::<Concurrency>().map(Concurrency::get), Ok(8));
        for bad in ["0", "65", "-1", "eight", ""] {
            assert!(bad.parse::<Concurrency>().is_err(), "{bad}");
        }
        assert_eq!(
            "14".parse::<SendRate>().map(SendRate::interval),
            Ok(std::time::Duration::from_secs_f64(1.0 / 14.0))
        );
        assert!(
            "0.5".parse::<SendRate>().is_ok(),
            "a sandbox's 1 mail in 2 s"
        );
        for bad in ["0", "-3", "NaN", "inf", "10001", "fast"] {
            assert!(bad.parse::<SendRate>().is_err(), "{bad}");
        }
    }
}
