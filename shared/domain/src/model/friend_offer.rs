//! The friend's offer before the first order (docs/architecture.md#the-friends-offer): who may
//! claim it, what a claim gives, and where its checkout link goes.

use std::fmt;

use chrono::{DateTime, Duration, Utc};

use super::{
    Beneficiary, CouponCode, Currency, CustomerId, DiscountPlatform, Email, HttpUrl,
    PersonFingerprint, ReferralCode, Reward,
};

/// When the referred friend is rewarded (`FRIEND_REWARD`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum FriendReward {
    /// A discount on the first order, claimed on the share link.
    #[default]
    FirstOrder,
    /// A coupon for a later order, issued when the first order is rewarded.
    NextOrder,
    /// Both.
    Both,
}

impl FriendReward {
    pub const ALL: [Self; 3] = [Self::FirstOrder, Self::NextOrder, Self::Both];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::FirstOrder => "first_order",
            Self::NextOrder => "next_order",
            Self::Both => "both",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == raw.trim())
    }

    /// The share link shows the claim page, and claims are taken.
    pub fn offers_claim(self) -> bool {
        self != Self::NextOrder
    }

    /// A rewarded order gives the friend a coupon for a later order too.
    pub fn coupon_after_order(self) -> bool {
        self != Self::FirstOrder
    }
}

/// FRIEND_OFFER_DAYS' default: a month to place the first order.
pub const DEFAULT_FRIEND_OFFER_DAYS: u32 = 30;

/// The offer's terms (FRIEND_REWARD_CENTS, REWARD_CURRENCY, MIN_ORDER_CENTS, FRIEND_OFFER_DAYS).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FriendOffer {
    pub amount_cents: u64,
    pub currency: Currency,
    pub min_order_cents: u64,
    pub valid_days: u32,
}

impl FriendOffer {
    /// The claim `customer_id` makes at `at` on `code`, with a fresh coupon.
    pub fn claim(
        &self,
        code: ReferralCode,
        coupon: CouponCode,
        customer_id: CustomerId,
        at: DateTime<Utc>,
    ) -> OfferClaim {
        OfferClaim {
            code,
            coupon,
            customer_id,
            amount_cents: self.amount_cents,
            currency: self.currency.clone(),
            min_order_cents: self.min_order_cents,
            claimed_at: at,
            expires_at: at + Duration::days(i64::from(self.valid_days)),
        }
    }
}

/// One person's claim of the offer: the friend's coupon and the code it was claimed on. It holds
/// the claimant's fingerprint as its key, never their address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferClaim {
    /// The referral code the offer was claimed on: an order using `coupon` is its referral.
    pub code: ReferralCode,
    pub coupon: CouponCode,
    /// The shop's id for the friend when the storefront gave one, else the guest id of their
    /// address.
    pub customer_id: CustomerId,
    pub amount_cents: u64,
    pub currency: Currency,
    pub min_order_cents: u64,
    pub claimed_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

impl OfferClaim {
    /// The friend's coupon: usable at once, until the offer ends.
    pub fn reward(&self) -> Reward {
        Reward {
            beneficiary: Beneficiary::Friend,
            customer_id: self.customer_id.clone(),
            coupon: self.coupon.clone(),
            amount_cents: self.amount_cents,
            currency: self.currency.clone(),
            available_from: self.claimed_at,
            valid_until: Some(self.expires_at),
        }
    }

    /// Where the friend's button goes: the shop with the code applied to the cart.
    pub fn apply_url(&self, platform: DiscountPlatform, shop_url: &HttpUrl) -> String {
        let coupon = &self.coupon;
        match platform {
            DiscountPlatform::Shopify => format!("{shop_url}/discount/{coupon}?redirect=/"),
            DiscountPlatform::WooCommerce => format!("{shop_url}/?coupon={coupon}"),
            DiscountPlatform::None => format!("{shop_url}/?ref={}&coupon={coupon}", self.code),
        }
    }
}

/// Why a claim gives nothing; pages and the storefront API use exactly these names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClaimRefusal {
    InvalidEmail,
    /// The referrer's own address, an alias of it, or their customer id.
    SelfReferral,
    /// A throwaway address (`model::is_disposable`).
    DisposableEmail,
    /// The address (or customer id) has a recorded order.
    ExistingCustomer,
    /// The person was rewarded as a friend before.
    AlreadyReferred,
}

impl ClaimRefusal {
    pub const ALL: [Self; 5] = [
        Self::InvalidEmail,
        Self::SelfReferral,
        Self::DisposableEmail,
        Self::ExistingCustomer,
        Self::AlreadyReferred,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidEmail => "invalid_email",
            Self::SelfReferral => "self_referral",
            Self::DisposableEmail => "disposable_email",
            Self::ExistingCustomer => "existing_customer",
            Self::AlreadyReferred => "already_referred",
        }
    }
}

impl fmt::Display for ClaimRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The owner of the code being claimed, as far as the rules need them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeOwner {
    pub customer_id: CustomerId,
    pub person: PersonFingerprint,
}

/// What the store knows about a would-be claimant, read before deciding.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Claimant {
    /// Rewarded as a friend before (by fingerprint or by the given customer id).
    pub referred_before: bool,
    /// Some profile of the person (or the given customer id) has a recorded order.
    pub has_ordered: bool,
}

/// The rules of a first claim, in the order a person would want to hear them: one's own code
/// first, then a past reward, then past orders.
pub fn claim_refusal(
    owner: &CodeOwner,
    email: &Email,
    person: &PersonFingerprint,
    customer_id: Option<&CustomerId>,
    claimant: &Claimant,
) -> Option<ClaimRefusal> {
    if &owner.person == person || customer_id == Some(&owner.customer_id) {
        return Some(ClaimRefusal::SelfReferral);
    }
    if super::is_disposable(email) {
        return Some(ClaimRefusal::DisposableEmail);
    }
    if claimant.referred_before {
        return Some(ClaimRefusal::AlreadyReferred);
    }
    if claimant.has_ordered {
        return Some(ClaimRefusal::ExistingCustomer);
    }
    None
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::model::FingerprintKey;

    fn key() -> FingerprintKey {
        FingerprintKey::parse(&"k".repeat(32)).expect("key")
    }

    fn person(raw: &str) -> PersonFingerprint {
        key().person(&Email::parse(raw).expect("address"))
    }

    fn claim() -> OfferClaim {
        FriendOffer {
            amount_cents: 1000,
            currency: Currency::parse("EUR").expect("currency"),
            min_order_cents: 2000,
            valid_days: 30,
        }
        .claim(
            ReferralCode::parse("ABCD2345").expect("code"),
            CouponCode::parse("FRNDCQDE2345").expect("coupon"),
            CustomerId::parse("guest-1").expect("id"),
            Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap(),
        )
    }

    #[test]
    fn the_setting_round_trips_and_says_what_each_value_gives() {
        for reward in FriendReward::ALL {
            assert_eq!(FriendReward::parse(reward.as_str()), Some(reward));
        }
        assert_eq!(FriendReward::parse("first"), None);
        assert_eq!(FriendReward::default(), FriendReward::FirstOrder);
        assert!(FriendReward::FirstOrder.offers_claim());
        assert!(!FriendReward::FirstOrder.coupon_after_order());
        assert!(!FriendReward::NextOrder.offers_claim());
        assert!(FriendReward::Both.offers_claim() && FriendReward::Both.coupon_after_order());
    }

    #[test]
    fn a_claim_is_a_friend_coupon_usable_at_once_until_the_offer_ends() {
        let claim = claim();
        let reward = claim.reward();
        assert_eq!(reward.beneficiary, Beneficiary::Friend);
        assert_eq!(reward.available_from, claim.claimed_at);
        assert_eq!(
            reward.valid_until,
            Some(claim.claimed_at + Duration::days(30))
        );
    }

    #[test]
    fn each_platform_applies_the_code_its_own_way() {
        let shop = HttpUrl::parse("https://shop.example").expect("url");
        let claim = claim();
        assert_eq!(
            claim.apply_url(DiscountPlatform::Shopify, &shop),
            "https://shop.example/discount/FRNDCQDE2345?redirect=/"
        );
        assert_eq!(
            claim.apply_url(DiscountPlatform::WooCommerce, &shop),
            "https://shop.example/?coupon=FRNDCQDE2345"
        );
        assert_eq!(
            claim.apply_url(DiscountPlatform::None, &shop),
            "https://shop.example/?ref=ABCD2345&coupon=FRNDCQDE2345"
        );
    }

    #[test]
    fn refusals_come_in_their_order_and_aliases_are_the_referrer() {
        let owner = CodeOwner {
            customer_id: CustomerId::parse("max").expect("id"),
            person: person("max.muster@gmail.com"),
        };
        let fresh = Claimant::default();
        let refusal = |who: &str, id: Option<&str>, claimant: &Claimant| {
            let id = id.map(|raw| CustomerId::parse(raw).expect("id"));
            let email = Email::parse(who).expect("address");
            claim_refusal(&owner, &email, &person(who), id.as_ref(), claimant)
        };
        assert_eq!(refusal("anna@example.com", None, &fresh), None);
        assert_eq!(
            refusal("anna@mailinator.com", None, &fresh),
            Some(ClaimRefusal::DisposableEmail)
        );
        assert_eq!(
            refusal("M.a.x.Muster+deal@googlemail.com", None, &fresh),
            Some(ClaimRefusal::SelfReferral)
        );
        assert_eq!(
            refusal("anna@example.com", Some("max"), &fresh),
            Some(ClaimRefusal::SelfReferral)
        );
        let both = Claimant {
            referred_before: true,
            has_ordered: true,
        };
        assert_eq!(
            refusal("anna@example.com", None, &both),
            Some(ClaimRefusal::AlreadyReferred)
        );
        let customer = Claimant {
            referred_before: false,
            has_ordered: true,
        };
        assert_eq!(
            refusal("anna@example.com", None, &customer),
            Some(ClaimRefusal::ExistingCustomer)
        );
    }
}
