//! Per-day counters behind score-nps: names and what each event adds. What an event adds is
//! written as its tally in the same atomic step as the event and added to the counters exactly
//! once by the aggregator (`ports::tally`), so the figures never drift from the data.

use std::borrow::Cow;

use chrono::NaiveDate;

use super::{Currency, Rejection};

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
    /// One of [`ALL`], or a name of a family ([`winback_revenue`]).
    pub name: Cow<'static, str>,
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
/// Survey reminders sent, on the reminder's day.
pub const REMINDERS_SENT: &str = "reminders_sent";
/// First answers to reminded surveys, on the reminder's day.
pub const REMINDED_ANSWERS: &str = "reminded_answers";
/// Win-back mails sent, on the mail's day.
pub const WINBACK_SENT: &str = "winback_sent";
/// Customers won back (a first order within the coupon's validity), on the mail's day.
pub const WINBACK_WON: &str = "winback_won";
/// `winback_revenue_<currency>`: the won-back orders' totals in minor units, on the mail's day.
pub const WINBACK_REVENUE_PREFIX: &str = "winback_revenue_";

pub fn winback_revenue(currency: &Currency) -> Cow<'static, str> {
    Cow::Owned(format!("{WINBACK_REVENUE_PREFIX}{currency}"))
}

/// Whether `name` is a counter's name: one of [`ALL`], or of a family.
pub fn is_known(name: &str) -> bool {
    ALL.contains(&name)
        || name
            .strip_prefix(WINBACK_REVENUE_PREFIX)
            .is_some_and(|currency| Currency::parse(currency).is_ok())
}

/// `rejected_<reason>`; the prefix marks every rejection counter.
pub const REJECTED_PREFIX: &str = "rejected_";

pub fn rejected(reason: Rejection) -> &'static str {
    match reason {
        Rejection::UnknownCode => "rejected_unknown_code",
        Rejection::SelfReferral => "rejected_self_referral",
        Rejection::DisposableEmail => "rejected_disposable_email",
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
    REMINDERS_SENT,
    REMINDED_ANSWERS,
    WINBACK_SENT,
    WINBACK_WON,
    "rejected_unknown_code",
    "rejected_self_referral",
    "rejected_disposable_email",
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
        name: Cow::Borrowed(name),
        delta,
    }
}

pub fn retention(day: NaiveDate, name: impl Into<Cow<'static, str>>, delta: i64) -> CounterDelta {
    CounterDelta {
        series: CounterSeries::Retention,
        day,
        name: name.into(),
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
