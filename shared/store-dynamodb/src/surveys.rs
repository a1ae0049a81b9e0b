use std::collections::HashMap;

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, ConditionCheck, Put, TransactWriteItem, Update};
use chrono::{DateTime, Utc};

use super::attributes::{self, expiry, number, optional_string, string, timestamp, Item};
use super::errors::{self, classify, Transact};
use super::follow_ups::follow_up_from;
use super::outbox::message_puts;
use super::tallies::tally_put;
use super::update_expression::Expression;
use super::{keys, DynamoStore};
use domain::model::{
    response_sort_key, Answer, Comment, CustomerId, CustomerName, Email, Locale, OrderId,
    PersonFingerprint, Score, Segment, Survey, SurveyDecision, SurveyId, SurveyRequest,
    SurveyToken,
};
use domain::ports::stored;
use domain::ports::{
    CustomerOptOut, FollowUpChange, OptOutMessage, OutboxMessage, StoreError, StoredSurveyRequest,
    SurveyCommitOutcome, SurveyRequestCommit, SurveyRequestContext, SurveyStore, Tally,
};

const REQUEST_INDEX: usize = 0;

#[async_trait]
impl SurveyStore for DynamoStore {
    async fn survey_request_context(
        &self,
        request: &SurveyRequest,
        person: &PersonFingerprint,
    ) -> Result<SurveyRequestContext, StoreError> {
        let request_key = keys::survey_request(&request.order_id);
        let opt_out_key = keys::opt_out(person);
        let surveyed = keys::surveyed(&request.customer_id, person);
        let mut wanted = vec![request_key.clone(), opt_out_key.clone()];
        wanted.extend(surveyed.iter().cloned());
        let mut by_pk: HashMap<String, Item> = self
            .batch_get(wanted)
            .await?
            .into_iter()
            .map(|item| (keys::partition(&item).to_owned(), item))
            .collect();
        let existing = by_pk
            .remove(keys::partition(&request_key))
            .map(|item| stored_request(&item))
            .transpose()?;
        let unsubscribed = by_pk.contains_key(keys::partition(&opt_out_key));
        let mut last_surveyed_at = None;
        for key in &surveyed {
            if let Some(item) = by_pk.get(keys::partition(key)) {
                let at = attributes::parse_timestamp(item, "last_sent_at")?;
                last_surveyed_at = last_surveyed_at.max(Some(at));
            }
        }
        Ok(SurveyRequestContext {
            existing,
            unsubscribed,
            last_surveyed_at,
        })
    }

    async fn commit_survey_request(
        &self,
        commit: &SurveyRequestCommit,
    ) -> Result<SurveyCommitOutcome, StoreError> {
        let build = |e| StoreError::backend("building the survey transaction", e);
        let request = &commit.request;
        let mut record = keys::survey_request(&request.order_id);
        record.insert(
            "request_hash".into(),
            AttributeValue::S(commit.request_hash.clone()),
        );
        record.insert(
            "decision".into(),
            AttributeValue::S(stored::decision_label(&commit.decision).into()),
        );
        let new_item =
            |item: Item| keys::put_if_new(&self.table, item, "building the survey transaction");
        if let SurveyDecision::Sent(token) = &commit.decision {
            record.insert("token".into(), AttributeValue::S(token.to_string()));
        }
        let mut items = vec![new_item(record)?];
        if let SurveyDecision::Sent(token) = &commit.decision {
            let not_opted_out = ConditionCheck::builder()
                .table_name(&self.table)
                .set_key(Some(keys::opt_out(&commit.person)))
                .condition_expression("attribute_not_exists(#pk)")
                .expression_attribute_names("#pk", keys::PK)
                .build()
                .map_err(build)?;
            items.push(
                TransactWriteItem::builder()
                    .condition_check(not_opted_out)
                    .build(),
            );
            for mut surveyed in keys::surveyed(&request.customer_id, &commit.person) {
                surveyed.insert("last_sent_at".into(), timestamp(commit.sent_at));
                let put = Put::builder()
                    .table_name(&self.table)
                    .set_item(Some(surveyed))
                    .condition_expression("attribute_not_exists(#pk) OR last_sent_at <= :cutoff")
                    .expression_attribute_names("#pk", keys::PK)
                    .expression_attribute_values(":cutoff", timestamp(commit.throttle_cutoff))
                    .build()
                    .map_err(build)?;
                items.push(TransactWriteItem::builder().put(put).build());
            }
            let mut survey = keys::survey(token);
            survey.insert("token".into(), AttributeValue::S(token.to_string()));
            survey.insert(
                "order_id".into(),
                AttributeValue::S(request.order_id.to_string()),
            );
            survey.insert(
                "customer_id".into(),
                AttributeValue::S(request.customer_id.to_string()),
            );
            survey.insert("email".into(), AttributeValue::S(request.email.to_string()));
            survey.insert(
                keys::PERSON.into(),
                AttributeValue::S(commit.person.to_string()),
            );
            survey.insert("sent_at".into(), timestamp(commit.sent_at));
            survey.insert(
                keys::EXPIRES_AT.into(),
                expiry(self.retention.expires_at(commit.sent_at)),
            );
            let survey_id = token.survey_id();
            survey.insert("survey_id".into(), AttributeValue::S(survey_id.to_string()));
            if let Some(segment) = &request.segment {
                survey.insert("segment".into(), AttributeValue::S(segment.to_string()));
            }
            if let Some(name) = &request.name {
                survey.insert("name".into(), AttributeValue::S(name.to_string()));
            }
            if let Some(locale) = request.locale {
                survey.insert("locale".into(), AttributeValue::S(locale.as_str().into()));
            }
            items.push(new_item(survey)?);
            let mut pointer = keys::survey_id(&survey_id);
            pointer.insert("token".into(), AttributeValue::S(token.to_string()));
            // The pointer outlives the survey by the longest a link stays open (365 days), so
            // an answer given late keeps its follow-up reachable as long as the answer is kept.
            pointer.insert(
                keys::EXPIRES_AT.into(),
                expiry(self.retention.expires_at(commit.sent_at) + chrono::Duration::days(365)),
            );
            items.push(new_item(pointer)?);
        }
        items.extend(message_puts(&self.table, self.retention, &commit.messages)?);
        let reasons = match self.transact("committing a survey request", items).await? {
            Transact::Committed => return Ok(SurveyCommitOutcome::Committed),
            Transact::Cancelled(reasons) => reasons,
        };
        if errors::failed_condition(&reasons, REQUEST_INDEX) {
            let item = self
                .get_consistent(
                    keys::survey_request(&request.order_id),
                    "reading a concurrent survey request",
                )
                .await?
                .ok_or_else(|| {
                    StoreError::Corrupt("survey request condition failed but none exists".into())
                })?;
            return Ok(SurveyCommitOutcome::Exists(stored_request(&item)?));
        }
        if errors::is_throttled(&reasons) {
            return Err(StoreError::Throttled);
        }
        Ok(SurveyCommitOutcome::Stale)
    }

    async fn survey(&self, token: &SurveyToken) -> Result<Option<Survey>, StoreError> {
        self.get_consistent(keys::survey(token), "reading a survey")
            .await?
            .map(|item| survey_from(&item))
            .transpose()
    }

    async fn record_answer(
        &self,
        survey: &Survey,
        answer: &Answer,
        follow_up: Option<&FollowUpChange>,
        messages: &[OutboxMessage],
        tally: &Tally,
    ) -> Result<bool, StoreError> {
        let build = |e| StoreError::backend("building the answer transaction", e);
        let survey_id = survey.token.survey_id();
        let mut expression = Expression::default();
        expression.set("score", number(u64::from(answer.score.value())));
        expression.set("answered_at", timestamp(answer.answered_at));
        expression.set("revision", number(answer.revision));
        // The answer and its comment are kept for the retention period from when given.
        expression.set(
            keys::EXPIRES_AT,
            expiry(self.retention.expires_at(answer.answered_at)),
        );
        expression.set("survey_id", AttributeValue::S(survey_id.to_string()));
        expression.set(
            keys::RESPONSE_MONTH,
            AttributeValue::S(keys::response_month(answer.answered_at.date_naive())),
        );
        expression.set(
            keys::RESPONSE_AT,
            AttributeValue::S(response_sort_key(answer.answered_at, &survey_id)),
        );
        match &answer.comment {
            Some(comment) => {
                expression.set("comment", AttributeValue::S(comment.as_ref().to_owned()))
            }
            None => expression.remove("comment"),
        }
        match &survey.answer {
            Some(previous) => {
                expression.set("previous_score", number(u64::from(previous.score.value())))
            }
            None => expression.remove("previous_score"),
        }
        match &survey.answer {
            None => expression.condition_absent("revision"),
            Some(previous) => expression.condition_equal("revision", number(previous.revision)),
        }
        if let Some(change) = follow_up {
            expression.follow_up(change);
        }
        expression.condition_present(keys::PK);
        let update = expression
            .apply(
                Update::builder()
                    .table_name(&self.table)
                    .set_key(Some(keys::survey(&survey.token))),
            )
            .build()
            .map_err(build)?;
        let mut items = vec![TransactWriteItem::builder().update(update).build()];
        items.extend(tally_put(&self.table, tally)?);
        items.extend(message_puts(&self.table, self.retention, messages)?);
        match self.transact("recording a survey answer", items).await? {
            Transact::Committed => Ok(true),
            Transact::Cancelled(reasons) if errors::is_throttled(&reasons) => {
                Err(StoreError::Throttled)
            }
            Transact::Cancelled(_) => Ok(false),
        }
    }

    async fn unsubscribe(
        &self,
        token: &SurveyToken,
        at: DateTime<Utc>,
        message: Option<OutboxMessage>,
    ) -> Result<bool, StoreError> {
        let Some(item) = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(keys::survey(token)))
            .projection_expression(keys::PERSON)
            .send()
            .await
            .map_err(|e| classify("reading a survey to unsubscribe", e))?
            .item
        else {
            return Ok(false);
        };
        let person = PersonFingerprint::from_stored(string(&item, keys::PERSON)?)
            .ok_or_else(|| StoreError::Corrupt("bad survey fingerprint".into()))?;
        self.opt_out(&person, at, message).await?;
        Ok(true)
    }

    async fn unsubscribe_customer(
        &self,
        customer: &CustomerId,
        at: DateTime<Utc>,
        message: &OptOutMessage<'_>,
    ) -> Result<Option<CustomerOptOut>, StoreError> {
        let Some(item) = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(keys::customer_profile(customer)))
            .projection_expression("#person, #locale")
            .expression_attribute_names("#person", keys::PERSON)
            .expression_attribute_names("#locale", "locale")
            .send()
            .await
            .map_err(|e| classify("reading a profile to unsubscribe", e))?
            .item
        else {
            return Ok(None);
        };
        let Some(person) =
            optional_string(&item, keys::PERSON).and_then(PersonFingerprint::from_stored)
        else {
            return Ok(None);
        };
        self.opt_out(&person, at, message(&person)).await?;
        Ok(Some(CustomerOptOut {
            locale: optional_string(&item, "locale").and_then(|l| Locale::parse(l).ok()),
        }))
    }
}

impl DynamoStore {
    /// The token behind a public survey id, from its pointer item.
    pub(super) async fn token_of(
        &self,
        survey_id: &SurveyId,
    ) -> Result<Option<SurveyToken>, StoreError> {
        let item = self
            .get_consistent(keys::survey_id(survey_id), "reading a survey id")
            .await?;
        item.map(|item| {
            SurveyToken::parse(string(&item, "token")?)
                .map_err(|_| StoreError::Corrupt("bad survey id pointer".into()))
        })
        .transpose()
    }

    /// The opt-out and its event in one transaction; an address opted out before keeps its
    /// first opt-out and gets no second event.
    /// The address's opt-out, with `message` (the `customer.unsubscribed` event) only if it is
    /// new; opting out twice changes nothing.
    async fn opt_out(
        &self,
        person: &PersonFingerprint,
        at: DateTime<Utc>,
        message: Option<OutboxMessage>,
    ) -> Result<(), StoreError> {
        if let Some(message) = message {
            return self.opt_out_with_message(person, at, message).await;
        }
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(keys::opt_out(person)))
            .update_expression("SET opted_out_at = if_not_exists(opted_out_at, :at)")
            .expression_attribute_values(":at", timestamp(at))
            .send()
            .await
            .map_err(|e| classify("recording an opt-out", e))?;
        Ok(())
    }

    async fn opt_out_with_message(
        &self,
        person: &PersonFingerprint,
        at: DateTime<Utc>,
        message: OutboxMessage,
    ) -> Result<(), StoreError> {
        let mut opt_out = keys::opt_out(person);
        opt_out.insert("opted_out_at".into(), timestamp(at));
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(opt_out))
            .condition_expression("attribute_not_exists(#pk)")
            .expression_attribute_names("#pk", keys::PK)
            .build()
            .map_err(|e| StoreError::backend("building an opt-out", e))?;
        let mut items = vec![TransactWriteItem::builder().put(put).build()];
        items.extend(message_puts(&self.table, self.retention, &[message])?);
        match self.transact("recording an opt-out", items).await? {
            Transact::Committed => Ok(()),
            Transact::Cancelled(reasons) if errors::is_throttled(&reasons) => {
                Err(StoreError::Throttled)
            }
            Transact::Cancelled(reasons) if errors::failed_condition(&reasons, 0) => Ok(()),
            Transact::Cancelled(_) => Err(StoreError::Contention {
                operation: "record an opt-out",
                attempts: 1,
            }),
        }
    }
}

fn stored_request(item: &Item) -> Result<StoredSurveyRequest, StoreError> {
    Ok(StoredSurveyRequest {
        request_hash: string(item, "request_hash")?.to_owned(),
        decision: stored::decision_from(string(item, "decision")?, optional_string(item, "token"))?,
    })
}

pub(super) fn survey_from(item: &Item) -> Result<Survey, StoreError> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("bad survey {what}"));
    let answer = match (item.get("score"), optional_string(item, "answered_at")) {
        (Some(_), Some(at)) => Some(Answer {
            score: u8::try_from(attributes::counter(item, "score")?)
                .ok()
                .and_then(|s| Score::new(s).ok())
                .ok_or_else(|| corrupt("score"))?,
            comment: optional_string(item, "comment")
                .map(Comment::parse)
                .transpose()
                .map_err(|_| corrupt("comment"))?
                .flatten(),
            answered_at: stored::parse_timestamp(at)?,
            revision: attributes::counter(item, "revision")?,
        }),
        _ => None,
    };
    Ok(Survey {
        token: SurveyToken::parse(string(item, "token")?).map_err(|_| corrupt("token"))?,
        order_id: OrderId::parse(string(item, "order_id")?).map_err(|_| corrupt("order"))?,
        customer_id: CustomerId::parse(string(item, "customer_id")?)
            .map_err(|_| corrupt("customer"))?,
        email: optional_string(item, "email")
            .map(Email::parse)
            .transpose()
            .map_err(|_| corrupt("email"))?,
        person: PersonFingerprint::from_stored(string(item, keys::PERSON)?)
            .ok_or_else(|| corrupt("fingerprint"))?,
        name: optional_string(item, "name")
            .map(CustomerName::parse)
            .transpose()
            .map_err(|_| corrupt("name"))?,
        locale: optional_string(item, "locale")
            .map(Locale::parse)
            .transpose()
            .map_err(|_| corrupt("locale"))?,
        segment: stored::optional(
            optional_string(item, "segment"),
            Segment::parse,
            "survey segment",
        )?,
        sent_at: attributes::parse_timestamp(item, "sent_at")?,
        reminded_at: optional_string(item, "reminded_at")
            .map(stored::parse_timestamp)
            .transpose()?,
        answer,
        follow_up: follow_up_from(item)?,
    })
}
