//! A subject's items, found by key through two KEYS_ONLY indexes (`customers` by
//! `customer_id`, `people` by `person`), read in batches, exported and erased item by item.
//!
//! Erasure is a sequence of single-item writes, each idempotent: a run cut short is finished by
//! the next one, and a second run finds nothing left to remove.

use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};

use super::attributes::{self, optional_string, parse_timestamp, string, timestamp, Item};
use super::coupons::stored_coupon;
use super::errors::{classify, conditional_update};
use super::keys::{self, Key, CUSTOMERS_INDEX, CUSTOMER_ID, PEOPLE_INDEX, PERSON};
use super::offers::claim_from;
use super::orders::order_history;
use super::outbox::{any_summary, PAYLOAD};
use super::surveys::survey_from;
use super::DynamoStore;
use domain::model::{
    CustomerId, CustomerName, Email, IssuedCode, Locale, MinorUnits, OrderId, PersonFingerprint,
    ReferralCode, ReferralStats,
};
use domain::ports::stored::optional;
use domain::ports::{
    DataSubject, Erasure, MessageStatus, OptOut, OrderRecord, PersonalData, PersonalDataStore,
    Profile, StoreError,
};

#[async_trait]
impl PersonalDataStore for DynamoStore {
    async fn personal_data(&self, subject: &DataSubject) -> Result<PersonalData, StoreError> {
        let items = self.subject_items(subject).await?;
        let mut data = PersonalData::default();
        let mut people: BTreeSet<PersonFingerprint> = BTreeSet::new();
        if let DataSubject::Person(person) = subject {
            people.insert(person.clone());
        }
        for item in items.values() {
            let partition = keys::partition(item);
            if partition.starts_with("CUSTOMER#") {
                let profile = profile_from(item)?;
                people.extend(fingerprint(item));
                data.profiles.push(profile);
            } else if partition.starts_with("CODE#") {
                data.referral_codes.push(code_from(item)?);
            } else if partition.starts_with("ORDER#") {
                data.orders.push(order_from(item)?);
            } else if partition.starts_with("COUPON#") {
                data.coupons.push(stored_coupon(item)?);
            } else if partition.starts_with(keys::OFFER_CLAIM_PREFIX) {
                data.claims.push(claim_from(item)?);
            } else if partition.starts_with("SURVEY#") {
                let survey = survey_from(item)?;
                people.insert(survey.person.clone());
                data.surveys.push(survey);
            } else if partition.starts_with(keys::OUTBOX_PREFIX) {
                data.messages.push(any_summary(item)?);
            }
        }
        let opt_out_keys: Vec<Key> = people.iter().map(keys::opt_out).collect();
        for item in self.batch_get(opt_out_keys).await? {
            let person = keys::partition(&item)
                .strip_prefix("OPTOUT#PERSON#")
                .and_then(PersonFingerprint::from_stored)
                .ok_or_else(|| StoreError::Corrupt("bad opt-out key".into()))?;
            data.opt_outs.push(OptOut {
                person,
                at: parse_timestamp(&item, "opted_out_at")?,
            });
        }
        Ok(data)
    }

    async fn erase(&self, subject: &DataSubject, at: DateTime<Utc>) -> Result<Erasure, StoreError> {
        let items = self.subject_items(subject).await?;
        let mut erasure = Erasure::default();
        for item in items.values() {
            let key = &key_of(item);
            let partition = keys::partition(item);
            if partition.starts_with("CUSTOMER#") {
                if has_any(item, &["email", "name", "referral_code", "review_marks"]) {
                    self.remove_attributes(
                        key,
                        &[
                            "email",
                            "name",
                            "referral_code",
                            "code_created_at",
                            "review_marks",
                        ],
                        at,
                    )
                    .await?;
                    erasure.profiles += 1;
                }
            } else if partition.starts_with("CODE#") {
                self.delete(key).await?;
                // Its clicks and claims beside it: a code drawn again later starts from none.
                self.delete(&keys::sibling(key, keys::CODE_STATS)).await?;
                erasure.referral_codes += 1;
            } else if partition.starts_with(keys::OFFER_CLAIM_PREFIX) {
                self.delete(key).await?;
                erasure.claims += 1;
            } else if partition.starts_with("SURVEY#") {
                if has_any(item, &["email", "name", "comment", "follow_up_note"]) {
                    self.remove_attributes(
                        key,
                        &["email", "name", "comment", "follow_up_note"],
                        at,
                    )
                    .await?;
                    erasure.surveys += 1;
                }
            } else if partition.starts_with(keys::OUTBOX_PREFIX) && !item.contains_key("erased_at")
            {
                // The content is an attribute of the message or, when it was too large, the
                // payload's own item. That item goes first: `erased_at` on the message marks the
                // erasure done, so a re-run after a cut-short erasure skips the message.
                if !item.contains_key(PAYLOAD) {
                    self.delete(&keys::sibling(key, keys::OUTBOX_BODY)).await?;
                }
                match stored_status(item)? {
                    MessageStatus::Delivered | MessageStatus::Cancelled => {
                        self.remove_attributes(key, &[PAYLOAD], at).await?;
                        erasure.messages_cleared += 1;
                    }
                    MessageStatus::Pending | MessageStatus::Failed => {
                        if self.cancel_message(key, at).await? {
                            erasure.messages_cancelled += 1;
                        } else {
                            // Delivered in the meantime: its content goes all the same.
                            self.remove_attributes(key, &[PAYLOAD], at).await?;
                            erasure.messages_cleared += 1;
                        }
                    }
                }
            }
        }
        Ok(erasure)
    }
}

impl DynamoStore {
    /// Every item about the subject, by key: for an address, the profiles and surveys with its
    /// fingerprint and everything of the customer ids they name; for a customer id, its profile
    /// and everything indexed under it.
    async fn subject_items(
        &self,
        subject: &DataSubject,
    ) -> Result<BTreeMap<String, Item>, StoreError> {
        let mut wanted: BTreeMap<String, Key> = BTreeMap::new();
        let mut customers: BTreeSet<String> = BTreeSet::new();
        match subject {
            DataSubject::Customer(customer_id) => {
                customers.insert(customer_id.to_string());
            }
            DataSubject::Person(person) => {
                let found = self
                    .index_keys(PEOPLE_INDEX, PERSON, person.as_ref())
                    .await?;
                for item in self.batch_get(found).await? {
                    customers.extend(optional_string(&item, CUSTOMER_ID).map(str::to_owned));
                    let key = key_of(&item);
                    wanted.insert(identity(&key), key);
                }
            }
        }
        for customer in &customers {
            let profile = profile_key(customer)?;
            wanted.insert(identity(&profile), profile);
            for key in self
                .index_keys(CUSTOMERS_INDEX, CUSTOMER_ID, customer)
                .await?
            {
                wanted.insert(identity(&key), key);
            }
        }
        let mut items: BTreeMap<String, Item> = self
            .batch_get(wanted.into_values().collect())
            .await?
            .into_iter()
            .map(|item| (identity(&key_of(&item)), item))
            .collect();
        // A claim of the friend's offer is keyed by the address's fingerprint, and made before
        // the address had a customer id: the profiles' fingerprints find it.
        let claims: Vec<Key> = items
            .values()
            .filter_map(fingerprint)
            .map(|person| keys::offer_claim(&person))
            .map(|key| (identity(&key), key))
            .filter(|(id, _)| !items.contains_key(id))
            .collect::<BTreeMap<String, Key>>()
            .into_values()
            .collect();
        let mut claimants: BTreeMap<String, Key> = BTreeMap::new();
        for item in self.batch_get(claims).await? {
            // The claim's coupon, mail and discount name the id it was claimed under (the
            // address's guest id when the storefront named nobody).
            if let Some(claimant) = optional_string(&item, CUSTOMER_ID) {
                if !customers.contains(claimant) {
                    for key in self
                        .index_keys(CUSTOMERS_INDEX, CUSTOMER_ID, claimant)
                        .await?
                    {
                        claimants.insert(identity(&key), key);
                    }
                }
            }
            items.insert(identity(&key_of(&item)), item);
        }
        claimants.retain(|id, _| !items.contains_key(id));
        for item in self.batch_get(claimants.into_values().collect()).await? {
            items.insert(identity(&key_of(&item)), item);
        }
        Ok(items)
    }

    /// The table keys under `value` in a KEYS_ONLY index, every page.
    pub(super) async fn index_keys(
        &self,
        index: &str,
        attribute: &str,
        value: &str,
    ) -> Result<Vec<Key>, StoreError> {
        let mut found = Vec::new();
        let mut start: Option<Key> = None;
        loop {
            let output = self
                .client
                .query()
                .table_name(&self.table)
                .index_name(index)
                .key_condition_expression("#key = :value")
                .expression_attribute_names("#key", attribute)
                .expression_attribute_values(":value", AttributeValue::S(value.to_owned()))
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| classify("reading a customer's items by index", e))?;
            found.extend(output.items.unwrap_or_default().iter().map(key_of));
            match output.last_evaluated_key {
                Some(next) if !next.is_empty() => start = Some(next),
                _ => return Ok(found),
            }
        }
    }

    /// Removes `names` and records when; a no-op on an item that is gone.
    async fn remove_attributes(
        &self,
        key: &Key,
        names: &[&str],
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let placeholders: Vec<String> = (0..names.len()).map(|i| format!("#a{i}")).collect();
        let mut request = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key.clone()))
            .update_expression(format!(
                "SET erased_at = :at REMOVE {}",
                placeholders.join(", ")
            ))
            .condition_expression("attribute_exists(#pk)")
            .expression_attribute_names("#pk", keys::PK)
            .expression_attribute_values(":at", timestamp(at));
        for (placeholder, name) in placeholders.iter().zip(names) {
            request = request.expression_attribute_names(placeholder, *name);
        }
        conditional_update("erasing personal data from an item", request.send().await)?;
        Ok(())
    }

    async fn delete(&self, key: &Key) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key.clone()))
            .send()
            .await
            .map_err(|e| classify("deleting an erased customer's item", e))?;
        Ok(())
    }

    /// Cancels an undelivered message and drops its content and its place in the outbox index;
    /// `false` if it was delivered in the meantime.
    async fn cancel_message(&self, key: &Key, at: DateTime<Utc>) -> Result<bool, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key.clone()))
            .update_expression(
                "SET #status = :cancelled, updated_at = :at, erased_at = :at \
                 REMOVE payload, last_error, next_attempt_at, #index_status, #index_at",
            )
            .condition_expression("#status IN (:pending, :failed)")
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#index_status", keys::OUTBOX_STATUS)
            .expression_attribute_names("#index_at", keys::OUTBOX_AT)
            .expression_attribute_values(
                ":cancelled",
                AttributeValue::S(MessageStatus::Cancelled.as_str().into()),
            )
            .expression_attribute_values(
                ":pending",
                AttributeValue::S(MessageStatus::Pending.as_str().into()),
            )
            .expression_attribute_values(
                ":failed",
                AttributeValue::S(MessageStatus::Failed.as_str().into()),
            )
            .expression_attribute_values(":at", timestamp(at))
            .send()
            .await;
        Ok(conditional_update("cancelling an erased customer's message", result)?.is_some())
    }
}

/// An item's table key (PK and SK).
fn key_of(item: &Item) -> Key {
    item.iter()
        .filter(|(name, _)| *name == keys::PK || *name == keys::SK)
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect()
}

fn identity(key: &Key) -> String {
    let sort = match key.get(keys::SK) {
        Some(AttributeValue::S(sort)) => sort.as_str(),
        _ => "",
    };
    format!("{}\u{0}{sort}", keys::partition(key))
}

fn profile_key(customer: &str) -> Result<Key, StoreError> {
    CustomerId::parse(customer)
        .map(|id| keys::customer_profile(&id))
        .map_err(|_| StoreError::Corrupt("bad customer id in an index".into()))
}

fn has_any(item: &Item, names: &[&str]) -> bool {
    names.iter().any(|name| item.contains_key(*name))
}

fn fingerprint(item: &Item) -> Option<PersonFingerprint> {
    optional_string(item, PERSON).and_then(PersonFingerprint::from_stored)
}

fn stored_status(item: &Item) -> Result<MessageStatus, StoreError> {
    domain::ports::stored::message_status(string(item, "status")?)
}

fn profile_from(item: &Item) -> Result<Profile, StoreError> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("bad profile {what}"));
    let customer_id = keys::partition(item)
        .strip_prefix("CUSTOMER#")
        .and_then(|id| CustomerId::parse(id).ok())
        .ok_or_else(|| corrupt("key"))?;
    Ok(Profile {
        customer_id,
        email: optional(
            optional_string(item, "email"),
            Email::parse,
            "profile email",
        )?,
        name: optional(
            optional_string(item, "name"),
            CustomerName::parse,
            "profile name",
        )?,
        locale: optional(
            optional_string(item, "locale"),
            Locale::parse,
            "profile locale",
        )?,
        created_at: parse_timestamp(item, "created_at")?,
        history: order_history(item)?,
        erased_at: optional_string(item, "erased_at")
            .map(domain::ports::stored::parse_timestamp)
            .transpose()?,
    })
}

fn code_from(item: &Item) -> Result<ReferralStats, StoreError> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("bad referral code {what}"));
    Ok(ReferralStats {
        issued: IssuedCode {
            customer_id: CustomerId::parse(string(item, CUSTOMER_ID)?)
                .map_err(|_| corrupt("owner"))?,
            code: ReferralCode::parse(string(item, "code")?).map_err(|_| corrupt("code"))?,
            created_at: parse_timestamp(item, "created_at")?,
        },
        clicks: attributes::counter(item, "clicks")?,
        conversions: attributes::counter(item, "conversions")?,
    })
}

fn order_from(item: &Item) -> Result<OrderRecord, StoreError> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("bad order {what}"));
    Ok(OrderRecord {
        order_id: OrderId::parse(string(item, "order_id")?).map_err(|_| corrupt("id"))?,
        customer_id: CustomerId::parse(string(item, CUSTOMER_ID)?)
            .map_err(|_| corrupt("customer"))?,
        placed_at: parse_timestamp(item, "placed_at")?,
        total: item
            .get("total_minor")
            .map(|_| attributes::counter(item, "total_minor"))
            .transpose()?
            .map(MinorUnits::new)
            .transpose()
            .map_err(|_| corrupt("total"))?,
        currency: optional_string(item, "currency")
            .map(domain::model::Currency::parse)
            .transpose()
            .map_err(|_| corrupt("currency"))?,
        refunded_minor: attributes::counter(item, "refunded_minor")?,
        refunded_at: optional_string(item, "refunded_at")
            .map(domain::ports::stored::parse_timestamp)
            .transpose()?,
    })
}
