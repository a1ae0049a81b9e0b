use std::collections::HashMap;

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, ConditionCheck, Put, TransactWriteItem, Update};
use chrono::{DateTime, NaiveDate, Utc};

use super::attributes::{self, number, optional_string, string, timestamp, Item};
use super::errors::{self, classify, Transact};
use super::outbox::message_puts;
use super::{keys, DynamoStore};
use domain::model::{
    Answer, Comment, CustomerId, CustomerName, Email, Locale, OrderId, Score, Survey,
    SurveyDecision, SurveyRequest, SurveyToken,
};
use domain::ports::stored::{self, bucket};
use domain::ports::{
    OutboxMessage, StoreError, StoredSurveyRequest, SurveyCommitOutcome, SurveyRequestCommit,
    SurveyRequestContext, SurveyStore,
};

const REQUEST_INDEX: usize = 0;

#[async_trait]
impl SurveyStore for DynamoStore {
    async fn survey_request_context(
        &self,
        request: &SurveyRequest,
    ) -> Result<SurveyRequestContext, StoreError> {
        let request_key = keys::survey_request(&request.order_id);
        let opt_out_key = keys::opt_out(&request.email.canonical_hash());
        let surveyed = keys::surveyed(&request.customer_id, &request.email.canonical_hash());
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
        let new_item = |item: Item| {
            Put::builder()
                .table_name(&self.table)
                .set_item(Some(item))
                .condition_expression("attribute_not_exists(#pk)")
                .expression_attribute_names("#pk", keys::PK)
                .build()
                .map(|put| TransactWriteItem::builder().put(put).build())
                .map_err(build)
        };
        if let SurveyDecision::Sent(token) = &commit.decision {
            record.insert("token".into(), AttributeValue::S(token.to_string()));
        }
        let mut items = vec![new_item(record)?];
        if let SurveyDecision::Sent(token) = &commit.decision {
            let not_opted_out = ConditionCheck::builder()
                .table_name(&self.table)
                .set_key(Some(keys::opt_out(&request.email.canonical_hash())))
                .condition_expression("attribute_not_exists(#pk)")
                .expression_attribute_names("#pk", keys::PK)
                .build()
                .map_err(build)?;
            items.push(
                TransactWriteItem::builder()
                    .condition_check(not_opted_out)
                    .build(),
            );
            for mut surveyed in
                keys::surveyed(&request.customer_id, &request.email.canonical_hash())
            {
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
                "person".into(),
                AttributeValue::S(request.email.canonical_hash()),
            );
            survey.insert("sent_at".into(), timestamp(commit.sent_at));
            if let Some(name) = &request.name {
                survey.insert("name".into(), AttributeValue::S(name.to_string()));
            }
            if let Some(locale) = request.locale {
                survey.insert("locale".into(), AttributeValue::S(locale.as_str().into()));
            }
            items.push(new_item(survey)?);
        }
        items.extend(message_puts(&self.table, &commit.messages)?);
        let reasons = match self.transact("committing a survey request", items).await? {
            Transact::Committed => return Ok(SurveyCommitOutcome::Committed),
            Transact::Cancelled(reasons) => reasons,
        };
        if errors::failed_condition(&reasons, REQUEST_INDEX) {
            let item = self
                .client
                .get_item()
                .table_name(&self.table)
                .set_key(Some(keys::survey_request(&request.order_id)))
                .consistent_read(true)
                .send()
                .await
                .map_err(|e| classify("reading a concurrent survey request", e))?
                .item
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
        let item = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(keys::survey(token)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| classify("reading a survey", e))?
            .item;
        item.map(|item| survey_from(&item)).transpose()
    }

    async fn record_answer(
        &self,
        token: &SurveyToken,
        previous: Option<&Answer>,
        answer: &Answer,
        messages: &[OutboxMessage],
    ) -> Result<bool, StoreError> {
        let build = |e| StoreError::backend("building the answer transaction", e);
        let mut update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(keys::survey(token)))
            .expression_attribute_values(":score", number(u64::from(answer.score.value())))
            .expression_attribute_values(":at", timestamp(answer.answered_at))
            .expression_attribute_values(":revision", number(answer.revision));
        let set = match &answer.comment {
            Some(comment) => {
                update = update
                    .expression_attribute_names("#comment", "comment")
                    .expression_attribute_values(
                        ":comment",
                        AttributeValue::S(comment.as_ref().to_owned()),
                    );
                "SET score = :score, answered_at = :at, revision = :revision, #comment = :comment"
            }
            None => {
                update = update.expression_attribute_names("#comment", "comment");
                "SET score = :score, answered_at = :at, revision = :revision REMOVE #comment"
            }
        };
        update = match previous {
            None => update
                .condition_expression("attribute_exists(#pk) AND attribute_not_exists(revision)")
                .expression_attribute_names("#pk", keys::PK),
            Some(previous) => update
                .condition_expression("revision = :previous")
                .expression_attribute_values(":previous", number(previous.revision)),
        };
        let mut items = vec![TransactWriteItem::builder()
            .update(update.update_expression(set).build().map_err(build)?)
            .build()];
        for (day, changes) in counter_moves(previous, answer) {
            let mut counter = Update::builder()
                .table_name(&self.table)
                .set_key(Some(keys::nps_day(day)));
            let mut clauses = Vec::new();
            for (i, (column, delta)) in changes.iter().enumerate() {
                clauses.push(format!("{column} :d{i}"));
                counter = counter.expression_attribute_values(
                    format!(":d{i}"),
                    AttributeValue::N(delta.to_string()),
                );
            }
            let counter = counter
                .update_expression(format!("ADD {}", clauses.join(", ")))
                .build()
                .map_err(build)?;
            items.push(TransactWriteItem::builder().update(counter).build());
        }
        items.extend(message_puts(&self.table, messages)?);
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
            .projection_expression("person")
            .send()
            .await
            .map_err(|e| classify("reading a survey to unsubscribe", e))?
            .item
        else {
            return Ok(false);
        };
        let person = string(&item, "person")?;
        if let Some(message) = message {
            self.opt_out_with_message(person, at, message).await?;
            return Ok(true);
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
        Ok(true)
    }
}

impl DynamoStore {
    /// The opt-out and its event in one transaction; an address opted out before keeps its
    /// first opt-out and gets no second event.
    async fn opt_out_with_message(
        &self,
        person: &str,
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
        items.extend(message_puts(&self.table, &[message])?);
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

/// Counter changes per day: the old answer's bucket −1 on its day, the new one's +1 on today;
/// merged per day because one transaction may touch an item only once.
fn counter_moves(
    previous: Option<&Answer>,
    answer: &Answer,
) -> Vec<(NaiveDate, Vec<(&'static str, i64)>)> {
    let mut moves: Vec<(NaiveDate, Vec<(&'static str, i64)>)> = Vec::new();
    let mut add = |day: NaiveDate, column: &'static str, delta: i64| match moves
        .iter_mut()
        .find(|(d, _)| *d == day)
    {
        Some((_, changes)) => match changes.iter_mut().find(|(c, _)| *c == column) {
            Some((_, existing)) => *existing += delta,
            None => changes.push((column, delta)),
        },
        None => moves.push((day, vec![(column, delta)])),
    };
    if let Some(previous) = previous {
        add(
            previous.answered_at.date_naive(),
            bucket(previous.score.category()),
            -1,
        );
    }
    add(
        answer.answered_at.date_naive(),
        bucket(answer.score.category()),
        1,
    );
    moves
        .into_iter()
        .map(|(day, changes)| {
            (
                day,
                changes
                    .into_iter()
                    .filter(|(_, delta)| *delta != 0)
                    .collect::<Vec<_>>(),
            )
        })
        .filter(|(_, changes)| !changes.is_empty())
        .collect()
}

fn stored_request(item: &Item) -> Result<StoredSurveyRequest, StoreError> {
    Ok(StoredSurveyRequest {
        request_hash: string(item, "request_hash")?.to_owned(),
        decision: stored::decision_from(string(item, "decision")?, optional_string(item, "token"))?,
    })
}

fn survey_from(item: &Item) -> Result<Survey, StoreError> {
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
        email: Email::parse(string(item, "email")?).map_err(|_| corrupt("email"))?,
        name: optional_string(item, "name")
            .map(CustomerName::parse)
            .transpose()
            .map_err(|_| corrupt("name"))?,
        locale: optional_string(item, "locale")
            .map(Locale::parse)
            .transpose()
            .map_err(|_| corrupt("locale"))?,
        sent_at: attributes::parse_timestamp(item, "sent_at")?,
        answer,
    })
}
