//! The one transaction that records a decided order: the order item, the customer's history, and
//! for a rewarded order its guards, the referrer's counter and the coupons, each conditioned so
//! the decision is still true when it lands.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem, Update};

use super::attributes::{expiry, number, timestamp, Item};
use super::coupons::coupon_item;
use super::keys;
use super::outbox::{message_puts, reschedule_step};
use super::reviews::{day_count_expression, held_review_puts, network_count};
use super::tallies::tally_put;
use domain::model::Retention;
use domain::model::{Order, PersonFingerprint};
use domain::ports::stored::{self, AWAITING_PAYMENT, REVIEW};
use domain::ports::{OrderCommit, RewardCommit, StoreError};

/// Where the order item is in the transaction: a failed condition there is a concurrent twin.
pub(super) const ORDER_INDEX: usize = 0;

/// An order may be decided when it has no record yet, or one a platform reported before its
/// payment that was not closed since.
const DECIDABLE: &str =
    "attribute_not_exists(#pk) OR (#state = :awaiting AND attribute_not_exists(refunded_at))";

/// The order record first (its index identifies a concurrent twin), then the friend's history,
/// then, if rewarded, guards, referrer counter and coupons, each with the condition that keeps
/// the decision true.
pub(super) fn commit_transaction(
    table: &str,
    retention: Retention,
    commit: &OrderCommit,
) -> Result<Vec<TransactWriteItem>, StoreError> {
    let order = &commit.order;
    let build = |e| StoreError::backend("building the order transaction", e);
    let mut values: HashMap<String, AttributeValue> = HashMap::from([
        (
            ":order_id".into(),
            AttributeValue::S(order.order_id.to_string()),
        ),
        (
            ":customer".into(),
            AttributeValue::S(order.customer_id.to_string()),
        ),
        (":placed".into(), timestamp(order.placed_at)),
        (":total".into(), number(order.total_cents.get())),
        (
            ":currency".into(),
            AttributeValue::S(order.currency.to_string()),
        ),
        (
            ":expires".into(),
            expiry(retention.expires_at(order.placed_at)),
        ),
        (
            ":hash".into(),
            AttributeValue::S(commit.request_hash.clone()),
        ),
        (
            ":body".into(),
            AttributeValue::S(stored::outcome_to_json(&commit.outcome)),
        ),
        (
            ":awaiting".into(),
            AttributeValue::S(AWAITING_PAYMENT.into()),
        ),
    ]);
    let mut assignments = vec![
        "order_id = :order_id",
        "customer_id = :customer",
        "placed_at = :placed",
        "total_minor = :total",
        "currency = :currency",
        "#expires = :expires",
        "request_hash = :hash",
        "response_body = :body",
    ];
    if let Some(reward) = &commit.reward {
        assignments.push("coupons = :coupons");
        values.insert(
            ":coupons".into(),
            AttributeValue::Ss(
                reward
                    .rewards
                    .iter()
                    .map(|r| r.coupon.to_string())
                    .collect(),
            ),
        );
    }
    // An update, not a put: an order recorded awaiting its payment keeps the refunds recorded
    // meanwhile, and loses its state.
    let record = Update::builder()
        .table_name(table)
        .set_key(Some(keys::order(&order.order_id)))
        .update_expression(format!("SET {} REMOVE #state", assignments.join(", ")))
        .condition_expression(DECIDABLE)
        .expression_attribute_names("#pk", keys::PK)
        .expression_attribute_names("#state", "state")
        .expression_attribute_names("#expires", keys::EXPIRES_AT)
        .set_expression_attribute_values(Some(values))
        .build()
        .map_err(build)?;
    let mut items = vec![TransactWriteItem::builder().update(record).build()];
    items.push(history_update(table, commit)?);
    if let Some(reward) = &commit.reward {
        items.extend(reward_writes(
            table,
            retention,
            order,
            &commit.person,
            reward,
        )?);
    }
    items.extend(tally_put(table, &commit.tally)?);
    items.extend(message_puts(table, retention, &commit.messages)?);
    if let Some(step) = &commit.winback {
        items.push(reschedule_step(table, retention, step)?);
    }
    Ok(items)
}

/// One more order on the customer's profile: the count and the currency's total are added to,
/// not set, so a concurrent order of the same customer does not invalidate this one; only the
/// facts `change` relies on are conditions.
fn history_update(table: &str, commit: &OrderCommit) -> Result<TransactWriteItem, StoreError> {
    let (order, person, change) = (&commit.order, &commit.person, &commit.history);
    let mut sets = vec![
        "customer_id = :customer".to_owned(),
        "email = if_not_exists(email, :email)".to_owned(),
        "person = if_not_exists(person, :person)".to_owned(),
        "created_at = if_not_exists(created_at, :placed)".to_owned(),
    ];
    let mut conditions: Vec<String> = Vec::new();
    let mut names: HashMap<String, String> = HashMap::new();
    let mut values: HashMap<String, AttributeValue> = HashMap::from([
        (":one".into(), number(1)),
        (
            ":customer".into(),
            AttributeValue::S(order.customer_id.to_string()),
        ),
        (":email".into(), AttributeValue::S(order.email.to_string())),
        (":person".into(), AttributeValue::S(person.to_string())),
        (":placed".into(), timestamp(order.placed_at)),
    ]);
    if let Some(count) = change.expected_count {
        conditions.push("(attribute_not_exists(order_count) OR order_count = :seen)".into());
        values.insert(":seen".into(), number(count));
    }
    if change.first_total {
        sets.push("totals = :totals".into());
        conditions.push("attribute_not_exists(totals)".into());
        values.insert(
            ":totals".into(),
            AttributeValue::M(HashMap::from([(
                order.currency.to_string(),
                number(order.total_cents.get()),
            )])),
        );
    } else {
        sets.push("totals.#currency = if_not_exists(totals.#currency, :zero) + :amount".into());
        // Kept sums stay inside u64: a sum that would leave it is refused and decided again.
        conditions
            .push("(attribute_not_exists(totals.#currency) OR totals.#currency <= :room)".into());
        names.insert("#currency".into(), order.currency.to_string());
        values.insert(":zero".into(), number(0));
        values.insert(":amount".into(), number(order.total_cents.get()));
        values.insert(":room".into(), number(u64::MAX - order.total_cents.get()));
    }
    if let Some(days) = &change.new_days {
        sets.push("order_days = :days".into());
        let known = days.len() - 1;
        if known == 0 {
            conditions.push("attribute_not_exists(order_days)".into());
        } else {
            conditions.push("size(order_days) = :known_days".into());
            values.insert(":known_days".into(), number(known as u64));
        }
        values.insert(
            ":days".into(),
            AttributeValue::L(
                days.iter()
                    .map(|d| AttributeValue::S(d.format("%Y-%m-%d").to_string()))
                    .collect(),
            ),
        );
    }
    // The earliest and latest times as read: exact unless two of the customer's orders are
    // recorded in the same instant out of their order (docs/architecture.md#exactly-once).
    if change.earliest {
        sets.push("first_order_at = :placed".into());
    }
    if change.latest {
        sets.push("last_order_at = :placed".into());
    }
    if let Some(name) = &order.name {
        sets.push("#name = if_not_exists(#name, :name)".into());
        names.insert("#name".into(), "name".into());
        values.insert(":name".into(), AttributeValue::S(name.to_string()));
    }
    // Winning a customer back is counted once per win-back mail: the mail read must still be
    // the profile's latest, and no order may have won it yet.
    if let Some(sent_at) = commit.won_back {
        sets.push("winback_won = :winback".into());
        conditions.push(
            "winback_sent_at = :winback AND (attribute_not_exists(winback_won) OR winback_won <> :winback)"
                .into(),
        );
        values.insert(":winback".into(), timestamp(sent_at));
    }
    if let Some(locale) = order.locale {
        sets.push("locale = if_not_exists(locale, :locale)".into());
        values.insert(":locale".into(), AttributeValue::S(locale.as_str().into()));
    }
    let mut adds = vec!["order_count :one"];
    if !commit.marks.is_empty() {
        adds.push("review_marks :marks");
        values.insert(
            ":marks".into(),
            AttributeValue::Ss(commit.marks.iter().map(|m| m.as_ref().to_owned()).collect()),
        );
    }
    let mut update = Update::builder()
        .table_name(table)
        .set_key(Some(keys::customer_profile(&order.customer_id)))
        .update_expression(format!("SET {} ADD {}", sets.join(", "), adds.join(", ")))
        .set_expression_attribute_values(Some(values));
    if !names.is_empty() {
        update = update.set_expression_attribute_names(Some(names));
    }
    if !conditions.is_empty() {
        update = update.condition_expression(conditions.join(" AND "));
    }
    let update = update
        .build()
        .map_err(|e| StoreError::backend("building the history update", e))?;
    Ok(TransactWriteItem::builder().update(update).build())
}

fn reward_writes(
    table: &str,
    retention: Retention,
    order: &Order,
    person: &PersonFingerprint,
    reward: &RewardCommit,
) -> Result<Vec<TransactWriteItem>, StoreError> {
    const CONTEXT: &str = "building the reward writes";
    let build = |e| StoreError::backend(CONTEXT, e);
    let put_new = |item: Item| keys::put_if_new(table, item, CONTEXT);
    let mut writes = Vec::new();
    for mut guard in keys::referral_guards(person, &order.customer_id) {
        guard.insert(
            "order_id".into(),
            AttributeValue::S(order.order_id.to_string()),
        );
        writes.push(put_new(guard)?);
    }
    let counts = &reward.counts;
    let (day_adds, day_names, stale) =
        day_count_expression(counts.day, &counts.stale_referrer_days);
    let mut conversions = Update::builder()
        .table_name(table)
        .set_key(Some(keys::referral_code(&reward.referral_code)))
        .update_expression(format!("ADD conversions :one, {day_adds}{stale}"))
        .condition_expression("attribute_exists(#pk) AND conversions < :cap")
        .expression_attribute_names("#pk", keys::PK)
        .expression_attribute_values(":one", number(1))
        .expression_attribute_values(":cap", number(reward.referrer_cap));
    for (name, attribute) in day_names {
        conversions = conversions.expression_attribute_names(name, attribute);
    }
    writes.push(
        TransactWriteItem::builder()
            .update(conversions.build().map_err(build)?)
            .build(),
    );
    if let Some((network, stale_days)) = &counts.network {
        writes.push(network_count(table, network, counts.day, stale_days)?);
    }
    if let Some(held) = &reward.held {
        writes.extend(held_review_puts(table, retention, held)?);
    }
    for r in &reward.rewards {
        let mut item = coupon_item(r);
        if reward.held.is_some() {
            item.insert("status".into(), AttributeValue::S(REVIEW.into()));
        }
        item.insert(
            "order_id".into(),
            AttributeValue::S(order.order_id.to_string()),
        );
        writes.push(put_new(item)?);
    }
    Ok(writes)
}
