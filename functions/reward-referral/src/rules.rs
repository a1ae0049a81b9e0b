//! The reward program's rules from the environment, with the documented defaults.

use domain::model::{Currency, RewardRules};
use web::config::ConfigError;
use web::config::{invalid, Lookup};

pub fn rules_from_env(lookup: Lookup<'_>) -> Result<RewardRules, ConfigError> {
    Ok(RewardRules {
        referrer_cents: number(lookup, "REFERRER_REWARD_CENTS", 1000)?,
        friend_cents: number(lookup, "FRIEND_REWARD_CENTS", 1000)?,
        currency: match lookup("REWARD_CURRENCY") {
            None => Currency::parse("EUR").map_err(|e| invalid("REWARD_CURRENCY", e))?,
            Some(raw) => Currency::parse(&raw).map_err(|e| invalid("REWARD_CURRENCY", e))?,
        },
        min_order_cents: number(lookup, "MIN_ORDER_CENTS", 2000)?,
        referrer_cap: number(lookup, "REFERRER_CAP", 25)?,
        hold_days: u32::try_from(number(lookup, "REWARD_HOLD_DAYS", 14)?)
            .map_err(|_| invalid("REWARD_HOLD_DAYS", "is too large"))?,
    })
}

/// ACTIVE_WINDOW_DAYS (default 365): how long an order keeps its customer active, for retention.
/// Read where orders are recorded, because that is where activity spans are written.
pub fn activity_window_from_env(lookup: Lookup<'_>) -> Result<u32, ConfigError> {
    u32::try_from(number(lookup, "ACTIVE_WINDOW_DAYS", 365)?)
        .ok()
        .filter(|days| (1..=3660).contains(days))
        .ok_or_else(|| invalid("ACTIVE_WINDOW_DAYS", "must be 1–3660 days"))
}

fn number(lookup: Lookup<'_>, name: &'static str, default: u64) -> Result<u64, ConfigError> {
    match lookup(name) {
        None => Ok(default),
        Some(raw) => raw
            .trim()
            .parse()
            .map_err(|_| invalid(name, "must be a whole number ≥ 0")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_the_documented_program() {
        let rules = rules_from_env(&|_| None).expect("defaults");
        assert_eq!(
            (
                rules.referrer_cents,
                rules.friend_cents,
                rules.min_order_cents,
                rules.referrer_cap,
                rules.hold_days
            ),
            (1000, 1000, 2000, 25, 14)
        );
        assert_eq!(rules.currency.as_ref(), "EUR");
    }

    #[test]
    fn bad_values_name_the_variable() {
        let lookup = |name: &str| (name == "REFERRER_CAP").then(|| "-1".to_owned());
        let error = rules_from_env(&lookup).expect_err("invalid");
        assert!(error.to_string().contains("REFERRER_CAP"));
    }
}
