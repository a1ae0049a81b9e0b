//! Steps scheduled for later (docs/architecture.md#scheduled-steps): a survey's reminder and a
//! customer's win-back. Each is an outbox message due in days, written with its cause; when it
//! is due, the deliverer reads the facts as they are then, and either writes what the step
//! causes (the mail, its event, for a win-back the coupon and its platform discount) in one
//! atomic unit with the step's own settlement, or cancels the step.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{Claim, OutboxMessage, ShopIdentity, StoreError, Tally};
use crate::model::{
    Currency, CustomerId, CustomerName, Email, Locale, OrderId, PersonFingerprint, ReviewDecision,
    Reward, Survey, SurveyToken,
};

/// A step that waits in the outbox until it is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scheduled {
    SurveyReminder(ReminderPlan),
    Winback(WinbackPlan),
    ReviewDecision(ReviewPlan),
}

/// A held reward's automatic decision, written with the order that held it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewPlan {
    pub order_id: OrderId,
    pub decision: ReviewDecision,
    /// How the shop signs the reward mails of an approval.
    pub shop: ShopIdentity,
}

/// A survey's one reminder, written with the survey; the recipient is read from the survey
/// when it is due, so an erased or changed address is never mailed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderPlan {
    pub token: SurveyToken,
    /// Public base URL of collect-survey when the survey was sent.
    pub links_base: String,
    pub share_page: Option<String>,
    pub shop: ShopIdentity,
    /// When the survey's link expires: a reminder is not sent for a dead link.
    pub link_expires_at: DateTime<Utc>,
}

/// A customer's win-back: written by their first order and moved by each later one; who the
/// customer is (address, name, language) is read from their profile when it is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WinbackPlan {
    pub customer_id: CustomerId,
    pub amount_cents: u64,
    pub currency: Currency,
    /// How long the coupon is valid from the mail.
    pub valid_days: u32,
    /// The customer's own unsubscribe link, for the mail.
    pub unsubscribe_url: String,
    pub shop: ShopIdentity,
}

/// A survey as its reminder finds it, and whether its address opted out since.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderFacts {
    pub survey: Survey,
    pub opted_out: bool,
}

/// What a due reminder writes, all or nothing: the step settled as delivered (only while `claim`
/// is the step's latest), the survey marked reminded (only while it is unanswered and not
/// erased, and its address not opted out), the reminder mail, `survey.reminded` and the tally.
#[derive(Debug, Clone)]
pub struct ReminderCommit {
    pub claim: Claim,
    pub survey: SurveyToken,
    pub person: PersonFingerprint,
    pub reminded_at: DateTime<Utc>,
    pub messages: Vec<OutboxMessage>,
    pub tally: Tally,
}

/// A customer as their win-back finds them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WinbackFacts {
    /// `None` once the customer's data was erased.
    pub email: Option<Email>,
    pub name: Option<CustomerName>,
    pub locale: Option<Locale>,
    pub person: Option<PersonFingerprint>,
    pub opted_out: bool,
}

/// What a due win-back writes, all or nothing: the step settled as delivered (only while `claim`
/// is the step's latest: an order since moved it), the coupon, the profile's record of the mail
/// (only while the profile is not erased and the address not opted out), the mail,
/// `winback.sent`, the platform discount and the tally.
#[derive(Debug, Clone)]
pub struct WinbackCommit {
    pub claim: Claim,
    pub customer_id: CustomerId,
    pub person: PersonFingerprint,
    pub coupon: Reward,
    pub sent_at: DateTime<Utc>,
    pub messages: Vec<OutboxMessage>,
    pub tally: Tally,
}

/// How a step's commit ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepOutcome {
    Committed,
    /// A fact it relied on changed (an answer, an opt-out, an erasure, a coupon code taken):
    /// read and decide again.
    Stale,
    /// The step is no longer this claim's: it was moved by an order, cancelled by an erasure or
    /// claimed again after the claim ran out.
    ClaimLost,
}

/// The deliverer's reads and writes for scheduled steps.
#[async_trait]
pub trait ScheduledStore: Send + Sync {
    /// The survey behind a reminder (consistently read) and its address's opt-out.
    async fn reminder_facts(
        &self,
        token: &SurveyToken,
    ) -> Result<Option<ReminderFacts>, StoreError>;

    async fn commit_reminder(&self, commit: &ReminderCommit) -> Result<StepOutcome, StoreError>;

    /// The customer's profile (consistently read) and their address's opt-out; `None` for a
    /// customer without a profile.
    async fn winback_facts(
        &self,
        customer_id: &CustomerId,
    ) -> Result<Option<WinbackFacts>, StoreError>;

    async fn commit_winback(&self, commit: &WinbackCommit) -> Result<StepOutcome, StoreError>;
}
