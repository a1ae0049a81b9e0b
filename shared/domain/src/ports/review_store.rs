//! Rewards held for review: what the order's commit writes when a rule holds its reward, and
//! the queue's reads and decisions (docs/architecture.md#the-review-queue).

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

use super::{Claim, OutboxMessage, StoreError, Tally};
use crate::model::{
    Coupon, CouponCode, CouponState, Currency, CustomerId, CustomerName, DayCounts, Email, Locale,
    MinorUnits, NetworkFingerprint, OrderId, ReferralCode, ReviewDecision, ReviewMark, ReviewRule,
    ReviewStatus, Reward,
};

/// What the store reads for the rules with an order's context.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReviewReading {
    /// The referrer's rewards per day, from their code.
    pub referrer_rewards: DayCounts,
    /// Referred orders per day from the order's network; `None` when it has no IP.
    pub orders_from_ip: Option<DayCounts>,
    /// The marks the referrer's own orders left on their profile (places shipped to, full
    /// names); read only when the order has a mark to compare.
    pub referrer_marks: Vec<ReviewMark>,
}

/// What a rewarded order adds to the week-long counts (held or not): the referrer's rewards on
/// `day`, and the network's referred orders; days no rule reads again are dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeekCounts {
    pub day: NaiveDate,
    pub stale_referrer_days: Vec<NaiveDate>,
    /// The order's network with its stale days.
    pub network: Option<(NetworkFingerprint, Vec<NaiveDate>)>,
}

/// A held reward as the queue lists it: the rules that fired and the order's facts, never an
/// address or a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldReward {
    pub order_id: OrderId,
    pub referral_code: ReferralCode,
    pub referrer_id: CustomerId,
    pub friend_id: CustomerId,
    pub rules: Vec<ReviewRule>,
    pub total: MinorUnits,
    pub currency: Currency,
    pub placed_at: DateTime<Utc>,
    pub flagged_at: DateTime<Utc>,
    /// Both sides' rewards, their coupons written `review`.
    pub rewards: Vec<Reward>,
    /// The referrer's own page, for their reward mail once approved.
    pub page_url: Option<String>,
}

/// Who decided a review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecidedBy {
    Staff,
    /// `REVIEW_AUTO` after `REVIEW_DAYS`.
    Automatic,
}

impl DecidedBy {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Staff => "staff",
            Self::Automatic => "automatic",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Staff, Self::Automatic]
            .into_iter()
            .find(|by| by.as_str() == raw)
    }
}

/// A decision as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub decision: ReviewDecision,
    pub by: DecidedBy,
    pub at: DateTime<Utc>,
    pub note: Option<String>,
}

/// A review with where it stands and its coupons: as they are now when read for a decision;
/// in a listing, as the review's status leaves them (`review`, then issued or revoked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub held: HeldReward,
    pub status: ReviewStatus,
    pub verdict: Option<Verdict>,
    pub coupons: Vec<Coupon>,
}

impl Review {
    /// A review as listed: its coupons' state follows from its status.
    pub fn listed(held: HeldReward, status: ReviewStatus, verdict: Option<Verdict>) -> Self {
        let state = match status {
            ReviewStatus::Open => CouponState::Review,
            ReviewStatus::Approved => CouponState::Issued,
            ReviewStatus::Rejected => CouponState::Revoked,
        };
        let coupons = held
            .rewards
            .iter()
            .map(|reward| Coupon {
                reward: reward.clone(),
                state: state.clone(),
            })
            .collect();
        Self {
            held,
            status,
            verdict,
            coupons,
        }
    }
}

/// Whom an approved reward's mail goes to, read when it is approved: an address erased since
/// gets no mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub email: Email,
    pub name: Option<CustomerName>,
    pub locale: Option<Locale>,
}

/// A review with the contacts a decision needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewFacts {
    pub review: Review,
    pub referrer: Option<Contact>,
    pub friend: Option<Contact>,
}

/// One decision's writes, all or nothing: the review from open to the decision's status, each
/// coupon from `review` to issued (approve) or revoked (reject), the messages (the reward mails,
/// `reward.issued` events and platform discounts of an approval) and the tally; with `claim`,
/// the automatic decision's step settled as delivered, only while the claim is its latest.
#[derive(Debug, Clone)]
pub struct ReviewCommit {
    pub held: HeldReward,
    /// The coupons still held (a refund while held revoked the others).
    pub coupons: Vec<CouponCode>,
    pub verdict: Verdict,
    pub messages: Vec<OutboxMessage>,
    pub tally: Tally,
    pub claim: Option<Claim>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecideOutcome {
    Decided,
    /// Decided before (by a concurrent decision, or the automatic one): nothing was written.
    AlreadyDecided(ReviewStatus),
    /// A coupon was no longer held (its order was refunded): nothing was written.
    CouponsChanged,
    /// The automatic decision's step is no longer its claim's.
    ClaimLost,
    /// A concurrent write held an item at the same moment: read and decide again.
    Stale,
}

/// Where a listing page ends, to continue after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewCursor {
    pub flagged_at: DateTime<Utc>,
    pub order_id: OrderId,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewPage {
    pub reviews: Vec<Review>,
    pub next: Option<ReviewCursor>,
}

impl ReviewPage {
    /// A page from up to `limit + 1` reviews read newest first.
    pub fn from_read(mut reviews: Vec<Review>, limit: usize) -> Self {
        let next = if reviews.len() > limit {
            reviews.truncate(limit);
            reviews.last().map(|r| ReviewCursor {
                flagged_at: r.held.flagged_at,
                order_id: r.held.order_id.clone(),
            })
        } else {
            None
        };
        Self { reviews, next }
    }
}

/// A review's reads and its decision: reward-referral's route and deliver-outbox's automatic
/// decision.
#[async_trait]
pub trait ReviewStore: Send + Sync {
    /// The review of an order (consistently read), its coupons and the two contacts.
    async fn review_facts(&self, order_id: &OrderId) -> Result<Option<ReviewFacts>, StoreError>;

    async fn decide_review(&self, commit: &ReviewCommit) -> Result<DecideOutcome, StoreError>;
}

/// The queue's listing, a plain read: its own port, so a function that only lists (the
/// dashboard) links no decision and its role grants no write.
#[async_trait]
pub trait ReviewListing: Send + Sync {
    /// Reviews in `status`, newest first, `limit` of them after `cursor`.
    async fn reviews(
        &self,
        status: ReviewStatus,
        limit: usize,
        cursor: Option<&ReviewCursor>,
    ) -> Result<ReviewPage, StoreError>;
}
