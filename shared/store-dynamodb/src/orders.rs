use std::collections::{BTreeMap, HashMap};

use async_trait::async_trait;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};

use super::attributes::{self, expiry, number, optional_string, string, timestamp, Item};
use super::coupons::stored_coupon;
use super::errors::{self, classify, conditional_update, Transact};
use super::order_commit::{commit_transaction, ORDER_INDEX};
use super::reviews::day_counts;
use super::{keys, DynamoStore};
use domain::model::{
    CarriedCode, Coupon, CouponCode, Currency, CustomerId, CustomerName, Email, Friend, Locale,
    Order, OrderHistory, OrderId, PersonFingerprint, ReferralCode, Referrer, WinbackSent,
};
use domain::ports::stored::{self, AWAITING_PAYMENT};
use domain::ports::{
    CommitOutcome, ExistingOrder, KnownCodes, OrderCommit, OrderContext, OrderStore, OutboxMessage,
    PartialRefund, RedeemOutcome, RefundsRecorded, ReviewLookup, ReviewReading, RevokedMessage,
    StoreError, UndecidedOrder,
};

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
        self.redeem(code, order_id, now, message).await
    }

    async fn record_refunds(
        &self,
        order_id: &OrderId,
        currency: Option<&Currency>,
        refunds: &[PartialRefund],
    ) -> Result<RefundsRecorded, StoreError> {
        self.add_refunds(order_id, currency, refunds).await
    }

    async fn refund_order(
        &self,
        order_id: &OrderId,
        at: DateTime<Utc>,
        revoked: &RevokedMessage<'_>,
    ) -> Result<Option<Vec<Coupon>>, StoreError> {
        self.revoke_for_refund(order_id, at, revoked).await
    }
}

impl DynamoStore {
    pub(super) async fn order_item(&self, order_id: &OrderId) -> Result<Option<Item>, StoreError> {
        self.get_consistent(keys::order(order_id), "reading an order")
            .await
    }
}

fn existing_order(item: &Item) -> Result<ExistingOrder, StoreError> {
    stored::existing_order(
        optional_string(item, "state"),
        item.contains_key("refunded_at"),
        optional_string(item, "request_hash").unwrap_or_default(),
        optional_string(item, "response_body"),
    )
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
