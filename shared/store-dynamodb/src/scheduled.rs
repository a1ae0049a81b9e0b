//! Scheduled steps on DynamoDB: a due step's facts in one consistent `BatchGetItem`, its effects
//! and its settlement in one `TransactWriteItems` whose conditions are those facts.

use std::collections::HashMap;

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, ConditionCheck, TransactWriteItem, Update};

use super::attributes::{number, optional_string, timestamp, Item};
use super::coupons::coupon_item;
use super::errors::{self, Transact};
use super::keys::{self, OUTBOX_AT, OUTBOX_STATUS};
use super::outbox::message_puts;
use super::surveys::survey_from;
use super::tallies::tally_put;
use super::DynamoStore;
use domain::model::{CustomerId, CustomerName, Email, Locale, PersonFingerprint, SurveyToken};
use domain::ports::stored;
use domain::ports::{
    Claim, ReminderCommit, ReminderFacts, ScheduledStore, StepOutcome, StoreError, WinbackCommit,
    WinbackFacts,
};

/// The step's own settlement is the transaction's first item, so its failed condition tells a
/// lost claim from a changed fact.
const STEP_INDEX: usize = 0;

const BUILD: &str = "building a scheduled step's transaction";

/// Settles the step as delivered while `claim` is still its latest.
pub(super) fn settle_step(
    table: &str,
    claim: &Claim,
    now: &AttributeValue,
) -> Result<TransactWriteItem, StoreError> {
    let update = Update::builder()
        .table_name(table)
        .set_key(Some(keys::outbox_message(&claim.message.id)))
        .update_expression(
            "SET #status = :delivered, updated_at = :now, delivered_at = :now \
             REMOVE #index_status, #at, next_attempt_at",
        )
        .condition_expression("claims = :fence AND #status = :pending")
        .expression_attribute_names("#status", "status")
        .expression_attribute_names("#index_status", OUTBOX_STATUS)
        .expression_attribute_names("#at", OUTBOX_AT)
        .expression_attribute_values(":delivered", AttributeValue::S("delivered".into()))
        .expression_attribute_values(":pending", AttributeValue::S("pending".into()))
        .expression_attribute_values(":fence", number(claim.fence))
        .expression_attribute_values(":now", now.clone())
        .build()
        .map_err(|e| StoreError::backend(BUILD, e))?;
    Ok(TransactWriteItem::builder().update(update).build())
}

/// The address has not opted out.
fn not_opted_out(table: &str, person: &PersonFingerprint) -> Result<TransactWriteItem, StoreError> {
    let check = ConditionCheck::builder()
        .table_name(table)
        .set_key(Some(keys::opt_out(person)))
        .condition_expression("attribute_not_exists(#pk)")
        .expression_attribute_names("#pk", keys::PK)
        .build()
        .map_err(|e| StoreError::backend(BUILD, e))?;
    Ok(TransactWriteItem::builder().condition_check(check).build())
}

impl DynamoStore {
    /// An item and the opt-out of the fingerprint it names, read together.
    async fn with_opt_out(
        &self,
        key: keys::Key,
        person_of: impl Fn(&Item) -> Option<PersonFingerprint>,
    ) -> Result<Option<(Item, bool)>, StoreError> {
        let Some(item) = self.get_consistent(key, "reading a step's facts").await? else {
            return Ok(None);
        };
        let opted_out = match person_of(&item) {
            Some(person) => self
                .get_consistent(keys::opt_out(&person), "reading an opt-out")
                .await?
                .is_some(),
            None => false,
        };
        Ok(Some((item, opted_out)))
    }

    async fn commit_step(
        &self,
        context: &'static str,
        items: Vec<TransactWriteItem>,
    ) -> Result<StepOutcome, StoreError> {
        match self.transact(context, items).await? {
            Transact::Committed => Ok(StepOutcome::Committed),
            Transact::Cancelled(reasons) if errors::is_throttled(&reasons) => {
                Err(StoreError::Throttled)
            }
            Transact::Cancelled(reasons) if errors::failed_condition(&reasons, STEP_INDEX) => {
                Ok(StepOutcome::ClaimLost)
            }
            Transact::Cancelled(_) => Ok(StepOutcome::Stale),
        }
    }
}

fn person(item: &Item) -> Option<PersonFingerprint> {
    optional_string(item, "person").and_then(PersonFingerprint::from_stored)
}

#[async_trait]
impl ScheduledStore for DynamoStore {
    async fn reminder_facts(
        &self,
        token: &SurveyToken,
    ) -> Result<Option<ReminderFacts>, StoreError> {
        let Some((item, opted_out)) = self.with_opt_out(keys::survey(token), person).await? else {
            return Ok(None);
        };
        Ok(Some(ReminderFacts {
            survey: survey_from(&item)?,
            opted_out,
        }))
    }

    async fn commit_reminder(&self, commit: &ReminderCommit) -> Result<StepOutcome, StoreError> {
        let now = timestamp(commit.reminded_at);
        let survey = Update::builder()
            .table_name(&self.table)
            .set_key(Some(keys::survey(&commit.survey)))
            .update_expression("SET reminded_at = :now")
            .condition_expression(
                "attribute_exists(email) AND attribute_not_exists(answered_at) \
                 AND attribute_not_exists(reminded_at)",
            )
            .expression_attribute_values(":now", now.clone())
            .build()
            .map_err(|e| StoreError::backend(BUILD, e))?;
        let mut items = vec![
            settle_step(&self.table, &commit.claim, &now)?,
            TransactWriteItem::builder().update(survey).build(),
            not_opted_out(&self.table, &commit.person)?,
        ];
        items.extend(tally_put(&self.table, &commit.tally)?);
        items.extend(message_puts(&self.table, self.retention, &commit.messages)?);
        self.commit_step("sending a survey reminder", items).await
    }

    async fn winback_facts(
        &self,
        customer_id: &CustomerId,
    ) -> Result<Option<WinbackFacts>, StoreError> {
        let Some((item, opted_out)) = self
            .with_opt_out(keys::customer_profile(customer_id), person)
            .await?
        else {
            return Ok(None);
        };
        Ok(Some(WinbackFacts {
            email: stored::optional(
                optional_string(&item, "email"),
                Email::parse,
                "customer email",
            )?,
            name: stored::optional(
                optional_string(&item, "name"),
                CustomerName::parse,
                "customer name",
            )?,
            locale: stored::optional(
                optional_string(&item, "locale"),
                Locale::parse,
                "customer locale",
            )?,
            person: person(&item),
            opted_out,
        }))
    }

    async fn commit_winback(&self, commit: &WinbackCommit) -> Result<StepOutcome, StoreError> {
        let now = timestamp(commit.sent_at);
        let mut values: HashMap<String, AttributeValue> =
            HashMap::from([(":now".to_owned(), now.clone())]);
        let mut sets = vec!["winback_sent_at = :now"];
        if let Some(until) = commit.coupon.valid_until {
            sets.push("winback_until = :until");
            values.insert(":until".into(), timestamp(until));
        }
        let profile = Update::builder()
            .table_name(&self.table)
            .set_key(Some(keys::customer_profile(&commit.customer_id)))
            .update_expression(format!("SET {}", sets.join(", ")))
            .condition_expression("attribute_exists(email)")
            .set_expression_attribute_values(Some(values))
            .build()
            .map_err(|e| StoreError::backend(BUILD, e))?;
        let mut items = vec![
            settle_step(&self.table, &commit.claim, &now)?,
            TransactWriteItem::builder().update(profile).build(),
            not_opted_out(&self.table, &commit.person)?,
            keys::put_if_new(&self.table, coupon_item(&commit.coupon), BUILD)?,
        ];
        items.extend(tally_put(&self.table, &commit.tally)?);
        items.extend(message_puts(&self.table, self.retention, &commit.messages)?);
        self.commit_step("sending a win-back mail", items).await
    }
}
