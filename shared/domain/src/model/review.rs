//! Rewards held for a person to look at: the rules that hold one, what they count, and the
//! queue's states. A held reward's coupons are `review` until someone (or `REVIEW_AUTO` after
//! `REVIEW_DAYS`) approves or rejects it.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};

/// How far back the rules look: a week, counted in whole days (today and the six before).
pub const REVIEW_WINDOW_DAYS: i64 = 7;

/// REVIEW_MAX_ORDERS_PER_IP's default: the fourth referred order from one address in a week is
/// held (ReferralCandy's threshold).
pub const DEFAULT_MAX_ORDERS_PER_IP: u32 = 3;
/// REVIEW_MAX_REWARDS_PER_WEEK's default: a referrer's eleventh reward in a week is held.
pub const DEFAULT_MAX_REWARDS_PER_WEEK: u32 = 10;
/// REVIEW_DAYS' default: a held reward nobody decided is decided by `REVIEW_AUTO` after a week.
pub const DEFAULT_REVIEW_DAYS: u32 = 7;

/// Why a reward is held; answers, events, the queue and the dashboard use exactly these names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ReviewRule {
    /// More than `REVIEW_MAX_ORDERS_PER_IP` referred orders from one IP within a week.
    OrdersPerIp,
    /// More than `REVIEW_MAX_REWARDS_PER_WEEK` rewarded referrals of one referrer within a week.
    RewardsPerWeek,
    /// The friend ships to an address one of the referrer's orders shipped to.
    ShippingAddress,
    /// The friend's and the referrer's names are the same.
    SameName,
}

impl ReviewRule {
    pub const ALL: [Self; 4] = [
        Self::OrdersPerIp,
        Self::RewardsPerWeek,
        Self::ShippingAddress,
        Self::SameName,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::OrdersPerIp => "orders_per_ip",
            Self::RewardsPerWeek => "rewards_per_week",
            Self::ShippingAddress => "shipping_address",
            Self::SameName => "same_name",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|rule| rule.as_str() == raw)
    }
}

/// Which rules hold rewards: the counting ones with their limit (`0` turns one off), the
/// matching ones on or off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReviewLimits {
    pub max_orders_per_ip: u32,
    pub max_rewards_per_week: u32,
    pub shipping_address: bool,
    pub same_name: bool,
}

impl Default for ReviewLimits {
    fn default() -> Self {
        Self {
            max_orders_per_ip: DEFAULT_MAX_ORDERS_PER_IP,
            max_rewards_per_week: DEFAULT_MAX_REWARDS_PER_WEEK,
            shipping_address: true,
            same_name: true,
        }
    }
}

impl ReviewLimits {
    /// Every rule off: nothing is ever held.
    pub fn off() -> Self {
        Self {
            max_orders_per_ip: 0,
            max_rewards_per_week: 0,
            shipping_address: false,
            same_name: false,
        }
    }
}

/// Counts per day, as a store keeps them (one counter per day, added to without reading, so
/// two requests never conflict over it): what a week-long rule reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DayCounts(BTreeMap<NaiveDate, u64>);

impl DayCounts {
    pub fn new(days: impl IntoIterator<Item = (NaiveDate, u64)>) -> Self {
        Self(days.into_iter().collect())
    }

    /// The count of `today` and the six days before it.
    pub fn in_week(&self, today: NaiveDate) -> u64 {
        let first = week_start(today);
        self.0.range(first..=today).map(|(_, n)| n).sum()
    }

    /// Days before the week of `today`: no rule reads them again, so a write may drop them.
    pub fn stale(&self, today: NaiveDate) -> Vec<NaiveDate> {
        let first = week_start(today);
        self.0.range(..first).map(|(day, _)| *day).collect()
    }
}

fn week_start(today: NaiveDate) -> NaiveDate {
    today - Duration::days(REVIEW_WINDOW_DAYS - 1)
}

/// What the rules need to know beyond the order and its referrer, read with them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleFacts {
    /// The referrer's rewarded referrals per day (held ones too).
    pub referrer_rewards: DayCounts,
    /// Referred, rewarded orders per day from the order's IP; `None` when it has no IP.
    pub orders_from_ip: Option<DayCounts>,
    /// One of the referrer's orders shipped to the address this order ships to.
    pub ships_to_referrer: bool,
    /// The friend's full name is the referrer's.
    pub same_name: bool,
}

/// The rules an order about to be rewarded breaks, in their fixed order; none: rewarded at once.
pub fn held_by(facts: &RuleFacts, limits: &ReviewLimits, today: NaiveDate) -> Vec<ReviewRule> {
    let over =
        |counts: &DayCounts, limit: u32| limit > 0 && counts.in_week(today) >= u64::from(limit);
    let mut rules = Vec::new();
    if facts
        .orders_from_ip
        .as_ref()
        .is_some_and(|counts| over(counts, limits.max_orders_per_ip))
    {
        rules.push(ReviewRule::OrdersPerIp);
    }
    if over(&facts.referrer_rewards, limits.max_rewards_per_week) {
        rules.push(ReviewRule::RewardsPerWeek);
    }
    if limits.shipping_address && facts.ships_to_referrer {
        rules.push(ReviewRule::ShippingAddress);
    }
    if limits.same_name && facts.same_name {
        rules.push(ReviewRule::SameName);
    }
    rules
}

/// Text folded for comparing what people type: lower case, the accents of Latin letters
/// spelled out (`ü` is `ue`, `é` is `e`), anything not a letter or digit a space.
pub(super) fn fold(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        match c {
            'ä' | 'æ' => folded.push_str("ae"),
            'ö' | 'ø' | 'œ' => folded.push_str("oe"),
            'ü' => folded.push_str("ue"),
            'ß' => folded.push_str("ss"),
            'à' | 'á' | 'â' | 'ã' | 'å' => folded.push('a'),
            'ç' | 'č' | 'ć' => folded.push('c'),
            'è' | 'é' | 'ê' | 'ë' | 'ě' => folded.push('e'),
            'ì' | 'í' | 'î' | 'ï' => folded.push('i'),
            'ñ' | 'ń' | 'ň' => folded.push('n'),
            'ò' | 'ó' | 'ô' | 'õ' => folded.push('o'),
            'ù' | 'ú' | 'û' | 'ů' => folded.push('u'),
            'ý' | 'ÿ' => folded.push('y'),
            'š' | 'ś' => folded.push('s'),
            'ž' | 'ź' | 'ż' => folded.push('z'),
            'ł' => folded.push('l'),
            'ř' => folded.push('r'),
            c if c.is_alphanumeric() => folded.push(c),
            _ => folded.push(' '),
        }
    }
    folded
}

/// A name's parts, folded and sorted: `Müller, Anna` and `anna mueller` have the same.
pub(super) fn name_parts(name: &str) -> Vec<String> {
    let mut parts: Vec<String> = fold(name).split_whitespace().map(str::to_owned).collect();
    parts.sort_unstable();
    parts
}

/// Where a held reward stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReviewStatus {
    Open,
    Approved,
    Rejected,
}

impl ReviewStatus {
    pub const ALL: [Self; 3] = [Self::Open, Self::Approved, Self::Rejected];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == raw)
    }
}

/// What a reviewer (or `REVIEW_AUTO`) decides: approve issues the coupons, reject revokes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReviewDecision {
    Approve,
    Reject,
}

impl ReviewDecision {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approve => "approve",
            Self::Reject => "reject",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Approve, Self::Reject]
            .into_iter()
            .find(|decision| decision.as_str() == raw)
    }

    /// The review's status after this decision.
    pub fn status(self) -> ReviewStatus {
        match self {
            Self::Approve => ReviewStatus::Approved,
            Self::Reject => ReviewStatus::Rejected,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).expect("day")
    }

    #[test]
    fn a_week_is_today_and_the_six_days_before() {
        let counts = DayCounts::new([(day(1), 5), (day(2), 1), (day(8), 2), (day(9), 1)]);
        assert_eq!(counts.in_week(day(8)), 1 + 2);
        assert_eq!(counts.in_week(day(7)), 5 + 1);
        assert_eq!(counts.in_week(day(14)), 2 + 1);
        assert_eq!(counts.in_week(day(15)), 1);
        assert_eq!(counts.stale(day(8)), vec![day(1)]);
        assert_eq!(counts.stale(day(16)), vec![day(1), day(2), day(8), day(9)]);
    }

    #[test]
    fn names_are_one_whatever_their_case_accents_punctuation_and_order() {
        let same = |one: &str, other: &str| name_parts(one) == name_parts(other);
        assert!(same("Anna Müller", "anna mueller"));
        assert!(same("Müller, Anna", "ANNA  MUELLER"));
        assert!(same("José García", "Jose Garcia"));
        assert!(same("Jean-Luc Picard", "Picard Jean Luc"));
        assert!(!same("Anna Müller", "Anna Meyer"));
        assert!(!same("Anna Maria Müller", "Anna Müller"));
    }

    #[test]
    fn each_rule_holds_at_its_limit_and_not_before() {
        let today = day(10);
        let counts = |n| DayCounts::new([(day(9), n)]);
        let facts = |ip: u64, rewards: u64| RuleFacts {
            referrer_rewards: counts(rewards),
            orders_from_ip: Some(counts(ip)),
            ..RuleFacts::default()
        };
        let limits = ReviewLimits::default();
        assert_eq!(held_by(&facts(2, 9), &limits, today), vec![]);
        assert_eq!(
            held_by(&facts(3, 9), &limits, today),
            vec![ReviewRule::OrdersPerIp],
            "a fourth order from the address"
        );
        assert_eq!(
            held_by(&facts(2, 10), &limits, today),
            vec![ReviewRule::RewardsPerWeek],
            "an eleventh reward in the week"
        );
        let matching = RuleFacts {
            ships_to_referrer: true,
            same_name: true,
            ..facts(3, 10)
        };
        assert_eq!(held_by(&matching, &limits, today), ReviewRule::ALL.to_vec());
        assert_eq!(held_by(&matching, &ReviewLimits::off(), today), vec![]);
        let no_ip = RuleFacts {
            orders_from_ip: None,
            ..facts(0, 0)
        };
        assert_eq!(held_by(&no_ip, &limits, today), vec![]);
    }

    #[test]
    fn names_round_trip() {
        for rule in ReviewRule::ALL {
            assert_eq!(ReviewRule::parse(rule.as_str()), Some(rule));
        }
        for status in ReviewStatus::ALL {
            assert_eq!(ReviewStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(
            ReviewDecision::parse("approve"),
            Some(ReviewDecision::Approve)
        );
        assert_eq!(ReviewDecision::parse("Approve"), None);
    }
}
