//! The win-back flow's terms (`WINBACK_DAYS`, `WINBACK_REWARD_CENTS`, `WINBACK_VALID_DAYS`): a
//! customer whose last order is `lapse_days` old is mailed a coupon, at most once per
//! `lapse_days`.

use chrono::{DateTime, Duration, Utc};

use super::{Currency, WinbackSent};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WinbackRules {
    /// 0: the flow is off.
    pub lapse_days: u32,
    pub reward_cents: u64,
    pub currency: Currency,
    pub valid_days: u32,
}

impl WinbackRules {
    pub fn enabled(&self) -> bool {
        self.lapse_days > 0
    }

    /// When a customer whose last order is `last_order_at` is due their win-back: a lapse after
    /// that order, and never sooner than a lapse after their previous win-back mail.
    pub fn due_at(
        &self,
        last_order_at: DateTime<Utc>,
        previous: Option<&WinbackSent>,
    ) -> DateTime<Utc> {
        let lapse = Duration::days(i64::from(self.lapse_days));
        let after_order = last_order_at + lapse;
        previous.map_or(after_order, |mail| after_order.max(mail.sent_at + lapse))
    }

    /// The coupon's last moment for a mail sent at `sent_at`.
    pub fn valid_until(&self, sent_at: DateTime<Utc>) -> DateTime<Utc> {
        sent_at + Duration::days(i64::from(self.valid_days))
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, day, 12, 0, 0)
            .single()
            .expect("time")
    }

    fn rules() -> WinbackRules {
        WinbackRules {
            lapse_days: 10,
            reward_cents: 500,
            currency: Currency::parse("EUR").expect("currency"),
            valid_days: 5,
        }
    }

    #[test]
    fn due_a_lapse_after_the_last_order_and_never_within_a_lapse_of_the_last_mail() {
        assert_eq!(rules().due_at(at(1), None), at(11));
        let mailed = WinbackSent {
            sent_at: at(11),
            valid_until: at(16),
            won: false,
        };
        assert_eq!(rules().due_at(at(1), Some(&mailed)), at(21));
        assert_eq!(rules().due_at(at(15), Some(&mailed)), at(25));
    }

    #[test]
    fn the_first_order_within_the_validity_wins_the_customer_back_once() {
        let mailed = WinbackSent {
            sent_at: at(11),
            valid_until: at(16),
            won: false,
        };
        assert!(mailed.won_by(at(16), Some(at(1))));
        assert!(
            !mailed.won_by(at(17), Some(at(1))),
            "after the coupon's end"
        );
        assert!(!mailed.won_by(at(10), Some(at(1))), "before the mail");
        assert!(
            !mailed.won_by(at(13), Some(at(12))),
            "not the first order since"
        );
        let won = WinbackSent {
            won: true,
            ..mailed
        };
        assert!(!won.won_by(at(13), Some(at(1))));
    }
}
