//! The review rules' counts and the review queue in SQLite: counts per scope (a referrer's code,
//! a network) and day, rows older than the week deleted by the next referred order; the marks
//! customers' orders left; and the reviews with their status and decision.

use async_trait::async_trait;
use chrono::{Duration, NaiveDate};
use rusqlite::{params, OptionalExtension, Transaction, TransactionBehavior};

use super::coupons::{read_coupon, stored_coupon};
use super::outbox::insert_messages;
use super::tallies::record_tally;
use super::EmbeddedStore;
use domain::model::{
    rfc3339, CustomerId, CustomerName, DayCounts, Email, Locale, OrderId, ReviewDecision,
    ReviewMark, ReviewStatus, REVIEW_WINDOW_DAYS,
};
use domain::ports::stored::{self, ISSUED, REVIEW, REVOKED};
use domain::ports::{
    Contact, DecideOutcome, Review, ReviewCommit, ReviewCursor, ReviewFacts, ReviewListing,
    ReviewLookup, ReviewPage, ReviewReading, ReviewStore, RewardCommit, StoreError,
};

fn code_scope(code: &str) -> String {
    format!("code:{code}")
}

fn network_scope(network: &str) -> String {
    format!("network:{network}")
}

fn day_counts(tx: &Transaction<'_>, scope: &str) -> rusqlite::Result<DayCounts> {
    let rows = tx
        .prepare("SELECT day, count FROM day_counts WHERE scope = ?1")?
        .query_map([scope], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(DayCounts::new(rows.into_iter().filter_map(
        |(day, count)| {
            Some((
                NaiveDate::parse_from_str(&day, "%Y-%m-%d").ok()?,
                u64::try_from(count).ok()?,
            ))
        },
    )))
}

/// What the review rules read with an order carrying `code`.
pub(super) fn read_review_reading(
    tx: &Transaction<'_>,
    code: &str,
    owner: Option<&str>,
    lookup: &ReviewLookup,
) -> rusqlite::Result<ReviewReading> {
    let orders_from_ip = lookup
        .network
        .as_ref()
        .map(|network| day_counts(tx, &network_scope(network.as_ref())))
        .transpose()?;
    let referrer_marks = match (owner, lookup.referrer_marks) {
        (Some(owner), true) => tx
            .prepare("SELECT mark FROM review_marks WHERE customer_id = ?1")?
            .query_map([owner], |row| row.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?
            .iter()
            .filter_map(|raw| ReviewMark::from_stored(raw))
            .collect(),
        _ => Vec::new(),
    };
    Ok(ReviewReading {
        referrer_rewards: day_counts(tx, &code_scope(code))?,
        orders_from_ip,
        referrer_marks,
    })
}

/// One more reward on the referrer's code and, with an IP, the network's; days no rule reads
/// again go, whoever's they were. A held reward writes its review too.
pub(super) fn count_reward(tx: &Transaction<'_>, reward: &RewardCommit) -> rusqlite::Result<()> {
    let counts = &reward.counts;
    let day = counts.day.format("%Y-%m-%d").to_string();
    let week_start = (counts.day - Duration::days(REVIEW_WINDOW_DAYS - 1))
        .format("%Y-%m-%d")
        .to_string();
    tx.execute("DELETE FROM day_counts WHERE day < ?1", [&week_start])?;
    let mut scopes = vec![code_scope(reward.referral_code.as_ref())];
    scopes.extend(
        counts
            .network
            .as_ref()
            .map(|(network, _)| network_scope(network.as_ref())),
    );
    for scope in scopes {
        tx.execute(
            "INSERT INTO day_counts (scope, day, count) VALUES (?1, ?2, 1)
             ON CONFLICT (scope, day) DO UPDATE SET count = count + 1",
            params![scope, day],
        )?;
    }
    if let Some(held) = &reward.held {
        tx.execute(
            "INSERT INTO reviews (order_id, status, flagged_at, record) VALUES (?1, 'open', ?2, ?3)",
            params![
                held.order_id.as_ref(),
                rfc3339(held.flagged_at),
                stored::held_to_json(held)
            ],
        )?;
    }
    Ok(())
}

/// The marks an order leaves on its customer.
pub(super) fn add_marks(
    tx: &Transaction<'_>,
    customer_id: &CustomerId,
    marks: &[ReviewMark],
) -> rusqlite::Result<()> {
    for mark in marks {
        tx.execute(
            "INSERT OR IGNORE INTO review_marks (customer_id, mark) VALUES (?1, ?2)",
            params![customer_id.as_ref(), mark.as_ref()],
        )?;
    }
    Ok(())
}

type RawContact = (Option<String>, Option<String>, Option<String>);

fn read_contact(tx: &Transaction<'_>, customer_id: &str) -> rusqlite::Result<Option<RawContact>> {
    tx.query_row(
        "SELECT email, name, locale FROM customers WHERE customer_id = ?1",
        [customer_id],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
    )
    .optional()
}

fn contact(raw: Option<RawContact>) -> Result<Option<Contact>, StoreError> {
    // An erased profile keeps its row with the address emptied.
    let Some((Some(email), name, locale)) =
        raw.filter(|(email, ..)| email.as_deref().is_some_and(|email| !email.is_empty()))
    else {
        return Ok(None);
    };
    Ok(Some(Contact {
        email: Email::parse(&email).map_err(|_| StoreError::Corrupt("customer email".into()))?,
        name: stored::optional(name.as_deref(), CustomerName::parse, "customer name")?,
        locale: stored::optional(locale.as_deref(), Locale::parse, "customer locale")?,
    }))
}

/// A review row: status, record and decision columns.
type RawReview = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

const REVIEW_COLUMNS: &str = "status, record, decision, decided_by, decided_at, note";

fn raw_review(row: &rusqlite::Row<'_>) -> rusqlite::Result<RawReview> {
    Ok((
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
        row.get(5)?,
    ))
}

fn listed(raw: RawReview) -> Result<Review, StoreError> {
    let (status, record, decision, by, at, note) = raw;
    Ok(Review::listed(
        stored::held_from_json(&record)?,
        ReviewStatus::parse(&status).ok_or_else(|| StoreError::Corrupt("review status".into()))?,
        stored::verdict(
            decision.as_deref(),
            by.as_deref(),
            at.as_deref(),
            note.as_deref(),
        )?,
    ))
}

/// How a decision's transaction ended, before a status read back is parsed.
enum RawDecision {
    Done(DecideOutcome),
    DecidedBefore(String),
}

#[async_trait]
impl ReviewStore for EmbeddedStore {
    async fn review_facts(&self, order_id: &OrderId) -> Result<Option<ReviewFacts>, StoreError> {
        let order_id = order_id.to_string();
        let raw = self
            .with_connection("reading a review", move |connection| {
                let tx = connection.transaction()?;
                let Some(review) = tx
                    .query_row(
                        &format!("SELECT {REVIEW_COLUMNS} FROM reviews WHERE order_id = ?1"),
                        [&order_id],
                        raw_review,
                    )
                    .optional()?
                else {
                    return Ok(None);
                };
                let held = stored::held_from_json(&review.1);
                let (mut coupons, mut referrer, mut friend) = (Vec::new(), None, None);
                if let Ok(held) = &held {
                    for reward in &held.rewards {
                        coupons.push(read_coupon(&tx, reward.coupon.as_ref())?);
                    }
                    referrer = read_contact(&tx, held.referrer_id.as_ref())?;
                    friend = read_contact(&tx, held.friend_id.as_ref())?;
                }
                Ok(Some((review, coupons, referrer, friend)))
            })
            .await?;
        let Some((review, coupons, referrer, friend)) = raw else {
            return Ok(None);
        };
        let mut review = listed(review)?;
        review.coupons = coupons
            .into_iter()
            .map(|coupon| {
                coupon
                    .ok_or_else(|| StoreError::Corrupt("a held coupon is missing".into()))
                    .and_then(stored_coupon)
            })
            .collect::<Result<_, _>>()?;
        Ok(Some(ReviewFacts {
            review,
            referrer: contact(referrer)?,
            friend: contact(friend)?,
        }))
    }

    async fn decide_review(&self, commit: &ReviewCommit) -> Result<DecideOutcome, StoreError> {
        let commit = commit.clone();
        let raw = self.with_connection("deciding a review", move |connection| {
            let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            if let Some(claim) = &commit.claim {
                if !super::scheduled::settle_step(&tx, claim, &rfc3339(commit.verdict.at))? {
                    return Ok(RawDecision::Done(DecideOutcome::ClaimLost));
                }
            }
            let verdict = &commit.verdict;
            let decided = tx.execute(
                "UPDATE reviews SET status = ?2, decision = ?3, decided_by = ?4, decided_at = ?5,
                                    note = ?6
                 WHERE order_id = ?1 AND status = 'open'",
                params![
                    commit.held.order_id.as_ref(),
                    verdict.decision.status().as_str(),
                    verdict.decision.as_str(),
                    verdict.by.as_str(),
                    rfc3339(verdict.at),
                    verdict.note,
                ],
            )?;
            if decided == 0 {
                let status: String = tx.query_row(
                    "SELECT status FROM reviews WHERE order_id = ?1",
                    [commit.held.order_id.as_ref()],
                    |row| row.get(0),
                )?;
                return Ok(RawDecision::DecidedBefore(status));
            }
            let to = match verdict.decision {
                ReviewDecision::Approve => ISSUED,
                ReviewDecision::Reject => REVOKED,
            };
            for coupon in &commit.coupons {
                let changed = tx.execute(
                    "UPDATE coupons SET status = ?1 WHERE code = ?2 AND status = ?3",
                    params![to, coupon.as_ref(), REVIEW],
                )?;
                if changed == 0 {
                    return Ok(RawDecision::Done(DecideOutcome::CouponsChanged));
                }
            }
            insert_messages(&tx, &commit.messages)?;
            record_tally(&tx, &commit.tally)?;
            tx.commit()?;
            Ok(RawDecision::Done(DecideOutcome::Decided))
        });
        match raw.await? {
            RawDecision::Done(outcome) => Ok(outcome),
            RawDecision::DecidedBefore(status) => ReviewStatus::parse(&status)
                .map(DecideOutcome::AlreadyDecided)
                .ok_or_else(|| StoreError::Corrupt("review status".into())),
        }
    }
}

#[async_trait]
impl ReviewListing for EmbeddedStore {
    async fn reviews(
        &self,
        status: ReviewStatus,
        limit: usize,
        cursor: Option<&ReviewCursor>,
    ) -> Result<ReviewPage, StoreError> {
        let after = cursor.map(|c| (rfc3339(c.flagged_at), c.order_id.to_string()));
        let read = i64::try_from(limit + 1).unwrap_or(i64::MAX);
        let rows = self
            .with_connection("listing reviews", move |connection| {
                let (at, id) = after.unzip();
                connection
                    .prepare(&format!(
                        "SELECT {REVIEW_COLUMNS} FROM reviews
                         WHERE status = ?1 AND (?2 IS NULL OR flagged_at < ?2
                                                OR (flagged_at = ?2 AND order_id < ?3))
                         ORDER BY flagged_at DESC, order_id DESC LIMIT ?4"
                    ))?
                    .query_map(params![status.as_str(), at, id, read], raw_review)?
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .await?;
        let reviews = rows.into_iter().map(listed).collect::<Result<_, _>>()?;
        Ok(ReviewPage::from_read(reviews, limit))
    }
}
