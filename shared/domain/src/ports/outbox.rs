//! The transactional outbox (docs/architecture.md#the-outbox): every mail and webhook event is a
//! message written in the same atomic unit as the fact that causes it, then delivered by the
//! deliverer, which claims each message before it sends.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{Letter, Scheduled, StoreError};
use crate::model::{CouponCode, CustomerId, MessageId, NewDiscount};

/// What a message is, for listings and logs; the payload's shape follows from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageKind {
    RewardMail,
    /// The friend's first-order code, mailed when they claim the offer.
    OfferMail,
    SurveyMail,
    DetractorAlert,
    Event(EventType),
    /// Create a coupon's discount code in the shop's platform.
    DiscountCreate,
    /// End a revoked coupon's discount code in the shop's platform.
    DiscountDeactivate,
    /// A survey's reminder, due days after the survey mail: when due it writes the reminder
    /// mail, unless the survey was answered or can no longer be.
    SurveyReminder,
    /// The reminder mail itself.
    ReminderMail,
    /// A customer's win-back, due a buying cycle after their last order and moved by every
    /// order: when due it issues the coupon and writes the mail.
    Winback,
    /// The win-back mail itself.
    WinbackMail,
    /// A held reward's automatic decision (`REVIEW_AUTO`), due `REVIEW_DAYS` after it was held:
    /// when due it decides the review, unless someone already did.
    ReviewDecision,
}

/// The webhook events the shop can receive, exactly these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    ReferralCreated,
    RewardIssued,
    RewardRevoked,
    CouponRedeemed,
    SurveySent,
    SurveyAnswered,
    CustomerUnsubscribed,
    FriendOfferClaimed,
    SurveyReminded,
    WinbackSent,
    RewardFlagged,
}

impl EventType {
    pub const ALL: [Self; 11] = [
        Self::ReferralCreated,
        Self::RewardIssued,
        Self::RewardRevoked,
        Self::CouponRedeemed,
        Self::SurveySent,
        Self::SurveyAnswered,
        Self::CustomerUnsubscribed,
        Self::FriendOfferClaimed,
        Self::SurveyReminded,
        Self::WinbackSent,
        Self::RewardFlagged,
    ];

    /// The `type` field of the event's body.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ReferralCreated => "referral.created",
            Self::RewardIssued => "reward.issued",
            Self::RewardRevoked => "reward.revoked",
            Self::CouponRedeemed => "coupon.redeemed",
            Self::SurveySent => "survey.sent",
            Self::SurveyAnswered => "survey.answered",
            Self::CustomerUnsubscribed => "customer.unsubscribed",
            Self::FriendOfferClaimed => "friend_offer.claimed",
            Self::SurveyReminded => "survey.reminded",
            Self::WinbackSent => "winback.sent",
            Self::RewardFlagged => "reward.flagged",
        }
    }
}

impl MessageKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RewardMail => "reward_mail",
            Self::OfferMail => "offer_mail",
            Self::SurveyMail => "survey_mail",
            Self::DetractorAlert => "detractor_alert",
            Self::Event(event) => event.as_str(),
            Self::DiscountCreate => "discount_create",
            Self::DiscountDeactivate => "discount_deactivate",
            Self::SurveyReminder => "survey_reminder",
            Self::ReminderMail => "reminder_mail",
            Self::Winback => "winback",
            Self::WinbackMail => "winback_mail",
            Self::ReviewDecision => "review_decision",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "reward_mail" => Some(Self::RewardMail),
            "offer_mail" => Some(Self::OfferMail),
            "survey_mail" => Some(Self::SurveyMail),
            "detractor_alert" => Some(Self::DetractorAlert),
            "discount_create" => Some(Self::DiscountCreate),
            "discount_deactivate" => Some(Self::DiscountDeactivate),
            "survey_reminder" => Some(Self::SurveyReminder),
            "reminder_mail" => Some(Self::ReminderMail),
            "winback" => Some(Self::Winback),
            "winback_mail" => Some(Self::WinbackMail),
            "review_decision" => Some(Self::ReviewDecision),
            other => EventType::ALL
                .into_iter()
                .find(|e| e.as_str() == other)
                .map(Self::Event),
        }
    }
}

/// What delivery needs, complete when the message is written: a mail's recipient and facts (the
/// deliverer writes them out), an event's JSON body (the same bytes on every retry), what the
/// shop's platform is to do with a coupon's discount, or a step scheduled for later whose
/// delivery decides and writes what it causes (docs/architecture.md#scheduled-steps).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payload {
    Mail(Letter),
    Event { body: String },
    Discount(DiscountAction),
    Scheduled(Scheduled),
}

/// A platform action on one coupon's discount code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiscountAction {
    Create(NewDiscount),
    /// The discount's platform id is read from the coupon when the message is delivered: the
    /// create may not have been delivered when the coupon was revoked.
    Deactivate {
        coupon: CouponCode,
    },
}

/// A message as written with its cause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMessage {
    pub id: MessageId,
    pub kind: MessageKind,
    /// The business id the message is about (`order:<id>`, `survey:<id>`, …), for operators.
    pub reference: String,
    /// The customer the message is about (the mail's recipient, or the customer an event or
    /// alert names): a data request finds, exports and erases their messages by it. `None` for
    /// a step about no one person (a held reward's automatic decision, which an erasure of either
    /// side must not cancel), and for messages written before messages named their customer.
    pub customer_id: Option<CustomerId>,
    pub payload: Payload,
    /// When it joined the outbox; for a scheduled step (a reminder, a win-back), when it is
    /// due, since it waits for nothing before then: its age, the alarms' figure, counts from it,
    /// and so does its expiry.
    pub created_at: DateTime<Utc>,
    /// When it is first due: `created_at`, except for a platform discount that must wait for
    /// its coupon's hold to end.
    pub due_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageStatus {
    /// Waiting for its next attempt (or being attempted now).
    Pending,
    Delivered,
    /// Given up after the last retry, or refused for good (a webhook answering 410).
    Failed,
    /// Never to be sent: its customer's data was erased before it was delivered, or its coupon
    /// was revoked before its discount was created.
    Cancelled,
}

impl MessageStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "pending" => Some(Self::Pending),
            "delivered" => Some(Self::Delivered),
            "cancelled" => Some(Self::Cancelled),
            "failed" => Some(Self::Failed),
            _ => None,
        }
    }
}

/// One claimed attempt: the claimer alone may send it until the claim runs out, and only the
/// claim with this `fence` may record the result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub message: OutboxMessage,
    /// This attempt's number since the message was written or last requeued, from 1.
    pub attempt: u32,
    /// Grows with every claim, requeues included: a late result of an expired claim is refused.
    pub fence: u64,
}

/// What became of an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settlement {
    Delivered,
    /// Failed; due again at `at`.
    Retry {
        at: DateTime<Utc>,
        error: String,
    },
    /// Failed for good.
    Failed {
        error: String,
    },
    /// Not to be sent after all (a discount for a coupon revoked meanwhile).
    Cancelled {
        reason: String,
    },
    /// Not attempted after all (a platform's rate limit): due again at `at`, and the attempt
    /// does not count against the retry schedule.
    Deferred {
        at: DateTime<Utc>,
        reason: String,
    },
}

/// Messages due for an attempt, oldest due first, and the oldest pending message's age.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DueMessages {
    pub ids: Vec<MessageId>,
    /// When the oldest message still pending (due or waiting for a retry) was written.
    pub oldest_pending_since: Option<DateTime<Utc>>,
}

/// The deliverer's port: find what is due, claim it, record the result.
#[async_trait]
pub trait OutboxStore: Send + Sync {
    /// Up to `limit` pending messages due at `now`, found by key, never by scanning.
    async fn due(&self, now: DateTime<Utc>, limit: usize) -> Result<DueMessages, StoreError>;

    /// Claims a pending message that is due at `now` for one attempt until `until`; `None` when
    /// it is unknown, not pending, not due, or claimed by someone else.
    async fn claim(
        &self,
        id: &MessageId,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Option<Claim>, StoreError>;

    /// Records an attempt's result if `claim` is still the message's latest; `false` otherwise.
    async fn settle(
        &self,
        claim: &Claim,
        settlement: &Settlement,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
}

/// A message as operators see it: no payload (it holds addresses), the state of its delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageSummary {
    pub id: MessageId,
    pub kind: MessageKind,
    pub reference: String,
    pub status: MessageStatus,
    pub attempts: u32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    /// The listing's order: the next attempt of a pending message, the failure of a failed one.
    pub listed_at: DateTime<Utc>,
}

/// Where a listing page ends, to continue after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageCursor {
    pub listed_at: DateTime<Utc>,
    pub id: MessageId,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessagePage {
    pub messages: Vec<MessageSummary>,
    pub next: Option<PageCursor>,
}

impl MessagePage {
    /// A page from up to `limit + 1` messages read in listing order: stores read one more than
    /// asked, so a next page is promised only when it exists.
    pub fn from_read(mut messages: Vec<MessageSummary>, limit: usize) -> Self {
        let next = if messages.len() > limit {
            messages.truncate(limit);
            messages.last().map(|m| PageCursor {
                listed_at: m.listed_at,
                id: m.id.clone(),
            })
        } else {
            None
        };
        Self { messages, next }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequeueOutcome {
    Requeued,
    /// It exists but is not failed (pending or delivered): nothing changed.
    NotFailed,
    NotFound,
}

/// The operators' port: see what is pending or failed, and put a failed message back.
#[async_trait]
pub trait OutboxAdmin: Send + Sync {
    /// Messages with `status` (pending or failed), latest `listed_at` first, after `after`.
    async fn messages(
        &self,
        status: MessageStatus,
        limit: usize,
        after: Option<&PageCursor>,
    ) -> Result<MessagePage, StoreError>;

    /// Makes a failed message pending and due at `now`, with a fresh retry schedule.
    async fn requeue(
        &self,
        id: &MessageId,
        now: DateTime<Utc>,
    ) -> Result<RequeueOutcome, StoreError>;
}
