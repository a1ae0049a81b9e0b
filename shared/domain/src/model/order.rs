use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use super::customer_id::check_id;
use super::{
    CustomerId, CustomerName, Email, IdError, Locale, MinorUnits, MoneyError, ReferralCode,
};

/// A storefront's order id: same rule as customer ids.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OrderId(String);

impl OrderId {
    pub fn parse(raw: &str) -> Result<Self, IdError> {
        check_id(raw)?;
        Ok(Self(raw.to_owned()))
    }
}

impl AsRef<str> for OrderId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OrderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A platform's id for one refund of an order (same rule as order ids): a refund reported twice
/// counts once.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RefundId(String);

impl RefundId {
    pub fn parse(raw: &str) -> Result<Self, IdError> {
        check_id(raw)?;
        Ok(Self(raw.to_owned()))
    }
}

impl AsRef<str> for RefundId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// An ISO 4217 alphabetic currency code, upper case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be a three-letter ISO 4217 code such as \"EUR\"")]
pub struct CurrencyError;

impl Currency {
    pub fn parse(raw: &str) -> Result<Self, CurrencyError> {
        let trimmed = raw.trim();
        if trimmed.len() == 3 && trimmed.bytes().all(|b| b.is_ascii_alphabetic()) {
            Ok(Self(trimmed.to_ascii_uppercase()))
        } else {
            Err(CurrencyError)
        }
    }
}

impl AsRef<str> for Currency {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The referral code an order carries. A malformed one is kept (as given) so the order is still
/// recorded and answered with `unknown_code` instead of being refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CarriedCode {
    Wellformed(ReferralCode),
    Malformed(String),
}

impl CarriedCode {
    /// Longer input is refused outright: nobody types a 64-character referral code.
    pub const MAX_LEN: usize = 64;

    /// A code as a shop passed it through from a link or a form: blank means none; garbage is
    /// kept so the order is still recorded and answered `unknown_code`; only overlong input is
    /// refused.
    pub fn from_raw(raw: &str) -> Result<Option<Self>, String> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Ok(None);
        }
        if trimmed.chars().count() > Self::MAX_LEN {
            return Err(format!("must be at most {} characters", Self::MAX_LEN));
        }
        Ok(Some(match ReferralCode::parse(trimmed) {
            Ok(code) => Self::Wellformed(code),
            Err(_) => Self::Malformed(trimmed.to_owned()),
        }))
    }

    pub fn as_str(&self) -> &str {
        match self {
            Self::Wellformed(code) => code.as_ref(),
            Self::Malformed(raw) => raw,
        }
    }
}

/// An order as the storefront reports it, parsed.
#[derive(Debug, Clone)]
pub struct Order {
    pub order_id: OrderId,
    pub customer_id: CustomerId,
    pub email: Email,
    pub name: Option<CustomerName>,
    pub locale: Option<Locale>,
    pub total_cents: MinorUnits,
    pub currency: Currency,
    pub referral_code: Option<CarriedCode>,
    pub placed_at: DateTime<Utc>,
    /// Whether `placed_at` came from the request (and so belongs to its identity) or was defaulted.
    pub placed_at_given: bool,
    /// Who placed it, for the review rules; not part of the order's identity, so an order
    /// recorded before they were read is the same order when a platform sends it again.
    pub signals: super::OrderSignals,
}

impl Order {
    /// A fingerprint of what the storefront sent, for telling a replay from a different order
    /// under the same id. A defaulted `placed_at` is left out so retries of the same body match.
    pub fn request_hash(&self) -> String {
        let placed_at = self.placed_at_given.then(|| super::rfc3339(self.placed_at));
        let fields = [
            self.order_id.as_ref(),
            self.customer_id.as_ref(),
            self.email.as_ref(),
            self.name.as_ref().map_or("", AsRef::as_ref),
            self.locale.map_or("", Locale::as_str),
            &self.total_cents.get().to_string(),
            self.currency.as_ref(),
            self.referral_code.as_ref().map_or("", CarriedCode::as_str),
            placed_at.as_deref().unwrap_or(""),
        ];
        fingerprint(&fields)
    }
}

/// SHA-256 over length-prefixed fields, hex: tells a replay from a different request under the
/// same id. Length prefixes keep ("ab", "c") and ("a", "bc") apart.
pub fn fingerprint(fields: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for field in fields {
        hasher.update((field.len() as u64).to_be_bytes());
        hasher.update(field.as_bytes());
    }
    hex(&hasher.finalize())
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What we know about a customer's ordering, kept up to date with every recorded order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderHistory {
    pub order_count: u64,
    pub first_order_at: Option<DateTime<Utc>>,
    pub last_order_at: Option<DateTime<Utc>>,
    /// Sum of order totals per currency, in minor units.
    pub totals: BTreeMap<String, u64>,
    /// The distinct UTC days with an order, ascending: the customer's activity for retention.
    pub order_days: Vec<chrono::NaiveDate>,
}

impl OrderHistory {
    /// The history after one more order; orders may arrive out of time order. A sum that would
    /// leave `u64` is refused rather than wrapped around.
    pub fn with(&self, order: &Order) -> Result<Self, MoneyError> {
        let mut totals = self.totals.clone();
        let total = totals.entry(order.currency.to_string()).or_default();
        *total = total
            .checked_add(order.total_cents.get())
            .ok_or(MoneyError::TooLarge)?;
        let mut order_days = self.order_days.clone();
        let day = order.placed_at.date_naive();
        if let Err(position) = order_days.binary_search(&day) {
            order_days.insert(position, day);
        }
        Ok(Self {
            order_count: self.order_count + 1,
            first_order_at: Some(
                self.first_order_at
                    .map_or(order.placed_at, |t| t.min(order.placed_at)),
            ),
            last_order_at: Some(
                self.last_order_at
                    .map_or(order.placed_at, |t| t.max(order.placed_at)),
            ),
            totals,
            order_days,
        })
    }
}

/// What recording one more order changes in its customer's history, with the facts read before
/// that the change (and the counters derived from it) relies on. Everything else is applied
/// relative to what the store holds when the change lands (one more order, the amount added to
/// its currency's total), so two orders of one customer recorded at once do not make each other
/// decide again unless both bring the customer something new: its first order, a new day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryChange {
    /// A reward relies on this being the friend's first order: the count must still be this.
    pub expected_count: Option<u64>,
    /// `Some(days)` when the order's day is new to the customer: the days with it, written whole,
    /// and only while the customer still has `days.len() - 1` of them, since the retention
    /// counters written with the order were derived from them. Days are never removed, so a day
    /// already recorded (`None`) stays recorded and needs no condition.
    pub new_days: Option<Vec<chrono::NaiveDate>>,
    /// The customer had no total in any currency: the totals are written whole, and only while
    /// there still are none.
    pub first_total: bool,
    /// Earlier than every order read: its time becomes the first order's.
    pub earliest: bool,
    /// Later than every order read: its time becomes the last order's.
    pub latest: bool,
}

impl HistoryChange {
    /// The change `order` makes to `before`, which the decision read; `rewarded` when the
    /// decision relied on it being the customer's first order.
    pub fn between(before: &OrderHistory, order: &Order, rewarded: bool) -> Self {
        let day = order.placed_at.date_naive();
        let new_days = match before.order_days.binary_search(&day) {
            Ok(_) => None,
            Err(position) => {
                let mut days = before.order_days.clone();
                days.insert(position, day);
                Some(days)
            }
        };
        Self {
            expected_count: rewarded.then_some(before.order_count),
            new_days,
            first_total: before.totals.is_empty(),
            earliest: before
                .first_order_at
                .is_none_or(|first| order.placed_at < first),
            latest: before
                .last_order_at
                .is_none_or(|last| order.placed_at > last),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn order(total: u64, at_hour: u32) -> Order {
        let total = MinorUnits::new(total).expect("bounded");
        Order {
            order_id: OrderId::parse("o-1").expect("id"),
            customer_id: CustomerId::parse("c-1").expect("id"),
            email: Email::parse("a@example.com").expect("email"),
            name: None,
            locale: None,
            total_cents: total,
            currency: Currency::parse("eur").expect("currency"),
            referral_code: None,
            placed_at: Utc
                .with_ymd_and_hms(2026, 1, 1, at_hour, 0, 0)
                .single()
                .expect("time"),
            placed_at_given: true,
            signals: Default::default(),
        }
    }

    #[test]
    fn currency_is_three_letters_upper_cased() {
        assert_eq!(Currency::parse("eur").expect("valid").as_ref(), "EUR");
        assert!(Currency::parse("EURO").is_err());
        assert!(Currency::parse("E1R").is_err());
    }

    #[test]
    fn request_hash_changes_with_any_field_but_not_a_defaulted_time() {
        let base = order(5000, 10);
        assert_eq!(base.request_hash(), order(5000, 10).request_hash());
        assert_ne!(base.request_hash(), order(5001, 10).request_hash());
        assert_ne!(base.request_hash(), order(5000, 11).request_hash());
        let mut defaulted = order(5000, 10);
        defaulted.placed_at_given = false;
        let mut later = defaulted.clone();
        later.placed_at += chrono::Duration::seconds(3);
        assert_eq!(defaulted.request_hash(), later.request_hash());
    }

    #[test]
    fn history_keeps_earliest_first_latest_last_and_totals_per_currency() {
        let history = OrderHistory::default()
            .with(&order(1000, 12))
            .and_then(|h| h.with(&order(500, 8)))
            .expect("no overflow");
        assert_eq!(history.order_count, 2);
        assert_eq!(history.first_order_at, Some(order(0, 8).placed_at));
        assert_eq!(history.last_order_at, Some(order(0, 12).placed_at));
        assert_eq!(history.totals.get("EUR"), Some(&1500));
    }

    #[test]
    fn a_sum_that_would_wrap_around_is_refused() {
        let mut near_full = OrderHistory::default();
        near_full.totals.insert("EUR".into(), u64::MAX - 10);
        assert_eq!(
            near_full.with(&order(MinorUnits::MAX, 9)),
            Err(MoneyError::TooLarge)
        );
    }

    #[test]
    fn a_day_already_recorded_needs_no_condition_and_only_a_reward_fixes_the_count() {
        let before = OrderHistory::default()
            .with(&order(1000, 12))
            .expect("no overflow");
        let same_day = HistoryChange::between(&before, &order(500, 15), false);
        assert_eq!(
            same_day,
            HistoryChange {
                expected_count: None,
                new_days: None,
                first_total: false,
                earliest: false,
                latest: true,
            }
        );
        let first = HistoryChange::between(&OrderHistory::default(), &order(500, 9), true);
        assert_eq!(first.expected_count, Some(0));
        assert_eq!(
            first.new_days,
            Some(vec![order(0, 9).placed_at.date_naive()])
        );
        assert!(first.first_total && first.earliest && first.latest);
    }
}
