//! A detractor's follow-up in SQLite (`FollowUpStore`): the survey found by its public id, and
//! the follow-up moved with its counter in one transaction.

use async_trait::async_trait;
use rusqlite::{params, OptionalExtension, Transaction, TransactionBehavior};

use super::surveys::{day_key_of, read_survey, survey_from};
use super::tallies::record_tally;
use super::EmbeddedStore;
use domain::model::{rfc3339, FollowUp, Survey, SurveyId};
use domain::ports::{FollowUpChange, FollowUpStore, StoreError, Tally};

#[async_trait]
impl FollowUpStore for EmbeddedStore {
    async fn survey_by_id(&self, survey_id: &SurveyId) -> Result<Option<Survey>, StoreError> {
        let survey_id = survey_id.to_string();
        let raw = self
            .with_connection("reading a survey by id", move |connection| {
                read_survey(connection, "survey_id", &survey_id)
            })
            .await?;
        raw.map(survey_from).transpose()
    }

    async fn set_follow_up(
        &self,
        survey: &Survey,
        change: &FollowUpChange,
        tally: &Tally,
    ) -> Result<bool, StoreError> {
        let token = survey.token.to_string();
        let change = change.clone();
        let tally = tally.clone();
        self.with_connection("recording a follow-up", move |connection| {
            let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            if !follow_up_unchanged(&tx, &token, &change)? {
                return Ok(false);
            }
            write_follow_up(&tx, &token, &change.next)?;
            record_tally(&tx, &tally)?;
            tx.commit()?;
            Ok(true)
        })
        .await
    }
}

pub(super) fn follow_up_unchanged(
    tx: &Transaction<'_>,
    token: &str,
    change: &FollowUpChange,
) -> rusqlite::Result<bool> {
    let stored: Option<Option<i64>> = tx
        .query_row(
            "SELECT follow_up_version FROM surveys WHERE token = ?1",
            [token],
            |row| row.get(0),
        )
        .optional()?;
    let expected = change.previous.as_ref().map(|p| p.version as i64);
    Ok(stored.is_some_and(|version| version == expected))
}

pub(super) fn write_follow_up(
    tx: &Transaction<'_>,
    token: &str,
    follow_up: &FollowUp,
) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE surveys SET follow_up_status = ?1, follow_up_note = ?2, follow_up_at = ?3,
         follow_up_on = ?4, follow_up_version = ?5 WHERE token = ?6",
        params![
            follow_up.status.as_str(),
            follow_up.note.as_ref().map(AsRef::<str>::as_ref),
            rfc3339(follow_up.updated_at),
            day_key_of(follow_up.opened_on),
            follow_up.version as i64,
            token,
        ],
    )?;
    Ok(())
}
