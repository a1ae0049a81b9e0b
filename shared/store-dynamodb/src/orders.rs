use std::collections::{BTreeMap, HashMap};

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue, TransactWriteItem, Update};
use chrono::{DateTime, Utc};

use super::attributes::{
    self, expiry, number, optional_string, string, string_set, timestamp, Item,
};
use super::errors::{self, classify, conditional_update, Transact};
use super::outbox::{message_puts, reschedule_step};
use super::reviews::{day_count_expression, day_counts, held_review_puts, network_count};
use super::tallies::tally_put;
use super::{keys, DynamoStore};
use domain::model::Retention;
use domain::model::{
    Beneficiary, CarriedCode, Coupon, CouponCode, CouponState, Currency, CustomerId, CustomerName,
    Email, Friend, Locale, MinorUnits, Order, OrderHistory, OrderId, PersonFingerprint,
    ReferralCode, Referrer, Reward, WinbackSent,
};
use domain::ports::stored::{self, AWAITING_PAYMENT, ISSUED, REDEEMED, REVIEW, REVOKED};
use domain::ports::{
    CommitOutcome, ExistingOrder, KnownCodes, OrderCommit, OrderContext, OrderStore, OutboxMessage,
    PartialRefund, RedeemOutcome, RefundTally, RefundsRecorded, ReviewLookup, ReviewReading,
    RevokedMessage, RewardCommit, StoreError, Tally, UndecidedOrder,
};

const ORDER_INDEX: usize = 0;

/// An order may be decided when it has no record yet, or one a platform reported before its
/// payment that was not closed since.
const DECIDABLE: &str =
    "attribute_not_exists(#pk) OR (#state = :awaiting AND attribute_not_exists(refunded_at))";

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

#[async_trait]
impl OrderStore for DynamoStore {
    async fn order_context(
        &self,
        order: &Order,
        person: &PersonFingerprint,
        lookup: &ReviewLookup,
    ) -> Result<OrderContext, StoreError> {
        let order_key = keys::order(&order.order_id);
        let profile_key = keys::customer_profile(&order.customer_id);
        let guards = keys::referral_guards(person, &order.customer_id);
        let code_key = match &order.referral_code {
            Some(CarriedCode::Wellformed(code)) => Some(keys::referral_code(code)),
            _ => None,
        };
        // A network's counts matter only to a referred order.
        let network_key = lookup
            .network
            .as_ref()
            .filter(|_| code_key.is_some())
            .map(keys::network_counts);
        let wanted: Vec<String> = [
            Some(&order_key),
            Some(&profile_key),
            Some(&guards[0]),
            Some(&guards[1]),
            code_key.as_ref(),
            network_key.as_ref(),
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
        request.extend(network_key.clone());
        let items = self.batch_get(request).await?;
        let mut by_pk: HashMap<String, Item> = items
            .into_iter()
            .filter(|item| wanted.iter().any(|w| w == keys::partition(item)))
            .map(|item| (keys::partition(&item).to_owned(), item))
            .collect();

        let existing = by_pk
            .remove(keys::partition(&order_key))
            .map(|item| existing_order(&item))
            .transpose()?;
        let profile = by_pk.remove(keys::partition(&profile_key));
        let history = profile
            .as_ref()
            .map(order_history)
            .transpose()?
            .unwrap_or_default();
        let winback = profile.as_ref().map(winback_sent).transpose()?.flatten();
        let referred_before = guards
            .iter()
            .any(|g| by_pk.contains_key(keys::partition(g)));
        let code_item = code_key.and_then(|k| by_pk.remove(keys::partition(&k)));
        let referrer = code_item.as_ref().map(referrer_from).transpose()?;
        let mut review = ReviewReading {
            referrer_rewards: code_item.as_ref().map(day_counts).unwrap_or_default(),
            orders_from_ip: network_key.map(|k| {
                by_pk
                    .remove(keys::partition(&k))
                    .as_ref()
                    .map(day_counts)
                    .unwrap_or_default()
            }),
            referrer_marks: Vec::new(),
        };
        if let (Some(referrer), true) = (&referrer, lookup.referrer_marks) {
            review.referrer_marks = self.review_marks(&referrer.customer_id).await?;
        }
        Ok(OrderContext {
            review,
            existing,
            friend: Friend {
                history,
                referred_before,
                winback,
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
            return match existing_order(&item)? {
                ExistingOrder::Decided(stored) => Ok(CommitOutcome::OrderExists(stored)),
                ExistingOrder::Closed => Ok(CommitOutcome::Closed),
                // It was awaiting payment and still is: another condition of the order's
                // update failed with it; decide again.
                ExistingOrder::AwaitingPayment => Ok(CommitOutcome::Stale),
            };
        }
        if errors::is_throttled(reasons) {
            return Err(StoreError::Throttled);
        }
        // A concurrent writer: either it changed a fact this decision rests on (a condition
        // failed) or it held an item at the same moment (a conflict). The domain decides again.
        let condition_failed = (0..reasons.len()).any(|i| errors::failed_condition(reasons, i));
        if condition_failed || errors::is_conflict(reasons) {
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

    /// One `BatchGetItem` over both kinds of key (a code of 10 or more characters may be
    /// either, so two requests for more than 50 of them).
    async fn known_codes(
        &self,
        referral_codes: &[ReferralCode],
        coupons: &[CouponCode],
    ) -> Result<KnownCodes, StoreError> {
        let mut wanted: Vec<_> = referral_codes.iter().map(keys::referral_code).collect();
        wanted.extend(coupons.iter().map(keys::coupon));
        let items = self.batch_get(wanted).await?;
        let found: std::collections::HashSet<String> = items
            .iter()
            .map(|item| keys::partition(item).to_owned())
            .collect();
        let present = |key: &keys::Key| found.contains(keys::partition(key));
        let mut offers = Vec::new();
        for item in items
            .iter()
            .filter(|i| keys::partition(i).starts_with("COUPON#"))
        {
            if let Some(claimed_on) = optional_string(item, "referral_code") {
                let coupon = CouponCode::parse(string(item, "code")?)
                    .map_err(|_| StoreError::Corrupt("a coupon's bad code".into()))?;
                let code = ReferralCode::parse(claimed_on)
                    .map_err(|_| StoreError::Corrupt("a coupon's bad referral code".into()))?;
                offers.push((coupon, code));
            }
        }
        Ok(KnownCodes {
            offers,
            referral_codes: referral_codes
                .iter()
                .filter(|code| present(&keys::referral_code(code)))
                .cloned()
                .collect(),
            coupons: coupons
                .iter()
                .filter(|code| present(&keys::coupon(code)))
                .cloned()
                .collect(),
        })
    }

    /// A `PutItem` conditioned on the id being new; when it is not, the record is read and an
    /// order awaiting payment is closed by a conditional `UpdateItem`.
    async fn record_undecided(
        &self,
        order: &UndecidedOrder,
    ) -> Result<Option<ExistingOrder>, StoreError> {
        let mut item = keys::order(&order.order_id);
        item.insert(
            "order_id".into(),
            AttributeValue::S(order.order_id.to_string()),
        );
        item.insert(
            "customer_id".into(),
            AttributeValue::S(order.customer_id.to_string()),
        );
        item.insert("placed_at".into(), timestamp(order.placed_at));
        item.insert("total_minor".into(), number(order.total.get()));
        item.insert(
            "currency".into(),
            AttributeValue::S(order.currency.to_string()),
        );
        item.insert("state".into(), AttributeValue::S(AWAITING_PAYMENT.into()));
        if let Some(closed_at) = order.closed_at {
            item.insert("refunded_at".into(), timestamp(closed_at));
        }
        item.insert(
            keys::EXPIRES_AT.into(),
            expiry(self.retention.expires_at(order.placed_at)),
        );
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(#pk)")
            .expression_attribute_names("#pk", keys::PK)
            .send()
            .await;
        match put {
            Ok(_) => return Ok(None),
            Err(error) => {
                use aws_sdk_dynamodb::operation::put_item::PutItemError;
                if !matches!(
                    error.as_service_error(),
                    Some(PutItemError::ConditionalCheckFailedException(_))
                ) {
                    return Err(classify("recording an undecided order", error));
                }
            }
        }
        let existing = match self.order_item(&order.order_id).await? {
            Some(item) => existing_order(&item)?,
            None => {
                return Err(StoreError::Contention {
                    operation: "record an undecided order",
                    attempts: 1,
                })
            }
        };
        if let (ExistingOrder::AwaitingPayment, Some(closed_at)) = (&existing, order.closed_at) {
            let result = self
                .client
                .update_item()
                .table_name(&self.table)
                .set_key(Some(keys::order(&order.order_id)))
                .update_expression("SET refunded_at = if_not_exists(refunded_at, :at)")
                .condition_expression("#state = :awaiting")
                .expression_attribute_names("#state", "state")
                .expression_attribute_values(":at", timestamp(closed_at))
                .expression_attribute_values(
                    ":awaiting",
                    AttributeValue::S(AWAITING_PAYMENT.into()),
                )
                .send()
                .await;
            // Decided in between: the caller revokes what was decided.
            if conditional_update("closing an order awaiting payment", result)?.is_none() {
                return match self.order_item(&order.order_id).await? {
                    Some(item) => existing_order(&item).map(Some),
                    None => Err(StoreError::Corrupt("a closed order vanished".into())),
                };
            }
        }
        Ok(Some(existing))
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

    /// One conditional `UpdateItem` when every refund is new: the ids join the order's set and
    /// their amounts the sum, while the order is in their currency and holds none of the ids.
    /// Otherwise the order is read and only the new ones are added, conditioned on the set as
    /// read.
    async fn record_refunds(
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

fn existing_order(item: &Item) -> Result<ExistingOrder, StoreError> {
    stored::existing_order(
        optional_string(item, "state"),
        item.contains_key("refunded_at"),
        optional_string(item, "request_hash").unwrap_or_default(),
        optional_string(item, "response_body"),
    )
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

/// The profile's latest win-back mail, if any.
fn winback_sent(item: &Item) -> Result<Option<WinbackSent>, StoreError> {
    let Some(sent) = optional_string(item, "winback_sent_at") else {
        return Ok(None);
    };
    Ok(Some(WinbackSent {
        sent_at: stored::parse_timestamp(sent)?,
        valid_until: attributes::parse_timestamp(item, "winback_until")?,
        won: optional_string(item, "winback_won") == Some(sent),
    }))
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
            optional_string(item, "valid_until"),
        )?,
        state: stored::coupon_state(
            string(item, "status")?,
            optional_string(item, "redeemed_order"),
        )?,
    })
}
