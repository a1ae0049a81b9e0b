use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::OutboxMessage;
use super::StoreError;
use crate::model::{
    Coupon, CouponCode, Friend, MinorUnits, Order, OrderHistory, OrderId, OrderOutcome,
    PersonFingerprint, ReferralCode, Referrer, RefundId, Reward,
};

/// Everything the reward decision needs, read together before deciding.
#[derive(Debug, Clone)]
pub struct OrderContext {
    /// The order was recorded before (a replay or a concurrent twin).
    pub existing: Option<StoredOrder>,
    pub friend: Friend,
    /// The owner of the carried code, if the code is well-formed and known.
    pub referrer: Option<Referrer>,
}

/// A recorded order: what was asked and what was answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredOrder {
    pub request_hash: String,
    pub outcome: OrderOutcome,
}

/// The rewarded half of a commit: the conditions that keep the decision true, and the coupons.
#[derive(Debug, Clone)]
pub struct RewardCommit {
    pub referral_code: ReferralCode,
    pub referrer_cap: u64,
    pub rewards: Vec<Reward>,
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
    /// The friend's history as read; the write applies only if it is unchanged.
    pub seen_history: OrderHistory,
    pub new_history: OrderHistory,
    pub reward: Option<RewardCommit>,
    /// The reward mails and events, written in the same atomic unit.
    pub messages: Vec<OutboxMessage>,
    /// Funnel and retention counters this order changes, merged per day and name.
    pub counters: Vec<crate::model::CounterDelta>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommitOutcome {
    Committed,
    /// Another request recorded this order id first; nothing of ours was written.
    OrderExists(StoredOrder),
    /// A fact the decision relied on changed (history, guard, cap, coupon collision); decide again.
    Stale,
}

/// Builds the message that goes with revoking a coupon, if any.
pub type RevokedMessage<'a> = dyn Fn(&Coupon) -> Option<OutboxMessage> + Send + Sync + 'a;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RedeemOutcome {
    /// This call redeemed it.
    Redeemed(Coupon),
    /// Not redeemable now; the coupon as it stands says why.
    Refused(Coupon),
    NotFound,
}

/// Part of an order's money given back, as the platform reports it, in the order's currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartialRefund {
    pub refund_id: RefundId,
    pub amount: MinorUnits,
}

/// An order's total and what its recorded refunds add up to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefundTally {
    /// `None` for orders recorded before totals were kept with the order.
    pub total: Option<MinorUnits>,
    pub refunded: u64,
}

/// Storage of orders, rewards and coupons. Each method is one atomic unit.
#[async_trait]
pub trait OrderStore: Send + Sync {
    /// `person` is the orderer's fingerprint, which keys their once-only guard.
    async fn order_context(
        &self,
        order: &Order,
        person: &PersonFingerprint,
    ) -> Result<OrderContext, StoreError>;

    /// Writes the order, the friend's history and, if rewarded, guards, referrer counter and
    /// coupons, all or nothing, each conditioned on the facts the decision used.
    async fn commit_order(&self, commit: &OrderCommit) -> Result<CommitOutcome, StoreError>;

    async fn coupon(&self, code: &CouponCode) -> Result<Option<Coupon>, StoreError>;

    /// Whether somebody owns `code`: tells a referral code from a shop's own discount code in a
    /// platform's order.
    async fn code_exists(&self, code: &ReferralCode) -> Result<bool, StoreError>;

    /// Redeems an issued coupon whose hold has passed at `now`, atomically, with `message` (the
    /// `coupon.redeemed` event) written only if this call redeems it.
    async fn redeem_coupon(
        &self,
        code: &CouponCode,
        order_id: &OrderId,
        now: DateTime<Utc>,
        message: Option<OutboxMessage>,
    ) -> Result<RedeemOutcome, StoreError>;

    /// Revokes the order's coupons that are not redeemed (adding their value to the day's
    /// `revoked_cents`) and marks the order refunded, writing `revoked(coupon)` (the
    /// `reward.revoked` event) with each revocation; returns the order's coupons as they stand
    /// after, or `None` for an unknown order.
    /// Adds `refund` to the order's refunds unless its id was recorded before (then nothing
    /// changes); returns the tally after, or `None` for an unknown order.
    async fn record_refund(
        &self,
        order_id: &OrderId,
        refund: &PartialRefund,
    ) -> Result<Option<RefundTally>, StoreError>;

    async fn refund_order(
        &self,
        order_id: &OrderId,
        at: DateTime<Utc>,
        revoked: &RevokedMessage<'_>,
    ) -> Result<Option<Vec<Coupon>>, StoreError>;
}
