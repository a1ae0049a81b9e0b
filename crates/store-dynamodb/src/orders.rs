use std::collections::{BTreeMap, HashMap};

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, Put, ReturnValue, TransactWriteItem, Update};
use chrono::{DateTime, Utc};

use super::attributes::{
    self, expiry, number, optional_string, string, string_set, timestamp, Item,
};
use super::counters::{counter_updates, order_day_update};
use super::errors::{self, classify, conditional_update, Transact};
use super::outbox::message_puts;
use super::{keys, DynamoStore};
use domain::model::counters;
use domain::model::Retention;
use domain::model::{
    Beneficiary, CarriedCode, Coupon, CouponCode, CouponState, CustomerId, CustomerName, Email,
    Friend, Locale, MinorUnits, Order, OrderHistory, OrderId, PersonFingerprint, ReferralCode,
    Referrer, Reward,
};
use domain::ports::stored::{self, ISSUED, REDEEMED, REVOKED};
use domain::ports::{
    CommitOutcome, OrderCommit, OrderContext, OrderStore, OutboxMessage, PartialRefund,
    RedeemOutcome, RefundTally, RevokedMessage, RewardCommit, StoreError, StoredOrder,
};

const ORDER_INDEX: usize = 0;

/// A redemption, alone or in a transaction with its event: issued and past its hold.
const REDEEM: &str = "SET #status = :redeemed, redeemed_order = :order, redeemed_at = :now";
const REDEEMABLE: &str = "#status = :issued AND available_from <= :now";

fn redemption_values(order_id: &OrderId, now: DateTime<Utc>) -> HashMap<String, AttributeValue> {
    HashMap::from([
        (":redeemed".to_owned(), AttributeValue::S(REDEEMED.into())),
        (":issued".to_owned(), AttributeValue::S(ISSUED.into())),
        (":order".to_owned(), AttributeValue::S(order_id.to_string())),
        (":now".to_owned(), timestamp(now)),
    ])
}

#[async_trait]
impl OrderStore for DynamoStore {
    async fn order_context(
        &self,
        order: &Order,
        person: &PersonFingerprint,
    ) -> Result<OrderContext, StoreError> {
        let order_key = keys::order(&order.order_id);
        let profile_key = keys::customer_profile(&order.customer_id);
        let guards = keys::referral_guards(person, &order.customer_id);
        let code_key = match &order.referral_code {
            Some(CarriedCode::Wellformed(code)) => Some(keys::referral_code(code)),
            _ => None,
        };
        let wanted: Vec<String> = [
            Some(&order_key),
            Some(&profile_key),
            Some(&guards[0]),
            Some(&guards[1]),
            code_key.as_ref(),
        ]
        .into_iter()
        .flatten()
        .map(|k| keys::partition(k).to_owned())
        .collect();
        let mut request = vec![
            order_key.clone(),
            profile_key.clone(),
            guards[0].clone(),
            guards[1].clone(),
        ];
        request.extend(code_key.clone());
        let items = self.batch_get(request).await?;
        let mut by_pk: HashMap<String, Item> = items
            .into_iter()
            .filter(|item| wanted.iter().any(|w| w == keys::partition(item)))
            .map(|item| (keys::partition(&item).to_owned(), item))
            .collect();

        let existing = by_pk
            .remove(keys::partition(&order_key))
            .map(|item| stored_order(&item))
            .transpose()?;
        let history = by_pk
            .remove(keys::partition(&profile_key))
            .map(|item| order_history(&item))
            .transpose()?
            .unwrap_or_default();
        let referred_before = guards
            .iter()
            .any(|g| by_pk.contains_key(keys::partition(g)));
        let referrer = code_key
            .and_then(|k| by_pk.remove(keys::partition(&k)))
            .map(|item| referrer_from(&item))
            .transpose()?;
        Ok(OrderContext {
            existing,
            friend: Friend {
                history,
                referred_before,
            },
            referrer,
        })
    }

    async fn commit_order(&self, commit: &OrderCommit) -> Result<CommitOutcome, StoreError> {
        let transaction = commit_transaction(&self.table, self.retention, commit)?;
        let reasons = match self.transact("committing an order", transaction).await? {
            Transact::Committed => return Ok(CommitOutcome::Committed),
            Transact::Cancelled(reasons) => reasons,
        };
        let reasons = &reasons[..];
        if errors::failed_condition(reasons, ORDER_INDEX) {
            let item = self
                .get_consistent(
                    keys::order(&commit.order.order_id),
                    "reading a concurrently recorded order",
                )
                .await?
                .ok_or_else(|| {
                    StoreError::Corrupt("order condition failed but no order exists".into())
                })?;
            return Ok(CommitOutcome::OrderExists(stored_order(&item)?));
        }
        if errors::is_throttled(reasons) {
            return Err(StoreError::Throttled);
        }
        let condition_failed = (0..reasons.len()).any(|i| errors::failed_condition(reasons, i));
        if errors::is_conflict(reasons) {
            tokio::time::sleep(errors::conflict_backoff(1)).await;
            return Ok(CommitOutcome::Stale);
        }
        if condition_failed {
            return Ok(CommitOutcome::Stale);
        }
        Err(StoreError::Corrupt(format!(
            "order transaction cancelled for reasons {:?}",
            reasons
                .iter()
                .map(|r| r.code().unwrap_or("None"))
                .collect::<Vec<_>>()
        )))
    }

    async fn coupon(&self, code: &CouponCode) -> Result<Option<Coupon>, StoreError> {
        self.get_consistent(keys::coupon(code), "reading a coupon")
            .await?
            .map(|item| stored_coupon(&item))
            .transpose()
    }

    async fn code_exists(&self, code: &ReferralCode) -> Result<bool, StoreError> {
        let item = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(keys::referral_code(code)))
            .projection_expression("#pk")
            .expression_attribute_names("#pk", keys::PK)
            .send()
            .await
            .map_err(|e| classify("reading whether a code exists", e))?
            .item;
        Ok(item.is_some())
    }

    async fn redeem_coupon(
        &self,
        code: &CouponCode,
        order_id: &OrderId,
        now: DateTime<Utc>,
        message: Option<OutboxMessage>,
    ) -> Result<RedeemOutcome, StoreError> {
        if let Some(message) = message {
            return self.redeem_with_message(code, order_id, now, message).await;
        }
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(keys::coupon(code)))
            .update_expression(REDEEM)
            .condition_expression(REDEEMABLE)
            .expression_attribute_names("#status", "status")
            .set_expression_attribute_values(Some(redemption_values(order_id, now)))
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        match conditional_update("redeeming a coupon", result)? {
            Some(output) => {
                let item = output.attributes.ok_or_else(|| {
                    StoreError::Corrupt("redeemed coupon returned no attributes".into())
                })?;
                Ok(RedeemOutcome::Redeemed(stored_coupon(&item)?))
            }
            None => Ok(match self.coupon(code).await? {
                Some(coupon) => RedeemOutcome::Refused(coupon),
                None => RedeemOutcome::NotFound,
            }),
        }
    }

    /// One conditional UpdateItem: the refund id joins the order's set and its amount the sum,
    /// unless the set has it already; only then is the order read again (one GetItem).
    async fn record_refund(
        &self,
        order_id: &OrderId,
        refund: &PartialRefund,
    ) -> Result<Option<RefundTally>, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(keys::order(order_id)))
            .update_expression("ADD refund_ids :ids, refunded_minor :amount")
            .condition_expression("attribute_exists(#pk) AND NOT contains(refund_ids, :id)")
            .expression_attribute_names("#pk", keys::PK)
            .expression_attribute_values(
                ":ids",
                AttributeValue::Ss(vec![refund.refund_id.as_ref().to_owned()]),
            )
            .expression_attribute_values(":id", AttributeValue::S(refund.refund_id.as_ref().into()))
            .expression_attribute_values(":amount", number(refund.amount.get()))
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        let item = match conditional_update("recording a refund", result)? {
            Some(output) => output.attributes.unwrap_or_default(),
            None => match self.order_item(order_id).await? {
                Some(item) => item,
                None => return Ok(None),
            },
        };
        let total = match item.get("total_minor") {
            None => None,
            Some(_) => Some(
                MinorUnits::new(attributes::counter(&item, "total_minor")?)
                    .map_err(|_| StoreError::Corrupt("an order's total is out of range".into()))?,
            ),
        };
        Ok(Some(RefundTally {
            total,
            refunded: attributes::counter(&item, "refunded_minor")?,
        }))
    }

    async fn refund_order(
        &self,
        order_id: &OrderId,
        at: DateTime<Utc>,
        revoked: &RevokedMessage<'_>,
    ) -> Result<Option<Vec<Coupon>>, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(keys::order(order_id)))
            .update_expression("SET refunded_at = if_not_exists(refunded_at, :at)")
            .condition_expression("attribute_exists(#pk)")
            .expression_attribute_names("#pk", keys::PK)
            .expression_attribute_values(":at", timestamp(at))
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        let Some(output) = conditional_update("marking an order refunded", result)? else {
            return Ok(None);
        };
        let order = output.attributes.unwrap_or_default();
        let codes: Vec<CouponCode> = string_set(&order, "coupons")
            .iter()
            .map(|c| {
                CouponCode::parse(c)
                    .map_err(|_| StoreError::Corrupt("order lists a bad coupon".into()))
            })
            .collect::<Result<_, _>>()?;
        if codes.is_empty() {
            return Ok(Some(Vec::new()));
        }
        let before = self
            .batch_get(codes.iter().map(keys::coupon).collect())
            .await?;
        for coupon in before.iter().map(stored_coupon) {
            let coupon = coupon?;
            if coupon.state == CouponState::Issued {
                self.revoke_if_issued(&coupon, at, revoked(&coupon)).await?;
            }
        }
        let items = self
            .batch_get(codes.iter().map(keys::coupon).collect())
            .await?;
        let mut coupons: Vec<Coupon> = items.iter().map(stored_coupon).collect::<Result<_, _>>()?;
        coupons.sort_by_key(|c| c.reward.beneficiary != Beneficiary::Referrer);
        Ok(Some(coupons))
    }
}

impl DynamoStore {
    async fn order_item(&self, order_id: &OrderId) -> Result<Option<Item>, StoreError> {
        self.get_consistent(keys::order(order_id), "reading an order")
            .await
    }

    /// A redemption that writes its event: one transaction, so the event exists exactly when the
    /// redemption does.
    async fn redeem_with_message(
        &self,
        code: &CouponCode,
        order_id: &OrderId,
        now: DateTime<Utc>,
        message: OutboxMessage,
    ) -> Result<RedeemOutcome, StoreError> {
        let redeem = Update::builder()
            .table_name(&self.table)
            .set_key(Some(keys::coupon(code)))
            .update_expression(REDEEM)
            .condition_expression(REDEEMABLE)
            .expression_attribute_names("#status", "status")
            .set_expression_attribute_values(Some(redemption_values(order_id, now)))
            .build()
            .map_err(|e| StoreError::backend("building a redemption", e))?;
        let mut items = vec![TransactWriteItem::builder().update(redeem).build()];
        items.extend(message_puts(&self.table, self.retention, &[message])?);
        let committed = match self.transact("redeeming a coupon", items).await? {
            Transact::Committed => true,
            Transact::Cancelled(reasons) if errors::is_throttled(&reasons) => {
                return Err(StoreError::Throttled)
            }
            Transact::Cancelled(reasons) if errors::failed_condition(&reasons, 0) => false,
            Transact::Cancelled(_) => {
                return Err(StoreError::Contention {
                    operation: "redeem a coupon",
                    attempts: 1,
                })
            }
        };
        Ok(match (self.coupon(code).await?, committed) {
            (None, _) => RedeemOutcome::NotFound,
            (Some(coupon), true) => RedeemOutcome::Redeemed(coupon),
            (Some(coupon), false) => RedeemOutcome::Refused(coupon),
        })
    }

    /// Revokes a coupon, with its value added to the day's `revoked_cents` and its `message`
    /// written, unless it was redeemed or revoked meanwhile; both outcomes are fine.
    async fn revoke_if_issued(
        &self,
        coupon: &Coupon,
        at: DateTime<Utc>,
        message: Option<OutboxMessage>,
    ) -> Result<(), StoreError> {
        let revoke = Update::builder()
            .table_name(&self.table)
            .set_key(Some(keys::coupon(&coupon.reward.coupon)))
            .update_expression("SET #status = :revoked")
            .condition_expression("#status = :issued")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":revoked", AttributeValue::S(REVOKED.into()))
            .expression_attribute_values(":issued", AttributeValue::S(ISSUED.into()))
            .build()
            .map_err(|e| StoreError::backend("building a coupon revocation", e))?;
        let mut items = vec![TransactWriteItem::builder().update(revoke).build()];
        let cents = coupon.reward.amount_cents as i64;
        items.extend(counter_updates(
            &self.table,
            &[counters::funnel(
                at.date_naive(),
                counters::REVOKED_CENTS,
                cents,
            )],
        )?);
        items.extend(message_puts(
            &self.table,
            self.retention,
            message.as_slice(),
        )?);
        match self.transact("revoking a coupon", items).await? {
            Transact::Committed => Ok(()),
            Transact::Cancelled(reasons) if errors::is_throttled(&reasons) => {
                Err(StoreError::Throttled)
            }
            Transact::Cancelled(_) => Ok(()),
        }
    }
}

/// The order record first (its index identifies a concurrent twin), then the friend's history,
/// then, if rewarded, guards, referrer counter and coupons, each with the condition that keeps
/// the decision true.
fn commit_transaction(
    table: &str,
    retention: Retention,
    commit: &OrderCommit,
) -> Result<Vec<TransactWriteItem>, StoreError> {
    let order = &commit.order;
    let build = |e| StoreError::backend("building the order transaction", e);
    let mut order_item = keys::order(&order.order_id);
    order_item.insert(
        "order_id".into(),
        AttributeValue::S(order.order_id.to_string()),
    );
    order_item.insert(
        "customer_id".into(),
        AttributeValue::S(order.customer_id.to_string()),
    );
    order_item.insert("placed_at".into(), timestamp(order.placed_at));
    order_item.insert("total_minor".into(), number(order.total_cents.get()));
    order_item.insert(
        keys::EXPIRES_AT.into(),
        expiry(retention.expires_at(order.placed_at)),
    );
    order_item.insert(
        "request_hash".into(),
        AttributeValue::S(commit.request_hash.clone()),
    );
    order_item.insert(
        "response_body".into(),
        AttributeValue::S(stored::outcome_to_json(&commit.outcome)),
    );
    if let Some(reward) = &commit.reward {
        order_item.insert(
            "coupons".into(),
            AttributeValue::Ss(
                reward
                    .rewards
                    .iter()
                    .map(|r| r.coupon.to_string())
                    .collect(),
            ),
        );
    }
    let mut items = vec![Put::builder()
        .table_name(table)
        .set_item(Some(order_item))
        .condition_expression("attribute_not_exists(#pk)")
        .expression_attribute_names("#pk", keys::PK)
        .build()
        .map(|put| TransactWriteItem::builder().put(put).build())
        .map_err(build)?];
    items.push(history_update(
        table,
        order,
        &commit.person,
        &commit.seen_history,
        &commit.new_history,
    )?);
    if let Some(reward) = &commit.reward {
        items.extend(reward_writes(table, order, &commit.person, reward)?);
    }
    items.extend(counter_updates(table, &commit.counters)?);
    items.push(order_day_update(
        table,
        order.placed_at.date_naive(),
        &order.customer_id,
    )?);
    items.extend(message_puts(table, retention, &commit.messages)?);
    Ok(items)
}

fn history_update(
    table: &str,
    order: &Order,
    person: &PersonFingerprint,
    seen: &OrderHistory,
    new: &OrderHistory,
) -> Result<TransactWriteItem, StoreError> {
    let mut assignments = vec![
        "order_count = :count",
        "first_order_at = :first",
        "last_order_at = :last",
        "totals = :totals",
        "order_days = :days",
        "customer_id = :customer",
        "email = if_not_exists(email, :email)",
        "person = if_not_exists(person, :person)",
        "created_at = if_not_exists(created_at, :placed)",
    ];
    let totals: HashMap<String, AttributeValue> = new
        .totals
        .iter()
        .map(|(c, v)| (c.clone(), number(*v)))
        .collect();
    let first = new.first_order_at.unwrap_or(order.placed_at);
    let last = new.last_order_at.unwrap_or(order.placed_at);
    let mut update = Update::builder()
        .table_name(table)
        .set_key(Some(keys::customer_profile(&order.customer_id)))
        .condition_expression("attribute_not_exists(order_count) OR order_count = :seen")
        .expression_attribute_values(":seen", number(seen.order_count))
        .expression_attribute_values(":count", number(new.order_count))
        .expression_attribute_values(":first", timestamp(first))
        .expression_attribute_values(":last", timestamp(last))
        .expression_attribute_values(":totals", AttributeValue::M(totals))
        .expression_attribute_values(
            ":days",
            AttributeValue::L(
                new.order_days
                    .iter()
                    .map(|d| AttributeValue::S(d.format("%Y-%m-%d").to_string()))
                    .collect(),
            ),
        )
        .expression_attribute_values(
            ":customer",
            AttributeValue::S(order.customer_id.to_string()),
        )
        .expression_attribute_values(":email", AttributeValue::S(order.email.to_string()))
        .expression_attribute_values(":person", AttributeValue::S(person.to_string()))
        .expression_attribute_values(":placed", timestamp(order.placed_at));
    if let Some(name) = &order.name {
        assignments.push("#name = if_not_exists(#name, :name)");
        update = update
            .expression_attribute_names("#name", "name")
            .expression_attribute_values(":name", AttributeValue::S(name.to_string()));
    }
    if let Some(locale) = order.locale {
        assignments.push("locale = if_not_exists(locale, :locale)");
        update = update
            .expression_attribute_values(":locale", AttributeValue::S(locale.as_str().into()));
    }
    let update = update
        .update_expression(format!("SET {}", assignments.join(", ")))
        .build()
        .map_err(|e| StoreError::backend("building the history update", e))?;
    Ok(TransactWriteItem::builder().update(update).build())
}

fn reward_writes(
    table: &str,
    order: &Order,
    person: &PersonFingerprint,
    reward: &RewardCommit,
) -> Result<Vec<TransactWriteItem>, StoreError> {
    let build = |e| StoreError::backend("building the reward writes", e);
    let put_new = |item: Item| {
        Put::builder()
            .table_name(table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(#pk)")
            .expression_attribute_names("#pk", keys::PK)
            .build()
            .map(|put| TransactWriteItem::builder().put(put).build())
            .map_err(build)
    };
    let mut writes = Vec::new();
    for mut guard in keys::referral_guards(person, &order.customer_id) {
        guard.insert(
            "order_id".into(),
            AttributeValue::S(order.order_id.to_string()),
        );
        writes.push(put_new(guard)?);
    }
    let conversions = Update::builder()
        .table_name(table)
        .set_key(Some(keys::referral_code(&reward.referral_code)))
        .update_expression("ADD conversions :one")
        .condition_expression("attribute_exists(#pk) AND conversions < :cap")
        .expression_attribute_names("#pk", keys::PK)
        .expression_attribute_values(":one", number(1))
        .expression_attribute_values(":cap", number(reward.referrer_cap))
        .build()
        .map_err(build)?;
    writes.push(TransactWriteItem::builder().update(conversions).build());
    for r in &reward.rewards {
        writes.push(put_new(coupon_item(order, r))?);
    }
    Ok(writes)
}

fn coupon_item(order: &Order, reward: &Reward) -> Item {
    let mut item = keys::coupon(&reward.coupon);
    item.insert("code".into(), AttributeValue::S(reward.coupon.to_string()));
    item.insert(
        "order_id".into(),
        AttributeValue::S(order.order_id.to_string()),
    );
    item.insert(
        "beneficiary".into(),
        AttributeValue::S(reward.beneficiary.as_str().into()),
    );
    item.insert(
        "customer_id".into(),
        AttributeValue::S(reward.customer_id.to_string()),
    );
    item.insert("amount_cents".into(), number(reward.amount_cents));
    item.insert(
        "currency".into(),
        AttributeValue::S(reward.currency.to_string()),
    );
    item.insert("available_from".into(), timestamp(reward.available_from));
    item.insert("status".into(), AttributeValue::S(ISSUED.into()));
    item
}

fn stored_order(item: &Item) -> Result<StoredOrder, StoreError> {
    Ok(StoredOrder {
        request_hash: string(item, "request_hash")?.to_owned(),
        outcome: stored::outcome_from_json(string(item, "response_body")?)?,
    })
}

pub(super) fn order_history(item: &Item) -> Result<OrderHistory, StoreError> {
    let parse_time = |name: &str| {
        optional_string(item, name)
            .map(stored::parse_timestamp)
            .transpose()
    };
    let totals = match item.get("totals") {
        Some(AttributeValue::M(map)) => map
            .iter()
            .map(|(currency, value)| match value {
                AttributeValue::N(n) => n
                    .parse::<u64>()
                    .map(|v| (currency.clone(), v))
                    .map_err(|_| StoreError::Corrupt("bad order total".into())),
                _ => Err(StoreError::Corrupt("bad order total".into())),
            })
            .collect::<Result<BTreeMap<_, _>, _>>()?,
        _ => BTreeMap::new(),
    };
    Ok(OrderHistory {
        order_count: attributes::counter(item, "order_count")?,
        first_order_at: parse_time("first_order_at")?,
        last_order_at: parse_time("last_order_at")?,
        totals,
        order_days: match item.get("order_days") {
            Some(AttributeValue::L(days)) => days
                .iter()
                .map(|d| match d {
                    AttributeValue::S(d) => chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
                        .map_err(|_| StoreError::Corrupt("bad order day".into())),
                    _ => Err(StoreError::Corrupt("bad order day".into())),
                })
                .collect::<Result<_, _>>()?,
            _ => Vec::new(),
        },
    })
}

fn referrer_from(item: &Item) -> Result<Referrer, StoreError> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("bad referrer {what}"));
    Ok(Referrer {
        customer_id: CustomerId::parse(string(item, "customer_id")?).map_err(|_| corrupt("id"))?,
        code: ReferralCode::parse(string(item, "code")?).map_err(|_| corrupt("code"))?,
        person: PersonFingerprint::from_stored(string(item, "owner_person")?)
            .ok_or_else(|| corrupt("fingerprint"))?,
        email: Email::parse(string(item, "owner_email")?).map_err(|_| corrupt("email"))?,
        name: optional_string(item, "owner_name")
            .map(CustomerName::parse)
            .transpose()
            .map_err(|_| corrupt("name"))?,
        locale: optional_string(item, "owner_locale")
            .map(Locale::parse)
            .transpose()
            .map_err(|_| corrupt("locale"))?,
        conversions: attributes::counter(item, "conversions")?,
    })
}

pub(super) fn stored_coupon(item: &Item) -> Result<Coupon, StoreError> {
    Ok(Coupon {
        reward: stored::reward(
            string(item, "beneficiary")?,
            string(item, "customer_id")?,
            string(item, "code")?,
            attributes::counter(item, "amount_cents")?,
            string(item, "currency")?,
            string(item, "available_from")?,
        )?,
        state: stored::coupon_state(
            string(item, "status")?,
            optional_string(item, "redeemed_order"),
        )?,
    })
}
