use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Transaction, TransactionBehavior};

use super::outbox::insert_messages;
use super::EmbeddedStore;
use domain::model::rfc3339;
use domain::model::{
    Answer, Comment, CustomerId, CustomerName, Email, Locale, OrderId, Score, Survey,
    SurveyDecision, SurveyRequest, SurveyToken,
};
use domain::ports::stored::{self, bucket, day_key, parse_timestamp};
use domain::ports::{
    OutboxMessage, StoreError, StoredSurveyRequest, SurveyCommitOutcome, SurveyRequestCommit,
    SurveyRequestContext, SurveyStore,
};

fn throttle_keys(request: &SurveyRequest) -> [String; 2] {
    [
        format!("CUSTOMER#{}", request.customer_id),
        format!("PERSON#{}", request.email.canonical_hash()),
    ]
}

struct RawRequest {
    request_hash: String,
    decision: String,
    token: Option<String>,
}

struct RawSurvey {
    token: String,
    order_id: String,
    customer_id: String,
    email: String,
    name: Option<String>,
    locale: Option<String>,
    sent_at: String,
    score: Option<i64>,
    comment: Option<String>,
    answered_at: Option<String>,
    revision: i64,
}

#[async_trait]
impl SurveyStore for EmbeddedStore {
    async fn survey_request_context(
        &self,
        request: &SurveyRequest,
    ) -> Result<SurveyRequestContext, StoreError> {
        let order_id = request.order_id.to_string();
        let person = request.email.canonical_hash();
        let keys = throttle_keys(request);
        let (existing, unsubscribed, last) = self
            .with_connection("reading a survey request's context", move |connection| {
                let tx = connection.transaction()?;
                let existing = read_request(&tx, &order_id)?;
                let unsubscribed: bool = tx.query_row(
                    "SELECT EXISTS (SELECT 1 FROM survey_optouts WHERE person = ?1)",
                    [&person],
                    |row| row.get(0),
                )?;
                let last: Option<String> = tx.query_row(
                    "SELECT MAX(last_sent_at) FROM survey_throttle WHERE key IN (?1, ?2)",
                    params![keys[0], keys[1]],
                    |row| row.get(0),
                )?;
                Ok((existing, unsubscribed, last))
            })
            .await?;
        Ok(SurveyRequestContext {
            existing: existing.map(stored_request).transpose()?,
            unsubscribed,
            last_surveyed_at: last.as_deref().map(parse_timestamp).transpose()?,
        })
    }

    async fn commit_survey_request(
        &self,
        commit: &SurveyRequestCommit,
    ) -> Result<SurveyCommitOutcome, StoreError> {
        let commit = commit.clone();
        let raw = self
            .with_connection("committing a survey request", move |connection| {
                let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let request = &commit.request;
                if let Some(existing) = read_request(&tx, request.order_id.as_ref())? {
                    return Ok(Err(existing));
                }
                let token = match &commit.decision {
                    SurveyDecision::Sent(token) => Some(token.to_string()),
                    SurveyDecision::Skipped(_) => None,
                };
                if token.is_some() {
                    let keys = throttle_keys(request);
                    let opted_out: bool = tx.query_row(
                        "SELECT EXISTS (SELECT 1 FROM survey_optouts WHERE person = ?1)",
                        [request.email.canonical_hash()],
                        |row| row.get(0),
                    )?;
                    let recently: bool = tx.query_row(
                        "SELECT EXISTS (SELECT 1 FROM survey_throttle WHERE key IN (?1, ?2) AND last_sent_at > ?3)",
                        params![keys[0], keys[1], rfc3339(commit.throttle_cutoff)],
                        |row| row.get(0),
                    )?;
                    if opted_out || recently {
                        return Ok(Ok(false));
                    }
                    for key in &keys {
                        tx.execute(
                            "INSERT INTO survey_throttle (key, last_sent_at) VALUES (?1, ?2)
                             ON CONFLICT (key) DO UPDATE SET last_sent_at = excluded.last_sent_at",
                            params![key, rfc3339(commit.sent_at)],
                        )?;
                    }
                    tx.execute(
                        "INSERT INTO surveys (token, order_id, customer_id, email, person, name, locale, sent_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                        params![
                            token,
                            request.order_id.as_ref(),
                            request.customer_id.as_ref(),
                            request.email.as_ref(),
                            request.email.canonical_hash(),
                            request.name.as_ref().map(AsRef::<str>::as_ref),
                            request.locale.map(Locale::as_str),
                            rfc3339(commit.sent_at),
                        ],
                    )?;
                }
                tx.execute(
                    "INSERT INTO survey_requests (order_id, request_hash, decision, token)
                     VALUES (?1, ?2, ?3, ?4)",
                    params![
                        request.order_id.as_ref(),
                        commit.request_hash,
                        stored::decision_label(&commit.decision),
                        token,
                    ],
                )?;
                insert_messages(&tx, &commit.messages)?;
                tx.commit()?;
                Ok(Ok(true))
            })
            .await?;
        match raw {
            Ok(true) => Ok(SurveyCommitOutcome::Committed),
            Ok(false) => Ok(SurveyCommitOutcome::Stale),
            Err(existing) => Ok(SurveyCommitOutcome::Exists(stored_request(existing)?)),
        }
    }

    async fn survey(&self, token: &SurveyToken) -> Result<Option<Survey>, StoreError> {
        let token = token.to_string();
        let raw = self
            .with_connection("reading a survey", move |connection| {
                read_survey(connection, &token)
            })
            .await?;
        raw.map(survey_from).transpose()
    }

    async fn record_answer(
        &self,
        token: &SurveyToken,
        previous: Option<&Answer>,
        answer: &Answer,
        messages: &[OutboxMessage],
    ) -> Result<bool, StoreError> {
        let token = token.to_string();
        let messages = messages.to_vec();
        let expected_revision = previous.map_or(0, |p| p.revision) as i64;
        let previous = previous.map(|p| (day_key(p.answered_at), bucket(p.score.category())));
        let new = (
            i64::from(answer.score.value()),
            answer.comment.as_ref().map(|c| c.as_ref().to_owned()),
            rfc3339(answer.answered_at),
            day_key(answer.answered_at),
            bucket(answer.score.category()),
            answer.revision as i64,
        );
        self.with_connection("recording a survey answer", move |connection| {
            let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let current: Option<i64> = tx
                .query_row("SELECT revision FROM surveys WHERE token = ?1", [&token], |row| row.get(0))
                .optional()?;
            if current != Some(expected_revision) {
                return Ok(false);
            }
            tx.execute(
                "UPDATE surveys SET score = ?1, comment = ?2, answered_at = ?3, revision = ?4 WHERE token = ?5",
                params![new.0, new.1, new.2, new.5, token],
            )?;
            if let Some((day, column)) = &previous {
                move_counter(&tx, day, column, -1)?;
            }
            move_counter(&tx, &new.3, new.4, 1)?;
            insert_messages(&tx, &messages)?;
            tx.commit()?;
            Ok(true)
        })
        .await
    }

    async fn unsubscribe(
        &self,
        token: &SurveyToken,
        at: DateTime<Utc>,
        message: Option<OutboxMessage>,
    ) -> Result<bool, StoreError> {
        let token = token.to_string();
        let at = rfc3339(at);
        self.with_connection("unsubscribing", move |connection| {
            let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let person: Option<String> = tx
                .query_row("SELECT person FROM surveys WHERE token = ?1", [&token], |row| row.get(0))
                .optional()?;
            let Some(person) = person else { return Ok(false) };
            let opted_out = tx.execute(
                "INSERT INTO survey_optouts (person, at) VALUES (?1, ?2) ON CONFLICT (person) DO NOTHING",
                params![person, at],
            )? == 1;
            if opted_out {
                insert_messages(&tx, message.as_slice())?;
            }
            tx.commit()?;
            Ok(true)
        })
        .await
    }
}

fn move_counter(tx: &Transaction<'_>, day: &str, column: &str, delta: i64) -> rusqlite::Result<()> {
    // `column` comes from `stored::bucket`, never from input.
    tx.execute(
        &format!("INSERT INTO nps_days (day, {column}) VALUES (?1, ?2) ON CONFLICT (day) DO UPDATE SET {column} = {column} + ?2"),
        params![day, delta],
    )?;
    Ok(())
}

fn read_request(tx: &Transaction<'_>, order_id: &str) -> rusqlite::Result<Option<RawRequest>> {
    tx.query_row(
        "SELECT request_hash, decision, token FROM survey_requests WHERE order_id = ?1",
        [order_id],
        |row| {
            Ok(RawRequest {
                request_hash: row.get(0)?,
                decision: row.get(1)?,
                token: row.get(2)?,
            })
        },
    )
    .optional()
}

fn read_survey(
    connection: &rusqlite::Connection,
    token: &str,
) -> rusqlite::Result<Option<RawSurvey>> {
    connection
        .query_row(
            "SELECT token, order_id, customer_id, email, name, locale, sent_at, score, comment, answered_at, revision
             FROM surveys WHERE token = ?1",
            [token],
            |row| {
                Ok(RawSurvey {
                    token: row.get(0)?,
                    order_id: row.get(1)?,
                    customer_id: row.get(2)?,
                    email: row.get(3)?,
                    name: row.get(4)?,
                    locale: row.get(5)?,
                    sent_at: row.get(6)?,
                    score: row.get(7)?,
                    comment: row.get(8)?,
                    answered_at: row.get(9)?,
                    revision: row.get(10)?,
                })
            },
        )
        .optional()
}

fn stored_request(raw: RawRequest) -> Result<StoredSurveyRequest, StoreError> {
    Ok(StoredSurveyRequest {
        decision: stored::decision_from(&raw.decision, raw.token.as_deref())?,
        request_hash: raw.request_hash,
    })
}

fn survey_from(raw: RawSurvey) -> Result<Survey, StoreError> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("bad survey {what}"));
    let answer = match (raw.score, raw.answered_at) {
        (Some(score), Some(at)) => Some(Answer {
            score: u8::try_from(score)
                .ok()
                .and_then(|s| Score::new(s).ok())
                .ok_or_else(|| corrupt("score"))?,
            comment: raw
                .comment
                .as_deref()
                .map(Comment::parse)
                .transpose()
                .map_err(|_| corrupt("comment"))?
                .flatten(),
            answered_at: parse_timestamp(&at)?,
            revision: u64::try_from(raw.revision).map_err(|_| corrupt("revision"))?,
        }),
        _ => None,
    };
    Ok(Survey {
        token: SurveyToken::parse(&raw.token).map_err(|_| corrupt("token"))?,
        order_id: OrderId::parse(&raw.order_id).map_err(|_| corrupt("order"))?,
        customer_id: CustomerId::parse(&raw.customer_id).map_err(|_| corrupt("customer"))?,
        email: Email::parse(&raw.email).map_err(|_| corrupt("email"))?,
        name: raw
            .name
            .as_deref()
            .map(CustomerName::parse)
            .transpose()
            .map_err(|_| corrupt("name"))?,
        locale: raw
            .locale
            .as_deref()
            .map(Locale::parse)
            .transpose()
            .map_err(|_| corrupt("locale"))?,
        sent_at: parse_timestamp(&raw.sent_at)?,
        answer,
    })
}
