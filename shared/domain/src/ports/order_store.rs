use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::OutboxMessage;
use super::StoreError;
use crate::model::{
    Coupon, CouponCode, Currency, CustomerId, Friend, HistoryChange, MinorUnits, Order, OrderId,
    OrderOutcome, PersonFingerprint, ReferralCode, Referrer, RefundId, Reward,
};

/// Everything the reward decision needs, read together before deciding.
#[derive(Debug, Clone)]
pub struct OrderContext {
    /// The order was recorded before (a replay, a concurrent twin, or a platform's unpaid order).
    pub existing: Option<ExistingOrder>,
    pub friend: Friend,
    /// The owner of the carried code, if the code is well-formed and known.
    pub referrer: Option<Referrer>,
    /// What the review rules count and compare, read only for an order carrying a known code.
    pub review: super::ReviewReading,
}

/// What the review rules need read with an order's context.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReviewLookup {
    /// The network the order came from: its referred orders this week are counted.
    pub network: Option<crate::model::NetworkFingerprint>,
    /// Whether the order left marks to compare with the referrer's (a place, a full name).
    pub referrer_marks: bool,
}

/// A recorded order: what was asked and what was answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredOrder {
    pub request_hash: String,
    pub outcome: OrderOutcome,
}

/// What the store holds under an order id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExistingOrder {
    /// Decided: every later request gets this answer.
    Decided(StoredOrder),
    /// A platform reported it before it was paid; it is decided when it is paid.
    AwaitingPayment,
    /// Cancelled or refunded before it was ever decided: it never will be.
    Closed,
}

/// An order a platform reported that is not to be decided now: unpaid (awaiting payment) or
/// cancelled before it was paid (closed). Recorded so a later payment decides it and a late
/// payment of a cancelled order decides nothing; it counts nowhere until it is decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UndecidedOrder {
    pub order_id: OrderId,
    pub customer_id: CustomerId,
    pub placed_at: DateTime<Utc>,
    pub total: MinorUnits,
    pub currency: Currency,
    /// `Some` for an order cancelled (or refunded) before its payment: when it was closed.
    pub closed_at: Option<DateTime<Utc>>,
}

/// The rewarded half of a commit: the conditions that keep the decision true, and the coupons.
#[derive(Debug, Clone)]
pub struct RewardCommit {
    pub referral_code: ReferralCode,
    pub referrer_cap: u64,
    pub rewards: Vec<Reward>,
    /// What the reward adds to the week-long counts the review rules read.
    pub counts: super::WeekCounts,
    /// `Some` when a rule holds the reward: its coupons are written `review` and the review
    /// with them; the order's messages are then `reward.flagged` and the automatic decision.
    pub held: Option<super::HeldReward>,
}

/// One atomic write of a decided order.
#[derive(Debug, Clone)]
pub struct OrderCommit {
    pub order: Order,
    /// The orderer's keyed fingerprint: kept on their profile (a data request by address finds
    /// it) and, when rewarded, the key of the once-only guard.
    pub person: PersonFingerprint,
    pub request_hash: String,
    pub outcome: OrderOutcome,
    /// What the order adds to its customer's history, with the facts that must still hold.
    pub history: HistoryChange,
    pub reward: Option<RewardCommit>,
    /// The reward mails and events, written in the same atomic unit.
    pub messages: Vec<OutboxMessage>,
    /// The funnel, retention and order-day counters this order moves, written as its tally.
    pub tally: super::Tally,
    /// The customer's win-back step, rescheduled: written whatever state the customer's step is
    /// in (pending, delivered, cancelled), made pending again and due at its new time, and its
    /// claims counter moved on, so a deliverer holding a claim of it can no longer settle it.
    pub winback: Option<OutboxMessage>,
    /// This order wins its customer back after the win-back mail sent at this time: written
    /// only while the profile records that mail and no order won it yet.
    pub won_back: Option<DateTime<Utc>>,
    /// The review marks the order leaves on its customer's profile (where it ships, the full
    /// name), for comparing later referrals by them.
    pub marks: Vec<crate::model::ReviewMark>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommitOutcome {
    Committed,
    /// Another request recorded this order id first; nothing of ours was written.
    OrderExists(StoredOrder),
    /// The order was cancelled before its payment arrived; nothing was written.
    Closed,
    /// A fact the decision relied on changed (history, guard, cap, coupon collision); decide again.
    Stale,
}

/// Builds the messages that go with revoking a coupon (its event, its platform discount's end).
pub type RevokedMessage<'a> = dyn Fn(&Coupon) -> Vec<OutboxMessage> + Send + Sync + 'a;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RedeemOutcome {
    /// This call redeemed it.
    Redeemed(Coupon),
    /// Not redeemable now; the coupon as it stands says why.
    Refused(Coupon),
    NotFound,
}

/// Part of an order's money given back, as the platform reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartialRefund {
    pub refund_id: RefundId,
    pub amount: MinorUnits,
    /// The amount's currency; `None` only when nothing was given back (a restock without
    /// money), which fits an order in any currency.
    pub currency: Option<Currency>,
}

/// An order's total and what its recorded refunds add up to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefundTally {
    /// `None` for orders recorded before totals were kept with the order.
    pub total: Option<MinorUnits>,
    pub refunded: u64,
}

/// What recording a delivery's refunds did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundsRecorded {
    UnknownOrder,
    /// The order was recorded in another currency: nothing was recorded, since amounts of two
    /// currencies are never added.
    OtherCurrency {
        order_currency: Currency,
    },
    /// `new[i]` tells whether `refunds[i]` was recorded now (else its id was recorded before).
    Recorded {
        tally: RefundTally,
        new: Vec<bool>,
    },
}

/// Which of an order's discount codes are ours: somebody's referral code, or a coupon we issued.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KnownCodes {
    pub referral_codes: Vec<ReferralCode>,
    pub coupons: Vec<CouponCode>,
    /// The coupons among them that are a friend's first-order offer, with the referral code each
    /// was claimed on: an order using one is that code's referral.
    pub offers: Vec<(CouponCode, ReferralCode)>,
}

/// Storage of orders, rewards and coupons. Each method is one atomic unit.
#[async_trait]
pub trait OrderStore: Send + Sync {
    /// `person` is the orderer's fingerprint, which keys their once-only guard; `lookup` what
    /// the review rules need besides.
    async fn order_context(
        &self,
        order: &Order,
        person: &PersonFingerprint,
        lookup: &ReviewLookup,
    ) -> Result<OrderContext, StoreError>;

    /// Writes the order, the friend's history and, if rewarded, guards, referrer counter and
    /// coupons, all or nothing, each conditioned on the facts the decision used. The order
    /// record must not exist, or be awaiting payment and not closed.
    async fn commit_order(&self, commit: &OrderCommit) -> Result<CommitOutcome, StoreError>;

    /// Records an order that is not decided now, unless its id is recorded already; closes an
    /// order awaiting payment when `order.closed_at` is set. Returns what was there before
    /// (`None`: nothing, and the order is now recorded).
    async fn record_undecided(
        &self,
        order: &UndecidedOrder,
    ) -> Result<Option<ExistingOrder>, StoreError>;

    async fn coupon(&self, code: &CouponCode) -> Result<Option<Coupon>, StoreError>;

    /// Which of these codes are ours, in one read: tells referral codes and coupons from a
    /// shop's own discount codes in a platform's order.
    async fn known_codes(
        &self,
        referral_codes: &[ReferralCode],
        coupons: &[CouponCode],
    ) -> Result<KnownCodes, StoreError>;

    /// Redeems an issued coupon whose hold has passed at `now`, atomically, with `message` (the
    /// `coupon.redeemed` event) written only if this call redeems it.
    async fn redeem_coupon(
        &self,
        code: &CouponCode,
        order_id: &OrderId,
        now: DateTime<Utc>,
        message: Option<OutboxMessage>,
    ) -> Result<RedeemOutcome, StoreError>;

    /// Adds each of `refunds` (all in `currency`, or without money) to the order's refunds
    /// unless its id was recorded before, in one atomic step, and only while the order is in
    /// that currency; returns the tally after.
    async fn record_refunds(
        &self,
        order_id: &OrderId,
        currency: Option<&Currency>,
        refunds: &[PartialRefund],
    ) -> Result<RefundsRecorded, StoreError>;

    /// Revokes the order's coupons that are not redeemed (adding their value to the day's
    /// `revoked_cents`) and marks the order refunded (an order not decided yet is closed),
    /// writing `revoked(coupon)` (the `reward.revoked` event, the discount's end) with each
    /// revocation; returns the
    /// order's coupons as they stand after, or `None` for an unknown order.
    async fn refund_order(
        &self,
        order_id: &OrderId,
        at: DateTime<Utc>,
        revoked: &RevokedMessage<'_>,
    ) -> Result<Option<Vec<Coupon>>, StoreError>;
}
