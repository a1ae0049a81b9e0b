//! Scheduled steps on SQLite: each due step's facts in one read, its effects and its settlement
//! in one `IMMEDIATE` transaction that re-checks them.

use async_trait::async_trait;
use rusqlite::{params, OptionalExtension, Transaction, TransactionBehavior};

use super::coupons::insert_coupon;
use super::outbox::insert_messages;
use super::surveys::{read_survey, survey_from};
use super::tallies::record_tally;
use super::EmbeddedStore;
use domain::model::{
    rfc3339, CustomerId, CustomerName, Email, Locale, PersonFingerprint, SurveyToken,
};
use domain::ports::stored;
use domain::ports::{
    Claim, ReminderCommit, ReminderFacts, ScheduledStore, StepOutcome, StoreError, WinbackCommit,
    WinbackFacts,
};

fn opted_out(tx: &rusqlite::Connection, person: &str) -> rusqlite::Result<bool> {
    tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM survey_optouts WHERE person = ?1)",
        [person],
        |row| row.get(0),
    )
}

/// Settles the step as delivered if `claim` is still its latest; `false` when it is not.
pub(super) fn settle_step(
    tx: &Transaction<'_>,
    claim: &Claim,
    now: &str,
) -> rusqlite::Result<bool> {
    let changed = tx.execute(
        "UPDATE outbox SET status = 'delivered', next_attempt_at = NULL, listed_at = ?3,
            updated_at = ?3
         WHERE id = ?1 AND claims = ?2 AND status = 'pending'",
        params![claim.message.id.as_ref(), claim.fence as i64, now],
    )?;
    Ok(changed == 1)
}

struct RawCustomer {
    email: String,
    name: Option<String>,
    locale: Option<String>,
    person: Option<String>,
}

#[async_trait]
impl ScheduledStore for EmbeddedStore {
    async fn reminder_facts(
        &self,
        token: &SurveyToken,
    ) -> Result<Option<ReminderFacts>, StoreError> {
        let token = token.to_string();
        let read = self
            .with_connection("reading a reminder's survey", move |connection| {
                let Some(raw) = read_survey(connection, "token", &token)? else {
                    return Ok(None);
                };
                let opted_out = opted_out(connection, raw.person())?;
                Ok(Some((raw, opted_out)))
            })
            .await?;
        read.map(|(raw, opted_out)| {
            Ok(ReminderFacts {
                survey: survey_from(raw)?,
                opted_out,
            })
        })
        .transpose()
    }

    async fn commit_reminder(&self, commit: &ReminderCommit) -> Result<StepOutcome, StoreError> {
        let commit = commit.clone();
        self.with_connection("sending a survey reminder", move |connection| {
            let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let now = rfc3339(commit.reminded_at);
            if !settle_step(&tx, &commit.claim, &now)? {
                return Ok(StepOutcome::ClaimLost);
            }
            let reminded = tx.execute(
                "UPDATE surveys SET reminded_at = ?2
                 WHERE token = ?1 AND email <> '' AND answered_at IS NULL AND reminded_at IS NULL",
                params![commit.survey.as_ref(), now],
            )?;
            if reminded == 0 || opted_out(&tx, commit.person.as_ref())? {
                return Ok(StepOutcome::Stale);
            }
            record_tally(&tx, &commit.tally)?;
            insert_messages(&tx, &commit.messages)?;
            tx.commit()?;
            Ok(StepOutcome::Committed)
        })
        .await
    }

    async fn winback_facts(
        &self,
        customer_id: &CustomerId,
    ) -> Result<Option<WinbackFacts>, StoreError> {
        let customer = customer_id.to_string();
        let read = self
            .with_connection("reading a win-back's customer", move |connection| {
                let raw = connection
                    .query_row(
                        "SELECT email, name, locale, person FROM customers WHERE customer_id = ?1",
                        [&customer],
                        |row| {
                            Ok(RawCustomer {
                                email: row.get(0)?,
                                name: row.get(1)?,
                                locale: row.get(2)?,
                                person: row.get(3)?,
                            })
                        },
                    )
                    .optional()?;
                let Some(raw) = raw else { return Ok(None) };
                let opted_out = match &raw.person {
                    Some(person) => opted_out(connection, person)?,
                    None => false,
                };
                Ok(Some((raw, opted_out)))
            })
            .await?;
        let Some((raw, opted_out)) = read else {
            return Ok(None);
        };
        Ok(Some(WinbackFacts {
            email: stored::optional(
                Some(raw.email.as_str()).filter(|e| !e.is_empty()),
                Email::parse,
                "customer email",
            )?,
            name: stored::optional(raw.name.as_deref(), CustomerName::parse, "customer name")?,
            locale: stored::optional(raw.locale.as_deref(), Locale::parse, "customer locale")?,
            person: raw
                .person
                .as_deref()
                .and_then(PersonFingerprint::from_stored),
            opted_out,
        }))
    }

    async fn commit_winback(&self, commit: &WinbackCommit) -> Result<StepOutcome, StoreError> {
        let commit = commit.clone();
        self.with_connection("sending a win-back mail", move |connection| {
            let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let now = rfc3339(commit.sent_at);
            if !settle_step(&tx, &commit.claim, &now)? {
                return Ok(StepOutcome::ClaimLost);
            }
            let recorded = tx.execute(
                "UPDATE customers SET winback_sent_at = ?2, winback_until = ?3
                 WHERE customer_id = ?1 AND email <> ''",
                params![
                    commit.customer_id.as_ref(),
                    now,
                    commit.coupon.valid_until.map(rfc3339),
                ],
            )?;
            let taken: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM coupons WHERE code = ?1)",
                [commit.coupon.coupon.as_ref()],
                |row| row.get(0),
            )?;
            if recorded == 0 || taken || opted_out(&tx, commit.person.as_ref())? {
                return Ok(StepOutcome::Stale);
            }
            insert_coupon(&tx, &commit.coupon, "", None)?;
            record_tally(&tx, &commit.tally)?;
            insert_messages(&tx, &commit.messages)?;
            tx.commit()?;
            Ok(StepOutcome::Committed)
        })
        .await
    }
}
