//! The review rules' counts and the review queue on DynamoDB.
//!
//! Counts per day are attributes `on_<yyyy-mm-dd>` added to without reading (the referrer's on
//! their code item, a network's on its own item that TTL deletes a week after its last order),
//! so two referred orders never conflict over them; days older than the week are removed by the
//! next write. A held reward is an item `REVIEW#<order id>` (its status, the truth) and an entry
//! in its status's listing partition `REVIEWS#<status>`, sorted by the time it was held; a
//! decision moves the entry in the transaction that changes the status.

use std::collections::HashMap;

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, Delete, TransactWriteItem, Update};
use chrono::{Duration, NaiveDate};

use super::attributes::{self, expiry, optional_string, string, string_set, timestamp, Item};
use super::coupons::stored_coupon;
use super::errors::{self, classify, Transact};
use super::keys::{self, EXPIRES_AT};
use super::outbox::message_puts;
use super::scheduled::settle_step;
use super::tallies::tally_put;
use super::DynamoStore;
use domain::model::{
    CustomerId, CustomerName, DayCounts, Email, Locale, NetworkFingerprint, OrderId, Retention,
    ReviewDecision, ReviewMark, ReviewStatus, REVIEW_WINDOW_DAYS,
};
use domain::ports::stored::{self, ISSUED, REVIEW, REVOKED};
use domain::ports::{
    Contact, DecideOutcome, HeldReward, Review, ReviewCommit, ReviewCursor, ReviewFacts,
    ReviewListing, ReviewPage, ReviewStore, StoreError, Verdict,
};

const BUILD: &str = "building a review's writes";

/// The counts of an item's `on_<day>` attributes.
pub(super) fn day_counts(item: &Item) -> DayCounts {
    DayCounts::new(item.iter().filter_map(|(name, value)| {
        let day = keys::counted_day(name)?;
        let AttributeValue::N(raw) = value else {
            return None;
        };
        Some((day, raw.parse().ok()?))
    }))
}

/// `#d :one` to add one to `day`'s count, the names it uses, and ` REMOVE …` for `stale` days.
pub(super) fn day_count_expression(
    day: NaiveDate,
    stale: &[NaiveDate],
) -> (String, Vec<(String, String)>, String) {
    let mut names = vec![("#today".to_owned(), keys::day_count(day))];
    let mut removed = Vec::new();
    for (n, old) in stale.iter().enumerate() {
        let name = format!("#stale{n}");
        removed.push(name.clone());
        names.push((name, keys::day_count(*old)));
    }
    let remove = if removed.is_empty() {
        String::new()
    } else {
        format!(" REMOVE {}", removed.join(", "))
    };
    ("#today :one".to_owned(), names, remove)
}

/// One more referred order from `network` on `day`; the item lives a week past it.
pub(super) fn network_count(
    table: &str,
    network: &NetworkFingerprint,
    day: NaiveDate,
    stale: &[NaiveDate],
) -> Result<TransactWriteItem, StoreError> {
    let (adds, names, remove) = day_count_expression(day, stale);
    let last_read = day + Duration::days(REVIEW_WINDOW_DAYS + 1);
    let expires = last_read
        .and_hms_opt(0, 0, 0)
        .map(|at| at.and_utc())
        .ok_or_else(|| StoreError::Corrupt("a day without midnight".into()))?;
    let mut update = Update::builder()
        .table_name(table)
        .set_key(Some(keys::network_counts(network)))
        .update_expression(format!("SET #expires = :expires ADD {adds}{remove}"))
        .expression_attribute_names("#expires", EXPIRES_AT)
        .expression_attribute_values(":expires", expiry(expires))
        .expression_attribute_values(":one", attributes::number(1));
    for (name, attribute) in names {
        update = update.expression_attribute_names(name, attribute);
    }
    let update = update.build().map_err(|e| StoreError::backend(BUILD, e))?;
    Ok(TransactWriteItem::builder().update(update).build())
}

/// The review of a held reward and its entry in the open listing, both new.
pub(super) fn held_review_puts(
    table: &str,
    retention: Retention,
    held: &HeldReward,
) -> Result<Vec<TransactWriteItem>, StoreError> {
    let flagged = domain::model::rfc3339(held.flagged_at);
    let record = AttributeValue::S(stored::held_to_json(held));
    let expires = expiry(retention.expires_at(held.placed_at));
    let mut review = keys::review(&held.order_id);
    review.extend([
        ("status".to_owned(), AttributeValue::S("open".into())),
        ("flagged_at".to_owned(), AttributeValue::S(flagged.clone())),
        ("record".to_owned(), record.clone()),
        (EXPIRES_AT.to_owned(), expires.clone()),
    ]);
    let mut listing = keys::review_listing(ReviewStatus::Open, &flagged, &held.order_id);
    listing.extend([
        ("record".to_owned(), record),
        (EXPIRES_AT.to_owned(), expires),
    ]);
    Ok(vec![
        keys::put_if_new(table, review, BUILD)?,
        keys::put_if_new(table, listing, BUILD)?,
    ])
}

fn contact(item: &Item) -> Result<Option<Contact>, StoreError> {
    let Some(email) = stored::optional(optional_string(item, "email"), Email::parse, "email")?
    else {
        return Ok(None);
    };
    Ok(Some(Contact {
        email,
        name: stored::optional(optional_string(item, "name"), CustomerName::parse, "name")?,
        locale: stored::optional(optional_string(item, "locale"), Locale::parse, "locale")?,
    }))
}

fn verdict_of(item: &Item) -> Result<Option<Verdict>, StoreError> {
    stored::verdict(
        optional_string(item, "decision"),
        optional_string(item, "decided_by"),
        optional_string(item, "decided_at"),
        optional_string(item, "note"),
    )
}

fn verdict_attributes(verdict: &Verdict) -> Vec<(String, AttributeValue)> {
    let mut attributes = vec![
        (
            "decision".to_owned(),
            AttributeValue::S(verdict.decision.as_str().into()),
        ),
        (
            "decided_by".to_owned(),
            AttributeValue::S(verdict.by.as_str().into()),
        ),
        ("decided_at".to_owned(), timestamp(verdict.at)),
    ];
    if let Some(note) = &verdict.note {
        attributes.push(("note".to_owned(), AttributeValue::S(note.clone())));
    }
    attributes
}

impl DynamoStore {
    /// The marks the customer's orders left on their profile.
    pub(super) async fn review_marks(
        &self,
        customer_id: &CustomerId,
    ) -> Result<Vec<ReviewMark>, StoreError> {
        let item = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(keys::customer_profile(customer_id)))
            .projection_expression("review_marks")
            .send()
            .await
            .map_err(|e| classify("reading a referrer's review marks", e))?
            .item;
        Ok(item
            .as_ref()
            .map(|item| string_set(item, "review_marks"))
            .unwrap_or_default()
            .iter()
            .filter_map(|raw| ReviewMark::from_stored(raw))
            .collect())
    }
}

#[async_trait]
impl ReviewStore for DynamoStore {
    /// The review (consistently), then its coupons and both profiles in one `BatchGetItem`.
    async fn review_facts(&self, order_id: &OrderId) -> Result<Option<ReviewFacts>, StoreError> {
        let Some(item) = self
            .get_consistent(keys::review(order_id), "reading a review")
            .await?
        else {
            return Ok(None);
        };
        let held = stored::held_from_json(string(&item, "record")?)?;
        let status = ReviewStatus::parse(string(&item, "status")?)
            .ok_or_else(|| StoreError::Corrupt("review status".into()))?;
        let verdict = verdict_of(&item)?;
        let referrer_key = keys::customer_profile(&held.referrer_id);
        let friend_key = keys::customer_profile(&held.friend_id);
        let mut wanted: Vec<keys::Key> = held
            .rewards
            .iter()
            .map(|r| keys::coupon(&r.coupon))
            .collect();
        wanted.extend([referrer_key.clone(), friend_key.clone()]);
        let items = self.batch_get(wanted).await?;
        let by_pk: HashMap<&str, &Item> = items
            .iter()
            .map(|item| (keys::partition(item), item))
            .collect();
        let profile = |key: &keys::Key| -> Result<Option<Contact>, StoreError> {
            by_pk
                .get(keys::partition(key))
                .map(|item| contact(item))
                .transpose()
                .map(Option::flatten)
        };
        let mut coupons = Vec::new();
        for reward in &held.rewards {
            let key = keys::coupon(&reward.coupon);
            let item = by_pk
                .get(keys::partition(&key))
                .ok_or_else(|| StoreError::Corrupt("a held coupon is missing".into()))?;
            coupons.push(stored_coupon(item)?);
        }
        let referrer = profile(&referrer_key)?;
        let friend = profile(&friend_key)?;
        Ok(Some(ReviewFacts {
            review: Review {
                held,
                status,
                verdict,
                coupons,
            },
            referrer,
            friend,
        }))
    }

    /// One transaction: the step's settlement (an automatic decision), the review from open,
    /// its listing entry moved, each held coupon from `review`, the messages and the tally.
    async fn decide_review(&self, commit: &ReviewCommit) -> Result<DecideOutcome, StoreError> {
        let held = &commit.held;
        let status = commit.verdict.decision.status();
        let flagged = domain::model::rfc3339(held.flagged_at);
        let mut items = Vec::new();
        if let Some(claim) = &commit.claim {
            items.push(settle_step(
                &self.table,
                claim,
                &timestamp(commit.verdict.at),
            )?);
        }
        let review_index = items.len();
        let mut values: HashMap<String, AttributeValue> = HashMap::from([
            (":open".to_owned(), AttributeValue::S("open".into())),
            (
                ":status".to_owned(),
                AttributeValue::S(status.as_str().into()),
            ),
        ]);
        let mut sets = vec!["#status = :status".to_owned()];
        for (n, (name, value)) in verdict_attributes(&commit.verdict).into_iter().enumerate() {
            sets.push(format!("{name} = :v{n}"));
            values.insert(format!(":v{n}"), value);
        }
        let review = Update::builder()
            .table_name(&self.table)
            .set_key(Some(keys::review(&held.order_id)))
            .update_expression(format!("SET {}", sets.join(", ")))
            .condition_expression("#status = :open")
            .expression_attribute_names("#status", "status")
            .set_expression_attribute_values(Some(values))
            .build()
            .map_err(|e| StoreError::backend(BUILD, e))?;
        items.push(TransactWriteItem::builder().update(review).build());
        let open_entry = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(keys::review_listing(
                ReviewStatus::Open,
                &flagged,
                &held.order_id,
            )))
            .build()
            .map_err(|e| StoreError::backend(BUILD, e))?;
        items.push(TransactWriteItem::builder().delete(open_entry).build());
        let mut entry = keys::review_listing(status, &flagged, &held.order_id);
        entry.insert(
            "record".into(),
            AttributeValue::S(stored::held_to_json(held)),
        );
        entry.extend(verdict_attributes(&commit.verdict));
        entry.insert(
            EXPIRES_AT.into(),
            expiry(self.retention.expires_at(held.placed_at)),
        );
        items.push(keys::put_if_new(&self.table, entry, BUILD)?);
        let first_coupon = items.len();
        let to = match commit.verdict.decision {
            ReviewDecision::Approve => ISSUED,
            ReviewDecision::Reject => REVOKED,
        };
        for coupon in &commit.coupons {
            let update = Update::builder()
                .table_name(&self.table)
                .set_key(Some(keys::coupon(coupon)))
                .update_expression("SET #status = :to")
                .condition_expression("#status = :review")
                .expression_attribute_names("#status", "status")
                .expression_attribute_values(":to", AttributeValue::S(to.into()))
                .expression_attribute_values(":review", AttributeValue::S(REVIEW.into()))
                .build()
                .map_err(|e| StoreError::backend(BUILD, e))?;
            items.push(TransactWriteItem::builder().update(update).build());
        }
        let after_coupons = items.len();
        items.extend(message_puts(&self.table, self.retention, &commit.messages)?);
        items.extend(tally_put(&self.table, &commit.tally)?);
        let reasons = match self.transact("deciding a review", items).await? {
            Transact::Committed => return Ok(DecideOutcome::Decided),
            Transact::Cancelled(reasons) => reasons,
        };
        if errors::is_throttled(&reasons) {
            return Err(StoreError::Throttled);
        }
        if commit.claim.is_some() && errors::failed_condition(&reasons, 0) {
            return Ok(DecideOutcome::ClaimLost);
        }
        if errors::failed_condition(&reasons, review_index) {
            let status = self
                .get_consistent(keys::review(&held.order_id), "reading a decided review")
                .await?
                .and_then(|item| optional_string(&item, "status").and_then(ReviewStatus::parse))
                .ok_or_else(|| StoreError::Corrupt("a decided review is missing".into()))?;
            return Ok(DecideOutcome::AlreadyDecided(status));
        }
        if (first_coupon..after_coupons).any(|i| errors::failed_condition(&reasons, i)) {
            return Ok(DecideOutcome::CouponsChanged);
        }
        Ok(DecideOutcome::Stale)
    }
}

#[async_trait]
impl ReviewListing for DynamoStore {
    /// One `Query` of the status's listing partition, newest first.
    async fn reviews(
        &self,
        status: ReviewStatus,
        limit: usize,
        cursor: Option<&ReviewCursor>,
    ) -> Result<ReviewPage, StoreError> {
        let partition = keys::review_listing_partition(status);
        let mut query = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("#pk = :pk")
            .expression_attribute_names("#pk", keys::PK)
            .expression_attribute_values(":pk", AttributeValue::S(partition))
            .scan_index_forward(false)
            .limit(i32::try_from(limit + 1).unwrap_or(i32::MAX));
        if let Some(cursor) = cursor {
            let start = keys::review_listing(
                status,
                &domain::model::rfc3339(cursor.flagged_at),
                &cursor.order_id,
            );
            query = query.set_exclusive_start_key(Some(start));
        }
        let items = query
            .send()
            .await
            .map_err(|e| classify("listing reviews", e))?
            .items
            .unwrap_or_default();
        let reviews = items
            .iter()
            .map(|item| {
                Ok(Review::listed(
                    stored::held_from_json(string(item, "record")?)?,
                    status,
                    verdict_of(item)?,
                ))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(ReviewPage::from_read(reviews, limit))
    }
}
