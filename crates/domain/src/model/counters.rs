//! Per-day counters behind score-nps: names and what each event adds. What an event adds is
//! written as its tally in the same atomic step as the event and added to the counters exactly
//! once by the aggregator (`ports::tally`), so the figures never drift from the data.

use chrono::NaiveDate;

use super::Rejection;

/// Which series a counter belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CounterSeries {
    /// Referral funnel: codes created, clicks, outcomes, cents issued and revoked.
    Funnel,
    /// Retention: `active_delta` (prefix sums give active customers) and `new_customers`.
    Retention,
}

impl CounterSeries {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Funnel => "FUNNEL",
            Self::Retention => "RETENTION",
        }
    }
}

/// One change to one day's counter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CounterDelta {
    pub series: CounterSeries,
    pub day: NaiveDate,
    pub name: &'static str,
    pub delta: i64,
}

pub const CODES_CREATED: &str = "codes_created";
pub const CLICKS: &str = "clicks";
/// Claims of the friend's first-order offer.
pub const CLAIMS: &str = "claims";
pub const REWARDED: &str = "rewarded";
pub const ISSUED_CENTS: &str = "issued_cents";
pub const REVOKED_CENTS: &str = "revoked_cents";
pub const ACTIVE_DELTA: &str = "active_delta";
pub const NEW_CUSTOMERS: &str = "new_customers";

/// `rejected_<reason>`; the prefix marks every rejection counter.
pub const REJECTED_PREFIX: &str = "rejected_";

pub fn rejected(reason: Rejection) -> &'static str {
    match reason {
        Rejection::UnknownCode => "rejected_unknown_code",
        Rejection::SelfReferral => "rejected_self_referral",
        Rejection::AlreadyReferred => "rejected_already_referred",
        Rejection::NotFirstOrder => "rejected_not_first_order",
        Rejection::BelowMinimum => "rejected_below_minimum",
        Rejection::CurrencyMismatch => "rejected_currency_mismatch",
        Rejection::ReferrerCapReached => "rejected_referrer_cap_reached",
    }
}

/// Every counter name, for adapters that must list attributes.
pub const ALL: &[&str] = &[
    CODES_CREATED,
    CLICKS,
    CLAIMS,
    REWARDED,
    ISSUED_CENTS,
    REVOKED_CENTS,
    ACTIVE_DELTA,
    NEW_CUSTOMERS,
    "rejected_unknown_code",
    "rejected_self_referral",
    "rejected_already_referred",
    "rejected_not_first_order",
    "rejected_below_minimum",
    "rejected_currency_mismatch",
    "rejected_referrer_cap_reached",
];

pub fn funnel(day: NaiveDate, name: &'static str, delta: i64) -> CounterDelta {
    CounterDelta {
        series: CounterSeries::Funnel,
        day,
        name,
        delta,
    }
}

pub fn retention(day: NaiveDate, name: &'static str, delta: i64) -> CounterDelta {
    CounterDelta {
        series: CounterSeries::Retention,
        day,
        name,
        delta,
    }
}

/// Adds up deltas per (series, day, name) and drops zeros: a transaction may touch each
/// counter item only once.
pub fn merge(deltas: Vec<CounterDelta>) -> Vec<CounterDelta> {
    let mut merged: Vec<CounterDelta> = Vec::new();
    for delta in deltas {
        match merged
            .iter_mut()
            .find(|m| m.series == delta.series && m.day == delta.day && m.name == delta.name)
        {
            Some(existing) => existing.delta += delta.delta,
            None => merged.push(delta),
        }
    }
    merged.retain(|m| m.delta != 0);
    merged
}
