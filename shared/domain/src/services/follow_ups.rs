//! A detractor's follow-up moved on by support: the one rule, for the API route
//! (collect-survey) and the dashboard's form (score-nps).

use std::sync::Arc;

use crate::model::{FollowUp, FollowUpNote, FollowUpStatus, SurveyId};
use crate::ports::{Clock, FollowUpChange, FollowUpStore, Tally};

use super::optimistic::{until_done, Step};
use super::SurveyError;

#[derive(Clone)]
pub struct FollowUpService {
    store: Arc<dyn FollowUpStore>,
    clock: Arc<dyn Clock>,
}

impl FollowUpService {
    pub fn new(store: Arc<dyn FollowUpStore>, clock: Arc<dyn Clock>) -> Self {
        Self { store, clock }
    }

    /// Moves a detractor's follow-up on (support called, the matter is resolved, or it is open
    /// again); the note replaces the previous one.
    pub async fn record(
        &self,
        survey_id: &SurveyId,
        status: FollowUpStatus,
        note: Option<FollowUpNote>,
    ) -> Result<FollowUp, SurveyError> {
        until_done(
            || self.record_once(survey_id, status, note.as_ref()),
            |_| SurveyError::Contention,
        )
        .await
    }

    /// One read → decide → commit of `record`.
    async fn record_once(
        &self,
        survey_id: &SurveyId,
        status: FollowUpStatus,
        note: Option<&FollowUpNote>,
    ) -> Result<Step<FollowUp>, SurveyError> {
        let survey = self
            .store
            .survey_by_id(survey_id)
            .await?
            .filter(|survey| survey.answer.is_some())
            .ok_or(SurveyError::NotFound)?;
        let previous = survey.follow_up.clone().ok_or(SurveyError::NoFollowUp)?;
        let next = FollowUp {
            status,
            note: note.cloned(),
            updated_at: self.clock.now(),
            opened_on: previous.opened_on,
            version: previous.version + 1,
        };
        let change = FollowUpChange {
            previous: Some(previous),
            next: next.clone(),
        };
        let tally = Tally::follow_up(&change);
        Ok(
            if self.store.set_follow_up(&survey, &change, &tally).await? {
                Step::Done(next)
            } else {
                Step::Stale
            },
        )
    }
}
