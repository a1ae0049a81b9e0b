//! Who gets rewarded for an order, and why not: the eligibility rules, in one place.

use chrono::{DateTime, Duration, Utc};

use super::{
    CarriedCode, CouponCode, Currency, CustomerId, CustomerName, Email, FriendReward, Locale,
    Order, OrderHistory, PersonFingerprint, ReferralCode,
};

/// The program's configuration (REFERRER_REWARD_CENTS, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RewardRules {
    pub referrer_cents: u64,
    pub friend_cents: u64,
    pub currency: Currency,
    pub min_order_cents: u64,
    pub referrer_cap: u64,
    pub hold_days: u32,
    /// COUPON_VALID_DAYS: how long a coupon can be used, counted from when it becomes usable.
    pub valid_days: u32,
    /// FRIEND_REWARD: whether a rewarded order gives the friend a coupon for a later order.
    pub friend_reward: FriendReward,
}

/// COUPON_VALID_DAYS' default: a year from the end of the hold.
pub const DEFAULT_COUPON_VALID_DAYS: u32 = 365;

/// Why an order carrying a code earns nothing; answers and counters use exactly these names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rejection {
    UnknownCode,
    SelfReferral,
    /// The friend's address is a throwaway one (`model::is_disposable`).
    DisposableEmail,
    AlreadyReferred,
    NotFirstOrder,
    BelowMinimum,
    CurrencyMismatch,
    ReferrerCapReached,
}

impl Rejection {
    pub const ALL: [Self; 8] = [
        Self::UnknownCode,
        Self::SelfReferral,
        Self::DisposableEmail,
        Self::AlreadyReferred,
        Self::NotFirstOrder,
        Self::BelowMinimum,
        Self::CurrencyMismatch,
        Self::ReferrerCapReached,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::UnknownCode => "unknown_code",
            Self::SelfReferral => "self_referral",
            Self::DisposableEmail => "disposable_email",
            Self::AlreadyReferred => "already_referred",
            Self::NotFirstOrder => "not_first_order",
            Self::BelowMinimum => "below_minimum",
            Self::CurrencyMismatch => "currency_mismatch",
            Self::ReferrerCapReached => "referrer_cap_reached",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|reason| reason.as_str() == raw)
    }
}

/// The owner of the code an order carries, as the store knows them.
#[derive(Debug, Clone)]
pub struct Referrer {
    pub customer_id: CustomerId,
    pub code: ReferralCode,
    /// The keyed fingerprint of the owner's canonical address: a friend using an alias of the
    /// referrer's address is the referrer.
    pub person: PersonFingerprint,
    pub email: Email,
    pub name: Option<CustomerName>,
    pub locale: Option<Locale>,
    pub conversions: u64,
}

/// What the store knows about the ordering customer before this order.
#[derive(Debug, Clone, Default)]
pub struct Friend {
    pub history: OrderHistory,
    /// A referral was already rewarded for this customer id or canonical email.
    pub referred_before: bool,
    /// The customer's latest win-back mail, if they were sent one.
    pub winback: Option<WinbackSent>,
}

/// A win-back mail as the customer's profile records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WinbackSent {
    pub sent_at: chrono::DateTime<chrono::Utc>,
    /// The coupon's last moment: an order up to then wins the customer back.
    pub valid_until: chrono::DateTime<chrono::Utc>,
    /// An order already counted as winning the customer back after this mail.
    pub won: bool,
}

impl WinbackSent {
    /// Whether an order at `at`, after the customer's last order `last_order_at`, is the first
    /// order since the mail and within the coupon's validity: it wins the customer back.
    pub fn won_by(
        &self,
        at: chrono::DateTime<chrono::Utc>,
        last_order_at: Option<chrono::DateTime<chrono::Utc>>,
    ) -> bool {
        !self.won
            && at >= self.sent_at
            && at <= self.valid_until
            && last_order_at.is_none_or(|last| last < self.sent_at)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    NoCode,
    Rejected(Rejection),
    Rewarded,
}

/// Decides once, from facts read together; the store then writes the decision only if those
/// facts still hold.
pub fn decide(
    order: &Order,
    orderer: &PersonFingerprint,
    referrer: Option<&Referrer>,
    friend: &Friend,
    rules: &RewardRules,
) -> Decision {
    let Some(carried) = &order.referral_code else {
        return Decision::NoCode;
    };
    let reject = Decision::Rejected;
    let Some(referrer) = referrer.filter(|_| matches!(carried, CarriedCode::Wellformed(_))) else {
        return reject(Rejection::UnknownCode);
    };
    if referrer.customer_id == order.customer_id || &referrer.person == orderer {
        return reject(Rejection::SelfReferral);
    }
    if super::is_disposable(&order.email) {
        return reject(Rejection::DisposableEmail);
    }
    if friend.referred_before {
        return reject(Rejection::AlreadyReferred);
    }
    if friend.history.order_count > 0 {
        return reject(Rejection::NotFirstOrder);
    }
    if order.currency != rules.currency {
        return reject(Rejection::CurrencyMismatch);
    }
    if order.total_cents.get() < rules.min_order_cents {
        return reject(Rejection::BelowMinimum);
    }
    if referrer.conversions >= rules.referrer_cap {
        return reject(Rejection::ReferrerCapReached);
    }
    Decision::Rewarded
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Beneficiary {
    Referrer,
    Friend,
    /// A lapsed customer, asked back by the win-back mail.
    Winback,
}

impl Beneficiary {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Referrer => "referrer",
            Self::Friend => "friend",
            Self::Winback => "winback",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "referrer" => Some(Self::Referrer),
            "friend" => Some(Self::Friend),
            "winback" => Some(Self::Winback),
            _ => None,
        }
    }
}

/// One side's reward: a coupon worth `amount_cents`, usable from `available_from`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reward {
    pub beneficiary: Beneficiary,
    pub customer_id: CustomerId,
    pub coupon: CouponCode,
    pub amount_cents: u64,
    pub currency: Currency,
    pub available_from: DateTime<Utc>,
    /// When the coupon expires (our API and the platform's discount agree on the instant);
    /// `None` for coupons issued before coupons expired.
    pub valid_until: Option<DateTime<Utc>>,
}

impl RewardRules {
    /// Rewards become usable after the hold, so an order refunded within it can be clawed back.
    pub fn available_from(&self, placed_at: DateTime<Utc>) -> DateTime<Utc> {
        placed_at + Duration::days(i64::from(self.hold_days))
    }

    /// Coupons expire `valid_days` after they become usable.
    pub fn valid_until(&self, available_from: DateTime<Utc>) -> DateTime<Utc> {
        available_from + Duration::days(i64::from(self.valid_days))
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::model::OrderId;

    fn rules() -> RewardRules {
        RewardRules {
            referrer_cents: 1000,
            friend_cents: 1000,
            currency: Currency::parse("EUR").expect("currency"),
            min_order_cents: 2000,
            referrer_cap: 25,
            hold_days: 14,
            valid_days: 365,
            friend_reward: FriendReward::Both,
        }
    }

    fn order(customer: &str, email: &str, total: u64, currency: &str) -> Order {
        Order {
            order_id: OrderId::parse("o-1").expect("id"),
            customer_id: CustomerId::parse(customer).expect("id"),
            email: Email::parse(email).expect("email"),
            name: None,
            locale: None,
            total_cents: crate::model::MinorUnits::new(total).expect("bounded"),
            currency: Currency::parse(currency).expect("currency"),
            referral_code: Some(CarriedCode::Wellformed(
                ReferralCode::parse("ABCD2345").expect("code"),
            )),
            placed_at: Utc
                .with_ymd_and_hms(2026, 3, 1, 12, 0, 0)
                .single()
                .expect("time"),
            placed_at_given: true,
            signals: Default::default(),
        }
    }

    fn referrer(conversions: u64) -> Referrer {
        let email = Email::parse("Max.Muster@gmail.com").expect("email");
        Referrer {
            customer_id: CustomerId::parse("referrer").expect("id"),
            code: ReferralCode::parse("ABCD2345").expect("code"),
            person: test_key().person(&email),
            email,
            name: None,
            locale: None,
            conversions,
        }
    }

    fn friend(order_count: u64, referred_before: bool) -> Friend {
        Friend {
            history: OrderHistory {
                order_count,
                ..OrderHistory::default()
            },
            referred_before,
            winback: None,
        }
    }

    fn test_key() -> crate::model::FingerprintKey {
        crate::model::FingerprintKey::parse(&"k".repeat(32)).expect("key")
    }

    fn decision(order: &Order, referrer: Option<&Referrer>, friend: &Friend) -> Decision {
        decide(
            order,
            &test_key().person(&order.email),
            referrer,
            friend,
            &rules(),
        )
    }

    #[test]
    fn qualifying_first_order_is_rewarded() {
        let order = order("friend", "friend@example.com", 2000, "EUR");
        assert_eq!(
            decision(&order, Some(&referrer(24)), &friend(0, false)),
            Decision::Rewarded
        );
    }

    #[test]
    fn order_without_code_has_no_referral() {
        let mut order = order("friend", "friend@example.com", 5000, "EUR");
        order.referral_code = None;
        assert_eq!(decision(&order, None, &friend(0, false)), Decision::NoCode);
    }

    #[test]
    fn each_rule_rejects_with_its_reason() {
        let ok = order("friend", "friend@example.com", 5000, "EUR");
        let fresh = friend(0, false);
        let mut malformed = ok.clone();
        malformed.referral_code = Some(CarriedCode::Malformed("nope".into()));
        let cases = [
            (decision(&ok, None, &fresh), Rejection::UnknownCode),
            (
                decision(&malformed, Some(&referrer(0)), &fresh),
                Rejection::UnknownCode,
            ),
            (
                decision(
                    &order("referrer", "x@example.com", 5000, "EUR"),
                    Some(&referrer(0)),
                    &fresh,
                ),
                Rejection::SelfReferral,
            ),
            (
                decision(
                    &order("alias", "m.a.x.muster+deal@googlemail.com", 5000, "EUR"),
                    Some(&referrer(0)),
                    &fresh,
                ),
                Rejection::SelfReferral,
            ),
            (
                decision(&ok, Some(&referrer(0)), &friend(0, true)),
                Rejection::AlreadyReferred,
            ),
            (
                decision(&ok, Some(&referrer(0)), &friend(1, false)),
                Rejection::NotFirstOrder,
            ),
            (
                decision(
                    &order("friend", "f@example.com", 5000, "USD"),
                    Some(&referrer(0)),
                    &fresh,
                ),
                Rejection::CurrencyMismatch,
            ),
            (
                decision(
                    &order("friend", "f@example.com", 1999, "EUR"),
                    Some(&referrer(0)),
                    &fresh,
                ),
                Rejection::BelowMinimum,
            ),
            (
                decision(&ok, Some(&referrer(25)), &fresh),
                Rejection::ReferrerCapReached,
            ),
        ];
        for (actual, reason) in cases {
            assert_eq!(actual, Decision::Rejected(reason));
        }
    }

    #[test]
    fn hold_sets_when_rewards_become_usable() {
        let placed = Utc
            .with_ymd_and_hms(2026, 3, 1, 12, 0, 0)
            .single()
            .expect("time");
        assert_eq!(rules().available_from(placed), placed + Duration::days(14));
        let immediate = RewardRules {
            hold_days: 0,
            valid_days: 365,
            ..rules()
        };
        assert_eq!(immediate.available_from(placed), placed);
    }
}
