use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{OutboxMessage, StoreError, Tally};
use crate::model::{
    Answer, CustomerId, FollowUp, Locale, PersonFingerprint, Survey, SurveyDecision, SurveyId,
    SurveyRequest, SurveyToken,
};

/// Builds the `customer.unsubscribed` event for the opted-out address's fingerprint, if events
/// are written at all.
pub type OptOutMessage<'a> = dyn Fn(&PersonFingerprint) -> Option<OutboxMessage> + Send + Sync + 'a;

/// A customer opted out through their own unsubscribe link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerOptOut {
    /// Their profile's language, for the page that confirms it.
    pub locale: Option<Locale>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSurveyRequest {
    pub request_hash: String,
    pub decision: SurveyDecision,
}

/// Facts for the send/skip decision, read together.
#[derive(Debug, Clone)]
pub struct SurveyRequestContext {
    pub existing: Option<StoredSurveyRequest>,
    pub unsubscribed: bool,
    /// The latest survey sent to this customer id or canonical email.
    pub last_surveyed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub struct SurveyRequestCommit {
    pub request: SurveyRequest,
    /// The fingerprint of the request's address, stored with the survey.
    pub person: PersonFingerprint,
    pub request_hash: String,
    /// A sent survey is written only if the address is still subscribed and nothing was sent
    /// to the customer or address since `throttle_cutoff`.
    pub decision: SurveyDecision,
    pub sent_at: DateTime<Utc>,
    pub throttle_cutoff: DateTime<Utc>,
    /// The survey mail and the `survey.sent` event, written in the same atomic unit.
    pub messages: Vec<OutboxMessage>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SurveyCommitOutcome {
    Committed,
    Exists(StoredSurveyRequest),
    Stale,
}

/// A follow-up replacing `previous` (none yet, or the one read): written only if the stored one
/// is still `previous`, with the tally of what it moves on the open-detractor counters in the
/// same step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUpChange {
    pub previous: Option<FollowUp>,
    pub next: FollowUp,
}

/// A detractor's follow-up, found by the survey's public id: collect-survey's route and the
/// dashboard's form (score-nps) write it, and nothing else of a survey.
#[async_trait]
pub trait FollowUpStore: Send + Sync {
    /// The survey with this public id (a follow-up names it so).
    async fn survey_by_id(&self, survey_id: &SurveyId) -> Result<Option<Survey>, StoreError>;

    /// Applies a follow-up change to an answered survey (as read) with its `tally`
    /// (`Tally::follow_up`); `false` if the stored follow-up is no longer `change.previous`.
    async fn set_follow_up(
        &self,
        survey: &Survey,
        change: &FollowUpChange,
        tally: &Tally,
    ) -> Result<bool, StoreError>;
}

/// Storage of survey requests, surveys, answers and opt-outs (answers move the NPS day counters).
#[async_trait]
pub trait SurveyStore: FollowUpStore {
    /// `person` is the fingerprint of the request's address, which keys the opt-out and the
    /// throttle.
    async fn survey_request_context(
        &self,
        request: &SurveyRequest,
        person: &PersonFingerprint,
    ) -> Result<SurveyRequestContext, StoreError>;

    async fn commit_survey_request(
        &self,
        commit: &SurveyRequestCommit,
    ) -> Result<SurveyCommitOutcome, StoreError>;

    async fn survey(&self, token: &SurveyToken) -> Result<Option<Survey>, StoreError>;

    /// Stores `answer` if the survey's answer is still the one read, with `tally` (what it moves
    /// on the day counters, `Tally::answer`), applying `follow_up` (a detractor's answer opens
    /// one) and writing `messages` (detractor alert, `survey.answered`) in the same atomic step;
    /// `false` when another answer or follow-up came in between.
    async fn record_answer(
        &self,
        survey: &Survey,
        answer: &Answer,
        follow_up: Option<&FollowUpChange>,
        messages: &[OutboxMessage],
        tally: &Tally,
    ) -> Result<bool, StoreError>;

    /// Opts the survey's address out of all future surveys, writing `message` (the
    /// `customer.unsubscribed` event) only if the address was not opted out before; `false` for
    /// an unknown token.
    async fn unsubscribe(
        &self,
        token: &SurveyToken,
        at: DateTime<Utc>,
        message: Option<OutboxMessage>,
    ) -> Result<bool, StoreError>;

    /// Opts the address of the customer's profile out of surveys and win-back mails, writing
    /// `message(person)` only if it was not opted out before; `None` for a customer without a
    /// profile (or one recorded before profiles kept the fingerprint).
    async fn unsubscribe_customer(
        &self,
        customer: &CustomerId,
        at: DateTime<Utc>,
        message: &OptOutMessage<'_>,
    ) -> Result<Option<CustomerOptOut>, StoreError>;
}
