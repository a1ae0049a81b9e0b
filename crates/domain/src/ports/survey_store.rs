use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{OutboxMessage, StoreError};
use crate::model::{Answer, Survey, SurveyDecision, SurveyRequest, SurveyToken};

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

/// Storage of survey requests, surveys, answers and opt-outs (answers move the NPS day counters).
#[async_trait]
pub trait SurveyStore: Send + Sync {
    async fn survey_request_context(
        &self,
        request: &SurveyRequest,
    ) -> Result<SurveyRequestContext, StoreError>;

    async fn commit_survey_request(
        &self,
        commit: &SurveyRequestCommit,
    ) -> Result<SurveyCommitOutcome, StoreError>;

    async fn survey(&self, token: &SurveyToken) -> Result<Option<Survey>, StoreError>;

    /// Stores `answer` if the survey's answer is still `previous`, moving the day counters and
    /// writing `messages` (detractor alert, `survey.answered`) in the same atomic step; `false`
    /// when another answer came in between.
    async fn record_answer(
        &self,
        token: &SurveyToken,
        previous: Option<&Answer>,
        answer: &Answer,
        messages: &[OutboxMessage],
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
}
