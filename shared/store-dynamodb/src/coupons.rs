//! Coupons on DynamoDB: a redemption (alone, or with its event in one transaction), the refunds
//! an order records, and the revocation a refund or cancellation makes. `OrderStore`'s methods
//! for them (orders.rs) lend their work to these.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue, TransactWriteItem, Update};
use chrono::{DateTime, Utc};

use super::attributes::{self, number, optional_string, string, string_set, timestamp, Item};
use super::errors::{self, conditional_update, Transact};
use super::outbox::message_puts;
use super::tallies::tally_put;
use super::{keys, DynamoStore};
use domain::model::{
    Beneficiary, Coupon, CouponCode, CouponState, Currency, MinorUnits, OrderId, Reward,
};
use domain::ports::stored::{self, ISSUED, REDEEMED, REVIEW, REVOKED};
use domain::ports::{
    OrderStore, OutboxMessage, PartialRefund, RedeemOutcome, RefundTally, RefundsRecorded,
    RevokedMessage, StoreError, Tally,
};

/// A redemption, alone or in a transaction with its event: issued and past its hold.
const REDEEM: &str = "SET #status = :redeemed, redeemed_order = :order, redeemed_at = :now";

const REDEEMABLE: &str = "#status = :issued AND available_from <= :now \
     AND (attribute_not_exists(valid_until) OR valid_until > :now)";

fn redemption_values(order_id: &OrderId, now: DateTime<Utc>) -> HashMap<String, AttributeValue> {
    HashMap::from([
        (":redeemed".to_owned(), AttributeValue::S(REDEEMED.into())),
        (":issued".to_owned(), AttributeValue::S(ISSUED.into())),
        (":order".to_owned(), AttributeValue::S(order_id.to_string())),
        (":now".to_owned(), timestamp(now)),
    ])
}

impl DynamoStore {
    pub(super) async fn redeem(
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

    /// One conditional `UpdateItem` when every refund is new: the ids join the order's set and
    /// their amounts the sum, while the order is in their currency and holds none of the ids.
    /// Otherwise the order is read and only the new ones are added, conditioned on the set as
    /// read.
    pub(super) async fn add_refunds(
        &self,
        order_id: &OrderId,
        currency: Option<&Currency>,
        refunds: &[PartialRefund],
    ) -> Result<RefundsRecorded, StoreError> {
        // A condition naming each id stays well inside DynamoDB's 4 KB expression limit.
        let mut all_new = refunds.len() <= 20;
        for attempt in 1..=errors::CONFLICT_ATTEMPTS {
            let (adding, known) = if all_new {
                (refunds.iter().collect::<Vec<_>>(), None)
            } else {
                let Some(item) = self.order_item(order_id).await? else {
                    return Ok(RefundsRecorded::UnknownOrder);
                };
                if let Some(order_currency) = other_currency(&item, currency)? {
                    return Ok(RefundsRecorded::OtherCurrency { order_currency });
                }
                let recorded = string_set(&item, "refund_ids");
                let adding: Vec<&PartialRefund> = refunds
                    .iter()
                    .filter(|r| !recorded.iter().any(|id| id == r.refund_id.as_ref()))
                    .collect();
                if adding.is_empty() {
                    return Ok(RefundsRecorded::Recorded {
                        tally: refund_tally(&item)?,
                        new: vec![false; refunds.len()],
                    });
                }
                (adding, Some(recorded.len()))
            };
            let result = refunds_update(self, order_id, currency, &adding, known)
                .send()
                .await;
            match conditional_update("recording refunds", result)? {
                Some(output) => {
                    let item = output.attributes.unwrap_or_default();
                    let new = refunds
                        .iter()
                        .map(|r| adding.iter().any(|a| a.refund_id == r.refund_id))
                        .collect();
                    return Ok(RefundsRecorded::Recorded {
                        tally: refund_tally(&item)?,
                        new,
                    });
                }
                None if all_new => all_new = false,
                None => tokio::time::sleep(errors::conflict_backoff(attempt)).await,
            }
        }
        Err(StoreError::Contention {
            operation: "record refunds",
            attempts: errors::CONFLICT_ATTEMPTS,
        })
    }

    pub(super) async fn revoke_for_refund(
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
            // A coupon held for review is revoked too: approving it later issues nothing.
            if matches!(coupon.state, CouponState::Issued | CouponState::Review) {
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

    /// Revokes a coupon, with its value added to the day's `revoked_cents` and its `messages`
    /// written, unless it was redeemed or revoked meanwhile; both outcomes are fine.
    async fn revoke_if_issued(
        &self,
        coupon: &Coupon,
        at: DateTime<Utc>,
        messages: Vec<OutboxMessage>,
    ) -> Result<(), StoreError> {
        let revoke = Update::builder()
            .table_name(&self.table)
            .set_key(Some(keys::coupon(&coupon.reward.coupon)))
            .update_expression("SET #status = :revoked")
            .condition_expression("#status IN (:issued, :review)")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":revoked", AttributeValue::S(REVOKED.into()))
            .expression_attribute_values(":issued", AttributeValue::S(ISSUED.into()))
            .expression_attribute_values(":review", AttributeValue::S(REVIEW.into()))
            .build()
            .map_err(|e| StoreError::backend("building a coupon revocation", e))?;
        let mut items = vec![TransactWriteItem::builder().update(revoke).build()];
        items.extend(tally_put(
            &self.table,
            &Tally::revocation(coupon.reward.amount_cents, at.date_naive()),
        )?);
        items.extend(message_puts(&self.table, self.retention, &messages)?);
        match self.transact("revoking a coupon", items).await? {
            Transact::Committed => Ok(()),
            Transact::Cancelled(reasons) if errors::is_throttled(&reasons) => {
                Err(StoreError::Throttled)
            }
            Transact::Cancelled(_) => Ok(()),
        }
    }
}

/// A coupon as issued; the caller adds what it was issued for.
pub(super) fn coupon_item(reward: &Reward) -> Item {
    let mut item = keys::coupon(&reward.coupon);
    item.insert("code".into(), AttributeValue::S(reward.coupon.to_string()));
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
    if let Some(valid_until) = reward.valid_until {
        item.insert("valid_until".into(), timestamp(valid_until));
    }
    item.insert("status".into(), AttributeValue::S(ISSUED.into()));
    item
}

/// The order's currency when it differs from the refunds' (orders recorded before currencies
/// were kept with them, and refunds without money, fit any).
fn other_currency(
    item: &Item,
    currency: Option<&Currency>,
) -> Result<Option<Currency>, StoreError> {
    let (Some(stored), Some(currency)) = (optional_string(item, "currency"), currency) else {
        return Ok(None);
    };
    if stored == currency.as_ref() {
        return Ok(None);
    }
    Currency::parse(stored)
        .map(Some)
        .map_err(|_| StoreError::Corrupt("an order's currency".into()))
}

fn refund_tally(item: &Item) -> Result<RefundTally, StoreError> {
    let total = match item.get("total_minor") {
        None => None,
        Some(_) => Some(
            MinorUnits::new(attributes::counter(item, "total_minor")?)
                .map_err(|_| StoreError::Corrupt("an order's total is out of range".into()))?,
        ),
    };
    Ok(RefundTally {
        total,
        refunded: attributes::counter(item, "refunded_minor")?,
    })
}

/// Adds `adding` to the order's refunds. `known`: how many refund ids the order held when read
/// (the set only grows, so an unchanged size is an unchanged set); `None`: none of the ids may
/// be in it.
fn refunds_update(
    store: &DynamoStore,
    order_id: &OrderId,
    currency: Option<&Currency>,
    adding: &[&PartialRefund],
    known: Option<usize>,
) -> aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder {
    let mut conditions = vec!["attribute_exists(#pk)".to_owned()];
    let mut update = store
        .client
        .update_item()
        .table_name(&store.table)
        .set_key(Some(keys::order(order_id)))
        .update_expression("ADD refund_ids :ids, refunded_minor :amount")
        .expression_attribute_names("#pk", keys::PK)
        .expression_attribute_values(
            ":ids",
            AttributeValue::Ss(
                adding
                    .iter()
                    .map(|r| r.refund_id.as_ref().to_owned())
                    .collect(),
            ),
        )
        .expression_attribute_values(
            ":amount",
            number(adding.iter().map(|r| r.amount.get()).sum()),
        )
        .return_values(ReturnValue::AllNew);
    if let Some(currency) = currency {
        conditions.push("(attribute_not_exists(currency) OR currency = :currency)".into());
        update = update
            .expression_attribute_values(":currency", AttributeValue::S(currency.to_string()));
    }
    match known {
        Some(0) => conditions.push("attribute_not_exists(refund_ids)".into()),
        Some(size) => {
            conditions.push("size(refund_ids) = :known".into());
            update = update.expression_attribute_values(":known", number(size as u64));
        }
        None => {
            for (index, refund) in adding.iter().enumerate() {
                let name = format!(":id{index}");
                conditions.push(format!("NOT contains(refund_ids, {name})"));
                update = update.expression_attribute_values(
                    name,
                    AttributeValue::S(refund.refund_id.as_ref().to_owned()),
                );
            }
        }
    }
    update.condition_expression(conditions.join(" AND "))
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
            optional_string(item, "valid_until"),
        )?,
        state: stored::coupon_state(
            string(item, "status")?,
            optional_string(item, "redeemed_order"),
        )?,
    })
}
