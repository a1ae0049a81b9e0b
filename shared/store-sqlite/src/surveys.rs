use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Transaction, TransactionBehavior};

use super::follow_ups::{follow_up_unchanged, write_follow_up};
use super::outbox::insert_messages;
use super::tallies::record_tally;
use super::EmbeddedStore;
use domain::model::{
    rfc3339, Answer, Comment, CustomerId, CustomerName, Email, FollowUp, Locale, OrderId,
    PersonFingerprint, Score, Segment, Survey, SurveyDecision, SurveyRequest, SurveyToken,
};
use domain::ports::stored::{self, parse_timestamp};
use domain::ports::{
    CustomerOptOut, FollowUpChange, OptOutMessage, OutboxMessage, StoreError, StoredSurveyRequest,
    SurveyCommitOutcome, SurveyRequestCommit, SurveyRequestContext, SurveyStore, Tally,
};

fn throttle_keys(request: &SurveyRequest, person: &PersonFingerprint) -> [String; 2] {
    [
        format!("CUSTOMER#{}", request.customer_id),
        format!("PERSON#{person}"),
    ]
}

struct RawRequest {
    request_hash: String,
    decision: String,
    token: Option<String>,
}

pub(super) struct RawSurvey {
    token: String,
    order_id: String,
    customer_id: String,
    /// '' once erased (the column is NOT NULL).
    email: String,
    person: String,
    name: Option<String>,
    locale: Option<String>,
    segment: Option<String>,
    sent_at: String,
    score: Option<i64>,
    comment: Option<String>,
    answered_at: Option<String>,
    revision: i64,
    reminded_at: Option<String>,
    follow_up: RawFollowUp,
}

/// A follow-up's columns, as `surveys` and the responses listing read them.
pub(super) struct RawFollowUp {
    pub status: Option<String>,
    pub note: Option<String>,
    pub at: Option<String>,
    pub on: Option<String>,
    pub version: Option<i64>,
}

impl RawFollowUp {
    /// The five columns starting at `first`, in the order of `FOLLOW_UP_COLUMNS`.
    pub(super) fn read(row: &rusqlite::Row<'_>, first: usize) -> rusqlite::Result<Self> {
        Ok(Self {
            status: row.get(first)?,
            note: row.get(first + 1)?,
            at: row.get(first + 2)?,
            on: row.get(first + 3)?,
            version: row.get(first + 4)?,
        })
    }

    pub(super) fn decode(self) -> Result<Option<FollowUp>, StoreError> {
        let version = self
            .version
            .map(u64::try_from)
            .transpose()
            .map_err(|_| StoreError::Corrupt("bad follow-up version".into()))?;
        stored::follow_up(
            self.status.as_deref(),
            self.note.as_deref(),
            self.at.as_deref(),
            self.on.as_deref(),
            version,
        )
    }
}

pub(super) const FOLLOW_UP_COLUMNS: &str =
    "follow_up_status, follow_up_note, follow_up_at, follow_up_on, follow_up_version";

#[async_trait]
impl SurveyStore for EmbeddedStore {
    async fn survey_request_context(
        &self,
        request: &SurveyRequest,
        person: &PersonFingerprint,
    ) -> Result<SurveyRequestContext, StoreError> {
        let order_id = request.order_id.to_string();
        let keys = throttle_keys(request, person);
        let person = person.to_string();
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
                    let keys = throttle_keys(request, &commit.person);
                    let opted_out: bool = tx.query_row(
                        "SELECT EXISTS (SELECT 1 FROM survey_optouts WHERE person = ?1)",
                        [commit.person.as_ref()],
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
                    let survey_id = match &commit.decision {
                        SurveyDecision::Sent(token) => Some(token.survey_id().to_string()),
                        SurveyDecision::Skipped(_) => None,
                    };
                    tx.execute(
                        "INSERT INTO surveys (token, order_id, customer_id, email, person, name, locale, sent_at, survey_id, segment)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                        params![
                            token,
                            request.order_id.as_ref(),
                            request.customer_id.as_ref(),
                            request.email.as_ref(),
                            commit.person.as_ref(),
                            request.name.as_ref().map(AsRef::<str>::as_ref),
                            request.locale.map(Locale::as_str),
                            rfc3339(commit.sent_at),
                            survey_id,
                            request.segment.as_ref().map(AsRef::<str>::as_ref),
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
                read_survey(connection, "token", &token)
            })
            .await?;
        raw.map(survey_from).transpose()
    }

    async fn record_answer(
        &self,
        survey: &Survey,
        answer: &Answer,
        follow_up: Option<&FollowUpChange>,
        messages: &[OutboxMessage],
        tally: &Tally,
    ) -> Result<bool, StoreError> {
        let token = survey.token.to_string();
        let messages = messages.to_vec();
        let tally = tally.clone();
        let expected_revision = survey.answer.as_ref().map_or(0, |p| p.revision) as i64;
        let previous_score = survey.answer.as_ref().map(|p| i64::from(p.score.value()));
        let response_key =
            domain::model::response_sort_key(answer.answered_at, &survey.token.survey_id());
        let new = (
            i64::from(answer.score.value()),
            answer.comment.as_ref().map(|c| c.as_ref().to_owned()),
            rfc3339(answer.answered_at),
            answer.revision as i64,
        );
        let follow_up = follow_up.cloned();
        self.with_connection("recording a survey answer", move |connection| {
            let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let current: Option<i64> = tx
                .query_row(
                    "SELECT revision FROM surveys WHERE token = ?1",
                    [&token],
                    |row| row.get(0),
                )
                .optional()?;
            if current != Some(expected_revision) {
                return Ok(false);
            }
            if let Some(change) = &follow_up {
                if !follow_up_unchanged(&tx, &token, change)? {
                    return Ok(false);
                }
                write_follow_up(&tx, &token, &change.next)?;
            }
            tx.execute(
                "UPDATE surveys SET score = ?1, comment = ?2, answered_at = ?3, revision = ?4,
                 previous_score = ?5, response_key = ?6 WHERE token = ?7",
                params![
                    new.0,
                    new.1,
                    new.2,
                    new.3,
                    previous_score,
                    response_key,
                    token
                ],
            )?;
            record_tally(&tx, &tally)?;
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
                .query_row(
                    "SELECT person FROM surveys WHERE token = ?1",
                    [&token],
                    |row| row.get(0),
                )
                .optional()?;
            let Some(person) = person else {
                return Ok(false);
            };
            opt_out(&tx, &person, &at, message.as_slice())?;
            tx.commit()?;
            Ok(true)
        })
        .await
    }

    async fn unsubscribe_customer(
        &self,
        customer: &CustomerId,
        at: DateTime<Utc>,
        message: &OptOutMessage<'_>,
    ) -> Result<Option<CustomerOptOut>, StoreError> {
        let customer = customer.to_string();
        let profile: Option<(Option<String>, Option<String>)> = self
            .with_connection("reading a profile to unsubscribe", move |connection| {
                connection
                    .query_row(
                        "SELECT person, locale FROM customers WHERE customer_id = ?1",
                        [&customer],
                        |row| Ok((row.get(0)?, row.get(1)?)),
                    )
                    .optional()
            })
            .await?;
        let Some((Some(stored), locale)) = profile else {
            return Ok(None);
        };
        let Some(person) = PersonFingerprint::from_stored(&stored) else {
            return Ok(None);
        };
        let messages: Vec<OutboxMessage> = message(&person).into_iter().collect();
        let at = rfc3339(at);
        self.with_connection("unsubscribing a customer", move |connection| {
            let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            opt_out(&tx, &stored, &at, &messages)?;
            tx.commit()
        })
        .await?;
        Ok(Some(CustomerOptOut {
            locale: locale.and_then(|l| Locale::parse(&l).ok()),
        }))
    }
}

/// The address's opt-out, with `messages` (the `customer.unsubscribed` event) only if it is new.
fn opt_out(
    tx: &rusqlite::Transaction<'_>,
    person: &str,
    at: &str,
    messages: &[OutboxMessage],
) -> rusqlite::Result<()> {
    let opted_out = tx.execute(
        "INSERT INTO survey_optouts (person, at) VALUES (?1, ?2) ON CONFLICT (person) DO NOTHING",
        params![person, at],
    )? == 1;
    if opted_out {
        insert_messages(tx, messages)?;
    }
    Ok(())
}

pub(super) fn day_key_of(day: chrono::NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
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

/// The columns `raw_survey` reads, in its order.
pub(super) const SURVEY_COLUMNS: &str = "token, order_id, customer_id, email, person, name, locale, sent_at, score, comment, answered_at, revision, segment, reminded_at";

impl RawSurvey {
    /// The stored fingerprint of the address the survey went to.
    pub(super) fn person(&self) -> &str {
        &self.person
    }
}

pub(super) fn raw_survey(row: &rusqlite::Row<'_>) -> rusqlite::Result<RawSurvey> {
    Ok(RawSurvey {
        token: row.get(0)?,
        order_id: row.get(1)?,
        customer_id: row.get(2)?,
        email: row.get(3)?,
        person: row.get(4)?,
        name: row.get(5)?,
        locale: row.get(6)?,
        sent_at: row.get(7)?,
        score: row.get(8)?,
        comment: row.get(9)?,
        answered_at: row.get(10)?,
        revision: row.get(11)?,
        segment: row.get(12)?,
        reminded_at: row.get(13)?,
        follow_up: RawFollowUp::read(row, 14)?,
    })
}

/// `column` is `token` or `survey_id`, never input.
pub(super) fn read_survey(
    connection: &rusqlite::Connection,
    column: &str,
    key: &str,
) -> rusqlite::Result<Option<RawSurvey>> {
    connection
        .query_row(
            &format!(
                "SELECT {SURVEY_COLUMNS}, {FOLLOW_UP_COLUMNS} FROM surveys WHERE {column} = ?1"
            ),
            [key],
            raw_survey,
        )
        .optional()
}

fn stored_request(raw: RawRequest) -> Result<StoredSurveyRequest, StoreError> {
    Ok(StoredSurveyRequest {
        decision: stored::decision_from(&raw.decision, raw.token.as_deref())?,
        request_hash: raw.request_hash,
    })
}

pub(super) fn survey_from(raw: RawSurvey) -> Result<Survey, StoreError> {
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
        email: (!raw.email.is_empty())
            .then(|| Email::parse(&raw.email))
            .transpose()
            .map_err(|_| corrupt("email"))?,
        person: PersonFingerprint::from_stored(&raw.person)
            .ok_or_else(|| corrupt("fingerprint"))?,
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
        segment: stored::optional(raw.segment.as_deref(), Segment::parse, "survey segment")?,
        sent_at: parse_timestamp(&raw.sent_at)?,
        reminded_at: raw
            .reminded_at
            .as_deref()
            .map(parse_timestamp)
            .transpose()?,
        answer,
        follow_up: raw.follow_up.decode()?,
    })
}
