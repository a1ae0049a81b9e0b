use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreError;
use crate::model::{
    Answer, CustomerName, Email, Locale, OrderId, Survey, SurveyDecision, SurveyRequest,
    SurveyToken,
};

/// Everything needed to (re)send a survey mail later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyMailJob {
    pub to: Email,
    pub name: Option<CustomerName>,
    pub locale: Option<Locale>,
    pub token: SurveyToken,
    /// Public base URL of collect-survey at the time of sending; links are `<base>/s/<token>`.
    pub links_base: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSurveyRequest {
    pub request_hash: String,
    pub decision: SurveyDecision,
    pub unsent_mail: Option<SurveyMailJob>,
    pub mail_lease_until: Option<DateTime<Utc>>,
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
    pub decision: SurveyDecision,
    /// Set when a survey is sent: it is written only if the address is still subscribed and
    /// nothing was sent to the customer or address since `throttle_cutoff`.
    pub mail: Option<SurveyMailJob>,
    pub sent_at: DateTime<Utc>,
    pub throttle_cutoff: DateTime<Utc>,
    pub mail_lease_until: Option<DateTime<Utc>>,
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

    async fn lease_survey_mail(
        &self,
        order_id: &OrderId,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// Records whether the mail went out and releases the lease.
    async fn finish_survey_mail(&self, order_id: &OrderId, sent: bool) -> Result<(), StoreError>;

    async fn survey(&self, token: &SurveyToken) -> Result<Option<Survey>, StoreError>;

    /// Stores `answer` if the survey's answer is still `previous`, moving the day counters in
    /// the same atomic step; `false` when another answer came in between.
    async fn record_answer(
        &self,
        token: &SurveyToken,
        previous: Option<&Answer>,
        answer: &Answer,
    ) -> Result<bool, StoreError>;

    /// Opts the survey's address out of all future surveys; `false` for an unknown token.
    async fn unsubscribe(&self, token: &SurveyToken, at: DateTime<Utc>)
        -> Result<bool, StoreError>;
}
