//! A subject's rows, exported and erased in one transaction each; and the retention sweep,
//! the embedded store's counterpart of DynamoDB's TTL.
//!
//! Deleted and overwritten content is zeroed in the file (`secure_delete`), and the journal is
//! checkpointed and truncated afterwards, so the erased bytes leave the disk files too.

use std::collections::BTreeSet;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::{params_from_iter, Connection, TransactionBehavior};

use super::coupons::{raw_coupon, stored_coupon, COUPON_COLUMNS};
use super::history::{order_history, raw_history, HISTORY_COLUMNS};
use super::offers::{ClaimRow, CLAIM_COLUMNS};
use super::outbox::{raw_summary, summary, SUMMARY_COLUMNS};
use super::surveys::{raw_survey, survey_from, FOLLOW_UP_COLUMNS, SURVEY_COLUMNS};
use super::EmbeddedStore;
use domain::model::{
    rfc3339, Currency, CustomerId, CustomerName, Email, IssuedCode, Locale, MinorUnits, OrderId,
    PersonFingerprint, ReferralCode, ReferralStats, Retention,
};
use domain::ports::stored::{optional, parse_timestamp};
use domain::ports::{
    DataSubject, Erasure, OptOut, OrderRecord, PersonalData, PersonalDataStore, Profile, StoreError,
};

/// What one retention sweep deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Expired {
    pub surveys: usize,
    pub orders: usize,
    pub messages: usize,
    pub claims: usize,
}

#[async_trait]
impl PersonalDataStore for EmbeddedStore {
    async fn personal_data(&self, subject: &DataSubject) -> Result<PersonalData, StoreError> {
        let subject = subject.clone();
        let raw = self
            .with_connection("reading a customer's data", move |connection| {
                let tx = connection.transaction()?;
                let (customers, people) = resolve(&tx, &subject)?;
                read_all(&tx, &customers, &people)
            })
            .await?;
        raw.decode()
    }

    async fn erase(&self, subject: &DataSubject, at: DateTime<Utc>) -> Result<Erasure, StoreError> {
        let subject = subject.clone();
        let at = rfc3339(at);
        self.with_connection("erasing a customer's data", move |connection| {
            let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let (customers, people) = resolve(&tx, &subject)?;
            let customers = ids(&customers);
            let in_customers = placeholders(customers.len(), 2);
            let mut erasure = Erasure::default();
            let with_at = |list: &[String]| {
                let mut values = vec![at.clone()];
                values.extend(list.iter().cloned());
                values
            };
            erasure.referral_codes = count(tx.execute(
                &format!(
                    "DELETE FROM referral_codes WHERE customer_id IN ({})",
                    placeholders(customers.len(), 1)
                ),
                params_from_iter(customers.iter()),
            )?);
            erasure.profiles = count(tx.execute(
                &format!(
                    "UPDATE customers SET email = '', name = NULL, referral_code = NULL,
                        code_created_at = NULL, erased_at = ?1
                     WHERE customer_id IN ({in_customers})
                       AND (email <> '' OR name IS NOT NULL OR referral_code IS NOT NULL)"
                ),
                params_from_iter(with_at(&customers)),
            )?);
            // The review marks are fingerprints of where they ship and their name: gone too.
            tx.execute(
                &format!(
                    "DELETE FROM review_marks WHERE customer_id IN ({})",
                    placeholders(customers.len(), 1)
                ),
                params_from_iter(customers.iter()),
            )?;
            // A survey sent to the subject's address names its customer id, which `resolve`
            // counted in; of what the fingerprints find, erasure deletes claims and keeps
            // opt-outs.
            let people = ids(&people);
            erasure.claims = count(tx.execute(
                &format!(
                    "DELETE FROM offer_claims WHERE customer_id IN ({})
                        OR person IN ({})",
                    placeholders(customers.len(), 1),
                    placeholders(people.len(), customers.len() + 1)
                ),
                params_from_iter(customers.iter().chain(people.iter())),
            )?);
            erasure.surveys = count(tx.execute(
                &format!(
                    "UPDATE surveys SET email = '', name = NULL, comment = NULL,
                        follow_up_note = NULL, erased_at = ?1
                     WHERE customer_id IN ({in_customers})
                       AND (email <> '' OR name IS NOT NULL OR comment IS NOT NULL
                            OR follow_up_note IS NOT NULL)"
                ),
                params_from_iter(with_at(&customers)),
            )?);
            erasure.messages_cancelled = count(tx.execute(
                &format!(
                    "UPDATE outbox SET status = 'cancelled', payload = '', last_error = NULL,
                        next_attempt_at = NULL, updated_at = ?1, erased_at = ?1
                     WHERE customer_id IN ({in_customers}) AND status IN ('pending', 'failed')"
                ),
                params_from_iter(with_at(&customers)),
            )?);
            erasure.messages_cleared = count(tx.execute(
                &format!(
                    "UPDATE outbox SET payload = '', erased_at = ?1
                     WHERE customer_id IN ({in_customers}) AND payload <> ''"
                ),
                params_from_iter(with_at(&customers)),
            )?);
            tx.commit()?;
            truncate_journal(connection)?;
            Ok(erasure)
        })
        .await
    }
}

impl EmbeddedStore {
    /// Deletes what is older than `retention` at `now`: surveys (by their answer, else their
    /// sending), order records (by when the order was placed, with their refunds), outbox
    /// messages (by their creation) and offer claims (by when they were made). Counters, guards, opt-outs, coupons and profiles stay.
    pub async fn sweep_expired(
        &self,
        retention: Retention,
        now: DateTime<Utc>,
    ) -> Result<Expired, StoreError> {
        let cutoff = rfc3339(retention.cutoff(now));
        self.with_connection("deleting expired records", move |connection| {
            let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let surveys = tx.execute(
                "DELETE FROM surveys WHERE COALESCE(answered_at, sent_at) < ?1",
                [&cutoff],
            )?;
            tx.execute(
                "DELETE FROM order_refunds WHERE order_id IN
                    (SELECT order_id FROM orders WHERE placed_at < ?1)",
                [&cutoff],
            )?;
            let orders = tx.execute("DELETE FROM orders WHERE placed_at < ?1", [&cutoff])?;
            let messages = tx.execute("DELETE FROM outbox WHERE created_at < ?1", [&cutoff])?;
            let claims = tx.execute("DELETE FROM offer_claims WHERE claimed_at < ?1", [&cutoff])?;
            // A review lives as long as its order (DynamoDB's TTL does the same).
            tx.execute(
                "DELETE FROM reviews WHERE json_extract(record, '$.placed_at') < ?1",
                [&cutoff],
            )?;
            tx.commit()?;
            if surveys + orders + messages + claims > 0 {
                truncate_journal(connection)?;
            }
            Ok(Expired {
                surveys,
                orders,
                messages,
                claims,
            })
        })
        .await
    }
}

/// Moves every committed page into the database file and empties the journal, whose older
/// frames still hold the rows as they were before.
fn truncate_journal(connection: &Connection) -> rusqlite::Result<()> {
    connection.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
}

fn count(rows: usize) -> u32 {
    u32::try_from(rows).unwrap_or(u32::MAX)
}

fn ids<T: AsRef<str>>(set: &BTreeSet<T>) -> Vec<String> {
    set.iter().map(|id| id.as_ref().to_owned()).collect()
}

/// `?first, ?first+1, …` for `n` values; `NULL` for none, which matches nothing.
fn placeholders(n: usize, first: usize) -> String {
    if n == 0 {
        return "NULL".to_owned();
    }
    (first..first + n)
        .map(|i| format!("?{i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The subject's customer ids and fingerprints: for an address, the profiles and surveys with
/// its fingerprint name the customer ids; for a customer id, its profile and surveys name the
/// fingerprints (whose opt-outs belong to the export).
fn resolve(
    connection: &Connection,
    subject: &DataSubject,
) -> rusqlite::Result<(BTreeSet<String>, BTreeSet<String>)> {
    let mut customers = BTreeSet::new();
    let mut people = BTreeSet::new();
    match subject {
        DataSubject::Customer(customer_id) => {
            customers.insert(customer_id.to_string());
        }
        DataSubject::Person(person) => {
            people.insert(person.to_string());
            let mut statement = connection.prepare(
                "SELECT customer_id FROM customers WHERE person = ?1
                 UNION SELECT customer_id FROM surveys WHERE person = ?1
                 UNION SELECT customer_id FROM offer_claims WHERE person = ?1",
            )?;
            for id in statement.query_map([person.as_ref()], |row| row.get::<_, String>(0))? {
                customers.insert(id?);
            }
        }
    }
    for customer in &customers {
        let mut statement = connection.prepare(
            "SELECT person FROM customers WHERE customer_id = ?1 AND person IS NOT NULL
             UNION SELECT person FROM surveys WHERE customer_id = ?1
             UNION SELECT person FROM offer_claims WHERE customer_id = ?1",
        )?;
        for person in statement.query_map([customer], |row| row.get::<_, String>(0))? {
            people.insert(person?);
        }
    }
    // A claim of the friend's offer, made by one of these addresses before it had a customer
    // id, names the id its coupon and mail went under (the address's guest id).
    for person in &people {
        let mut statement =
            connection.prepare("SELECT customer_id FROM offer_claims WHERE person = ?1")?;
        for id in statement.query_map([person], |row| row.get::<_, String>(0))? {
            customers.insert(id?);
        }
    }
    Ok((customers, people))
}

struct RawProfile {
    customer_id: String,
    email: String,
    name: Option<String>,
    locale: Option<String>,
    created_at: String,
    erased_at: Option<String>,
    history: super::history::RawHistory,
}

struct RawCode {
    code: String,
    customer_id: String,
    created_at: String,
    clicks: i64,
    conversions: i64,
}

struct RawOrderRecord {
    order_id: String,
    customer_id: String,
    placed_at: String,
    total_minor: Option<i64>,
    currency: Option<String>,
    refunded_minor: i64,
    refunded_at: Option<String>,
}

struct RawData {
    profiles: Vec<RawProfile>,
    codes: Vec<RawCode>,
    orders: Vec<RawOrderRecord>,
    coupons: Vec<super::coupons::RawCoupon>,
    claims: Vec<ClaimRow>,
    surveys: Vec<super::surveys::RawSurvey>,
    opt_outs: Vec<(String, String)>,
    messages: Vec<super::outbox::RawSummary>,
}

fn read_all(
    connection: &Connection,
    customers: &BTreeSet<String>,
    people: &BTreeSet<String>,
) -> rusqlite::Result<RawData> {
    let customer_ids = ids(customers);
    let person_ids = ids(people);
    let in_customers = placeholders(customer_ids.len(), 1);
    let profiles = connection
        .prepare(&format!(
            "SELECT customer_id, email, name, locale, created_at, erased_at, {HISTORY_COLUMNS}
         FROM customers WHERE customer_id IN ({in_customers}) ORDER BY customer_id"
        ))?
        .query_map(params_from_iter(customer_ids.iter()), |row| {
            Ok(RawProfile {
                customer_id: row.get(0)?,
                email: row.get(1)?,
                name: row.get(2)?,
                locale: row.get(3)?,
                created_at: row.get(4)?,
                erased_at: row.get(5)?,
                history: raw_history(row, 6)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let codes = connection
        .prepare(&format!(
            "SELECT code, customer_id, created_at, clicks, conversions
         FROM referral_codes WHERE customer_id IN ({in_customers}) ORDER BY code"
        ))?
        .query_map(params_from_iter(customer_ids.iter()), |row| {
            Ok(RawCode {
                code: row.get(0)?,
                customer_id: row.get(1)?,
                created_at: row.get(2)?,
                clicks: row.get(3)?,
                conversions: row.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let orders = connection.prepare(&format!(
        "SELECT o.order_id, o.customer_id, o.placed_at, o.total_minor,
                COALESCE((SELECT SUM(amount_minor) FROM order_refunds r WHERE r.order_id = o.order_id), 0),
                o.refunded_at, o.currency
         FROM orders o WHERE o.customer_id IN ({in_customers}) ORDER BY o.placed_at, o.order_id"
    ))?
    .query_map(params_from_iter(customer_ids.iter()), |row| {
        Ok(RawOrderRecord {
            order_id: row.get(0)?,
            customer_id: row.get(1)?,
            placed_at: row.get(2)?,
            total_minor: row.get(3)?,
            refunded_minor: row.get(4)?,
            refunded_at: row.get(5)?,
            currency: row.get(6)?,
        })
    })?
    .collect::<rusqlite::Result<_>>()?;
    let coupons = connection
        .prepare(&format!(
        "SELECT {COUPON_COLUMNS} FROM coupons WHERE customer_id IN ({in_customers}) ORDER BY code"
    ))?
        .query_map(params_from_iter(customer_ids.iter()), raw_coupon)?
        .collect::<rusqlite::Result<_>>()?;
    let claims = connection
        .prepare(&format!(
            "SELECT {CLAIM_COLUMNS} FROM offer_claims
             WHERE customer_id IN ({in_customers}) OR person IN ({}) ORDER BY claimed_at, coupon",
            placeholders(person_ids.len(), customer_ids.len() + 1)
        ))?
        .query_map(
            params_from_iter(customer_ids.iter().chain(person_ids.iter())),
            ClaimRow::read,
        )?
        .collect::<rusqlite::Result<_>>()?;
    let surveys = connection
        .prepare(&format!(
            "SELECT {SURVEY_COLUMNS}, {FOLLOW_UP_COLUMNS} FROM surveys
             WHERE customer_id IN ({in_customers}) ORDER BY sent_at, token"
        ))?
        .query_map(params_from_iter(customer_ids.iter()), raw_survey)?
        .collect::<rusqlite::Result<_>>()?;
    let opt_outs = connection
        .prepare(&format!(
            "SELECT person, at FROM survey_optouts WHERE person IN ({}) ORDER BY person",
            placeholders(person_ids.len(), 1)
        ))?
        .query_map(params_from_iter(person_ids.iter()), |row| {
            Ok((row.get(0)?, row.get(1)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let messages = connection
        .prepare(&format!(
            "SELECT {SUMMARY_COLUMNS} FROM outbox WHERE customer_id IN ({in_customers})
         ORDER BY created_at, id"
        ))?
        .query_map(params_from_iter(customer_ids.iter()), raw_summary)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(RawData {
        profiles,
        codes,
        orders,
        coupons,
        claims,
        surveys,
        opt_outs,
        messages,
    })
}

impl RawData {
    fn decode(self) -> Result<PersonalData, StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("bad stored {what}"));
        let customer = |raw: &str| CustomerId::parse(raw).map_err(|_| corrupt("customer id"));
        Ok(PersonalData {
            profiles: self
                .profiles
                .into_iter()
                .map(|raw| {
                    Ok(Profile {
                        customer_id: customer(&raw.customer_id)?,
                        email: optional(
                            Some(raw.email.as_str()).filter(|e| !e.is_empty()),
                            Email::parse,
                            "profile email",
                        )?,
                        name: optional(raw.name.as_deref(), CustomerName::parse, "profile name")?,
                        locale: optional(raw.locale.as_deref(), Locale::parse, "profile locale")?,
                        created_at: parse_timestamp(&raw.created_at)?,
                        history: order_history(raw.history)?,
                        erased_at: raw.erased_at.as_deref().map(parse_timestamp).transpose()?,
                    })
                })
                .collect::<Result<_, StoreError>>()?,
            referral_codes: self
                .codes
                .into_iter()
                .map(|raw| {
                    Ok(ReferralStats {
                        issued: IssuedCode {
                            customer_id: customer(&raw.customer_id)?,
                            code: ReferralCode::parse(&raw.code).map_err(|_| corrupt("code"))?,
                            created_at: parse_timestamp(&raw.created_at)?,
                        },
                        clicks: u64::try_from(raw.clicks).map_err(|_| corrupt("clicks"))?,
                        conversions: u64::try_from(raw.conversions)
                            .map_err(|_| corrupt("conversions"))?,
                    })
                })
                .collect::<Result<_, StoreError>>()?,
            orders: self
                .orders
                .into_iter()
                .map(|raw| {
                    Ok(OrderRecord {
                        order_id: OrderId::parse(&raw.order_id).map_err(|_| corrupt("order id"))?,
                        customer_id: customer(&raw.customer_id)?,
                        placed_at: parse_timestamp(&raw.placed_at)?,
                        total: raw
                            .total_minor
                            .map(|t| u64::try_from(t).ok().and_then(|t| MinorUnits::new(t).ok()))
                            .map(|t| t.ok_or_else(|| corrupt("order total")))
                            .transpose()?,
                        currency: raw
                            .currency
                            .as_deref()
                            .map(Currency::parse)
                            .transpose()
                            .map_err(|_| corrupt("order currency"))?,
                        refunded_minor: u64::try_from(raw.refunded_minor)
                            .map_err(|_| corrupt("refund"))?,
                        refunded_at: raw
                            .refunded_at
                            .as_deref()
                            .map(parse_timestamp)
                            .transpose()?,
                    })
                })
                .collect::<Result<_, StoreError>>()?,
            coupons: self
                .coupons
                .into_iter()
                .map(stored_coupon)
                .collect::<Result<_, _>>()?,
            claims: self
                .claims
                .into_iter()
                .map(ClaimRow::claim)
                .collect::<Result<_, _>>()?,
            surveys: self
                .surveys
                .into_iter()
                .map(survey_from)
                .collect::<Result<_, _>>()?,
            opt_outs: self
                .opt_outs
                .into_iter()
                .map(|(person, at)| {
                    Ok(OptOut {
                        person: PersonFingerprint::from_stored(&person)
                            .ok_or_else(|| corrupt("fingerprint"))?,
                        at: parse_timestamp(&at)?,
                    })
                })
                .collect::<Result<_, StoreError>>()?,
            messages: self
                .messages
                .into_iter()
                .map(summary)
                .collect::<Result<_, _>>()?,
        })
    }
}
