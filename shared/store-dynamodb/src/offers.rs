//! Claims of the friend's offer: the claim item keyed by the person's fingerprint, written in
//! one transaction with its coupon, the code's claim count, the funnel and the messages.

use std::collections::HashMap;

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, ConditionCheck, TransactWriteItem};

use super::attributes::{self, expiry, number, string, timestamp, Item};
use super::coupons::coupon_item;
use super::errors::{self, Transact};
use super::keys::{self, PEOPLE_INDEX, PERSON};
use super::outbox::message_puts;
use super::tallies::tally_put;
use super::DynamoStore;
use domain::model::{
    Claimant, CodeOwner, CouponCode, Currency, CustomerId, OfferClaim, PersonFingerprint,
    ReferralCode,
};
use domain::ports::{OfferCommit, OfferCommitted, OfferContext, OfferStore, StoreError};

const CLAIM_INDEX: usize = 0;
const CODE_INDEX: usize = 1;

#[async_trait]
impl OfferStore for DynamoStore {
    /// One `BatchGetItem` (code, claim, guards, the named customer's profile); then, for a
    /// person without a claim on a known code, the `people` index and their profiles, which
    /// tell whether any of them has ordered.
    async fn offer_context(
        &self,
        code: &ReferralCode,
        person: &PersonFingerprint,
        customer_id: Option<&CustomerId>,
    ) -> Result<OfferContext, StoreError> {
        let code_key = keys::referral_code(code);
        let claim_key = keys::offer_claim(person);
        let mut guards = vec![keys::person_guard(person)];
        let mut wanted = vec![code_key.clone(), claim_key.clone()];
        if let Some(customer_id) = customer_id {
            guards.push(keys::customer_guard(customer_id));
            wanted.push(keys::customer_profile(customer_id));
        }
        wanted.extend(guards.iter().cloned());
        let items: HashMap<String, Item> = self
            .batch_get(wanted)
            .await?
            .into_iter()
            .map(|item| (keys::partition(&item).to_owned(), item))
            .collect();
        let owner = items
            .get(keys::partition(&code_key))
            .map(code_owner)
            .transpose()?;
        let claim = items
            .get(keys::partition(&claim_key))
            .map(claim_from)
            .transpose()?;
        if claim.is_some() || owner.is_none() {
            // Nothing more is decided: the claim stands, or there is nothing to claim.
            return Ok(OfferContext {
                owner,
                claim,
                claimant: Claimant::default(),
            });
        }
        let referred_before = guards
            .iter()
            .any(|g| items.contains_key(keys::partition(g)));
        let mut has_ordered = items
            .values()
            .filter(|item| keys::partition(item).starts_with("CUSTOMER#"))
            .any(ordered);
        if !has_ordered && !referred_before {
            has_ordered = self.person_has_ordered(person).await?;
        }
        Ok(OfferContext {
            owner,
            claim,
            claimant: Claimant {
                referred_before,
                has_ordered,
            },
        })
    }

    async fn commit_offer(&self, commit: &OfferCommit) -> Result<OfferCommitted, StoreError> {
        let items = self.offer_transaction(commit)?;
        let reasons = match self.transact("committing a claim", items).await? {
            Transact::Committed => return Ok(OfferCommitted::Committed),
            Transact::Cancelled(reasons) => reasons,
        };
        if errors::failed_condition(&reasons, CLAIM_INDEX) {
            let item = self
                .get_consistent(keys::offer_claim(&commit.person), "reading the first claim")
                .await?
                .ok_or_else(|| {
                    StoreError::Corrupt("a claim's condition failed but no claim exists".into())
                })?;
            return Ok(OfferCommitted::Claimed(claim_from(&item)?));
        }
        if errors::is_throttled(&reasons) {
            return Err(StoreError::Throttled);
        }
        if errors::failed_condition(&reasons, CODE_INDEX) {
            return Ok(OfferCommitted::UnknownCode);
        }
        // A concurrent writer changed or held what the claim rests on: the domain decides again.
        Ok(OfferCommitted::Stale)
    }
}

impl DynamoStore {
    /// Whether any profile carrying the person's fingerprint has a recorded order. The index is
    /// eventually consistent: an order recorded a moment ago may be missed, which only lets
    /// that person claim an offer the order's own rules then refuse to reward.
    async fn person_has_ordered(&self, person: &PersonFingerprint) -> Result<bool, StoreError> {
        let output = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(PEOPLE_INDEX)
            .key_condition_expression("#person = :person")
            .expression_attribute_names("#person", PERSON)
            .expression_attribute_values(":person", AttributeValue::S(person.to_string()))
            .send()
            .await
            .map_err(|e| errors::classify("finding a person's profiles", e))?;
        let profiles: Vec<keys::Key> = output
            .items
            .unwrap_or_default()
            .into_iter()
            .filter(|item| keys::partition(item).starts_with("CUSTOMER#"))
            .map(|item| {
                item.into_iter()
                    .filter(|(name, _)| name == keys::PK || name == keys::SK)
                    .collect()
            })
            .collect();
        if profiles.is_empty() {
            return Ok(false);
        }
        Ok(self.batch_get(profiles).await?.iter().any(ordered))
    }

    /// The claim (only if the person has none), the code's existence, the coupon (only if its
    /// code is free), the tally and the messages.
    fn offer_transaction(
        &self,
        commit: &OfferCommit,
    ) -> Result<Vec<TransactWriteItem>, StoreError> {
        const CONTEXT: &str = "building the claim transaction";
        let build = |e| StoreError::backend(CONTEXT, e);
        let claim = &commit.claim;
        let put_new = |item: Item| keys::put_if_new(&self.table, item, CONTEXT);
        let mut record = keys::offer_claim(&commit.person);
        record.insert(PERSON.into(), AttributeValue::S(commit.person.to_string()));
        record.insert(
            keys::CUSTOMER_ID.into(),
            AttributeValue::S(claim.customer_id.to_string()),
        );
        record.insert("code".into(), AttributeValue::S(claim.code.to_string()));
        record.insert("coupon".into(), AttributeValue::S(claim.coupon.to_string()));
        record.insert("amount_cents".into(), number(claim.amount_cents));
        record.insert(
            "currency".into(),
            AttributeValue::S(claim.currency.to_string()),
        );
        record.insert("min_order_cents".into(), number(claim.min_order_cents));
        record.insert("claimed_at".into(), timestamp(claim.claimed_at));
        record.insert("offer_ends_at".into(), timestamp(claim.expires_at));
        record.insert(
            keys::EXPIRES_AT.into(),
            expiry(self.retention.expires_at(claim.claimed_at)),
        );
        // Only checked: the code's counts move with the tally, so claims on one code never
        // write its item (a referrer's orders write it for the cap).
        let known_code = ConditionCheck::builder()
            .table_name(&self.table)
            .set_key(Some(keys::referral_code(&claim.code)))
            .condition_expression("attribute_exists(#pk)")
            .expression_attribute_names("#pk", keys::PK)
            .build()
            .map_err(build)?;
        let mut coupon = coupon_item(&claim.reward());
        coupon.insert(
            "referral_code".into(),
            AttributeValue::S(claim.code.to_string()),
        );
        coupon.insert("min_order_cents".into(), number(claim.min_order_cents));
        let mut items = vec![
            put_new(record)?,
            TransactWriteItem::builder()
                .condition_check(known_code)
                .build(),
            put_new(coupon)?,
        ];
        items.extend(tally_put(&self.table, &commit.tally)?);
        items.extend(message_puts(&self.table, self.retention, &commit.messages)?);
        Ok(items)
    }
}

fn ordered(profile: &Item) -> bool {
    attributes::counter(profile, "order_count").is_ok_and(|count| count > 0)
}

fn code_owner(item: &Item) -> Result<CodeOwner, StoreError> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("bad code owner {what}"));
    Ok(CodeOwner {
        customer_id: CustomerId::parse(string(item, "customer_id")?).map_err(|_| corrupt("id"))?,
        person: PersonFingerprint::from_stored(string(item, "owner_person")?)
            .ok_or_else(|| corrupt("fingerprint"))?,
    })
}

pub(super) fn claim_from(item: &Item) -> Result<OfferClaim, StoreError> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("bad claim {what}"));
    Ok(OfferClaim {
        code: ReferralCode::parse(string(item, "code")?).map_err(|_| corrupt("code"))?,
        coupon: CouponCode::parse(string(item, "coupon")?).map_err(|_| corrupt("coupon"))?,
        customer_id: CustomerId::parse(string(item, "customer_id")?)
            .map_err(|_| corrupt("customer"))?,
        amount_cents: attributes::counter(item, "amount_cents")?,
        currency: Currency::parse(string(item, "currency")?).map_err(|_| corrupt("currency"))?,
        min_order_cents: attributes::counter(item, "min_order_cents")?,
        claimed_at: attributes::parse_timestamp(item, "claimed_at")?,
        expires_at: attributes::parse_timestamp(item, "offer_ends_at")?,
    })
}
