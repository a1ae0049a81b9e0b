//! A detractor's follow-up on DynamoDB (`FollowUpStore`): the survey found by its public id, and
//! the follow-up moved with its counter in one conditional transaction.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{TransactWriteItem, Update};

use super::attributes::{self, optional_string, Item};
use super::errors::{self, Transact};
use super::tallies::tally_put;
use super::update_expression::Expression;
use super::{keys, DynamoStore};
use domain::model::{FollowUp, Survey, SurveyId};
use domain::ports::stored;
use domain::ports::{FollowUpChange, FollowUpStore, StoreError, SurveyStore, Tally};

#[async_trait]
impl FollowUpStore for DynamoStore {
    async fn survey_by_id(&self, survey_id: &SurveyId) -> Result<Option<Survey>, StoreError> {
        match self.token_of(survey_id).await? {
            Some(token) => self.survey(&token).await,
            None => Ok(None),
        }
    }

    async fn set_follow_up(
        &self,
        survey: &Survey,
        change: &FollowUpChange,
        tally: &Tally,
    ) -> Result<bool, StoreError> {
        let mut expression = Expression::default();
        expression.follow_up(change);
        expression.condition_present("answered_at");
        let update = expression
            .apply(
                Update::builder()
                    .table_name(&self.table)
                    .set_key(Some(keys::survey(&survey.token))),
            )
            .build()
            .map_err(|e| StoreError::backend("building a follow-up update", e))?;
        let mut items = vec![TransactWriteItem::builder().update(update).build()];
        items.extend(tally_put(&self.table, tally)?);
        match self.transact("recording a follow-up", items).await? {
            Transact::Committed => Ok(true),
            Transact::Cancelled(reasons) if errors::is_throttled(&reasons) => {
                Err(StoreError::Throttled)
            }
            Transact::Cancelled(_) => Ok(false),
        }
    }
}

/// A follow-up from an item's attributes (a survey item or a responses-index entry).
pub(super) fn follow_up_from(item: &Item) -> Result<Option<FollowUp>, StoreError> {
    let version = item
        .contains_key("follow_up_version")
        .then(|| attributes::counter(item, "follow_up_version"))
        .transpose()?;
    stored::follow_up(
        optional_string(item, "follow_up_status"),
        optional_string(item, "follow_up_note"),
        optional_string(item, "follow_up_at"),
        optional_string(item, "follow_up_on"),
        version,
    )
}
