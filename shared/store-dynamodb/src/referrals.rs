use async_trait::async_trait;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};

use super::attributes::{self, Item};
use super::coupons::stored_coupon;
use super::errors::{self, classify, Transact};
use super::outbox::message_puts;
use super::tallies::tally_put;
use super::{keys, DynamoStore};
use chrono::{DateTime, Utc};
use domain::model::{
    Beneficiary, CustomerId, IssuedCode, Locale, ReferralCode, ReferralStats, ReferrerProgress,
    Retention, VisitorFingerprint, VISIT_WINDOW,
};
use domain::ports::{
    ClaimOutcome, Click, CodeClaim, ReferralStore, ReferrerProgressStore, StoreError, Tally,
};

const PROFILE_INDEX: usize = 0;
const CODE_INDEX: usize = 1;

#[async_trait]
impl ReferralStore for DynamoStore {
    async fn claim_code(&self, claim: CodeClaim) -> Result<ClaimOutcome, StoreError> {
        // A read first: repeat calls (the common case) then cost one read instead of a failed transaction.
        if let Some(owned) = self.owned_code(&claim.customer_id).await? {
            return Ok(ClaimOutcome::AlreadyOwned(owned));
        }
        let transaction = claim_transaction(&self.table, self.retention, &claim)?;
        let reasons = match self
            .transact("claiming a referral code", transaction)
            .await?
        {
            Transact::Committed => {
                return Ok(ClaimOutcome::Claimed(IssuedCode {
                    customer_id: claim.customer_id,
                    code: claim.code,
                    created_at: claim.at,
                }))
            }
            Transact::Cancelled(reasons) => reasons,
        };
        let reasons = &reasons[..];
        if errors::failed_condition(reasons, PROFILE_INDEX) {
            return match self.owned_code(&claim.customer_id).await? {
                Some(owned) => Ok(ClaimOutcome::AlreadyOwned(owned)),
                None => Err(StoreError::Corrupt(
                    "profile claimed a code but holds none".into(),
                )),
            };
        }
        if errors::failed_condition(reasons, CODE_INDEX) {
            return Ok(ClaimOutcome::CodeTaken);
        }
        if errors::is_throttled(reasons) {
            return Err(StoreError::Throttled);
        }
        if errors::is_conflict(reasons) {
            return Ok(ClaimOutcome::Stale);
        }
        Err(StoreError::Corrupt(format!(
            "code claim cancelled for reasons {:?}",
            reasons
                .iter()
                .map(|r| r.code().unwrap_or("None"))
                .collect::<Vec<_>>()
        )))
    }

    async fn referral_stats(
        &self,
        customer_id: &CustomerId,
    ) -> Result<Option<ReferralStats>, StoreError> {
        let Some(issued) = self.owned_code(customer_id).await? else {
            return Ok(None);
        };
        let (code_item, stats) = self.code_with_stats(&issued.code).await?.ok_or_else(|| {
            StoreError::Corrupt("profile names a code that does not exist".into())
        })?;
        Ok(Some(ReferralStats {
            clicks: stats.clicks,
            conversions: attributes::counter(&code_item, "conversions")?,
            issued,
        }))
    }

    async fn code_owner(&self, code: &ReferralCode) -> Result<Option<CustomerId>, StoreError> {
        let item = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(keys::referral_code(code)))
            .projection_expression("customer_id")
            .send()
            .await
            .map_err(|e| classify("reading a code's owner", e))?
            .item;
        item.map(|item| {
            CustomerId::parse(attributes::string(&item, "customer_id")?)
                .map_err(|_| StoreError::Corrupt("code item holds a bad customer id".into()))
        })
        .transpose()
    }
    /// A read of the code (is it known?), the visitor's mark put unless one younger than the
    /// window holds its key, and the click's own tally: 2 WRU, and no item that another
    /// visitor's click writes. The counts move when the aggregator applies the tally. A click
    /// whose tally fails after its mark is lost, never counted twice.
    async fn count_click(
        &self,
        code: &ReferralCode,
        visitor: &VisitorFingerprint,
        at: DateTime<Utc>,
    ) -> Result<Click, StoreError> {
        let known = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(keys::referral_code(code)))
            .projection_expression("#pk")
            .expression_attribute_names("#pk", keys::PK)
            .send()
            .await
            .map_err(|e| classify("reading a clicked code", e))?
            .item
            .is_some();
        if !known {
            return Ok(Click::UnknownCode);
        }
        if !self.mark_visitor(visitor, at).await? {
            return Ok(Click::Repeat);
        }
        self.put_tally(&Tally::click(code, at.date_naive())).await?;
        Ok(Click::Counted)
    }
}

impl DynamoStore {
    /// Puts the visitor's mark for one window, unless a mark still inside its window holds the
    /// key; TTL deletes expired marks within days, so the expiry is checked in the condition.
    async fn mark_visitor(
        &self,
        visitor: &VisitorFingerprint,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut item = keys::visitor(visitor);
        item.insert(
            keys::EXPIRES_AT.into(),
            attributes::expiry(at + VISIT_WINDOW),
        );
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(#pk) OR #expires <= :now")
            .expression_attribute_names("#pk", keys::PK)
            .expression_attribute_names("#expires", keys::EXPIRES_AT)
            .expression_attribute_values(":now", attributes::expiry(at))
            .send()
            .await;
        match put {
            Ok(_) => Ok(true),
            Err(error) => match error.as_service_error() {
                Some(PutItemError::ConditionalCheckFailedException(_)) => Ok(false),
                _ => Err(classify("marking a visitor", error)),
            },
        }
    }
}

#[async_trait]
impl ReferrerProgressStore for DynamoStore {
    /// The code item, then the owner's coupons found by key through the `customers` index (keys
    /// only) and read in one batch: a page view never scans.
    async fn referrer_progress(
        &self,
        code: &ReferralCode,
    ) -> Result<Option<ReferrerProgress>, StoreError> {
        let Some((item, stats)) = self.code_with_stats(code).await? else {
            return Ok(None);
        };
        let owner = CustomerId::parse(attributes::string(&item, "customer_id")?)
            .map_err(|_| StoreError::Corrupt("code item holds a bad customer id".into()))?;
        let coupon_keys = self
            .index_keys(keys::CUSTOMERS_INDEX, keys::CUSTOMER_ID, owner.as_ref())
            .await?
            .into_iter()
            .filter(|key| keys::partition(key).starts_with("COUPON#"))
            .collect();
        let mut rewards = Vec::new();
        for coupon in self.batch_get(coupon_keys).await? {
            let coupon = stored_coupon(&coupon)?;
            if coupon.reward.beneficiary == Beneficiary::Referrer {
                rewards.push(coupon);
            }
        }
        Ok(Some(ReferrerProgress {
            code: code.clone(),
            locale: attributes::optional_string(&item, "owner_locale")
                .and_then(|raw| Locale::parse(raw).ok()),
            clicks: stats.clicks,
            claims: stats.claims,
            conversions: attributes::counter(&item, "conversions")?,
            owner,
            rewards,
        }))
    }
}

impl DynamoStore {
    /// The code's item (owner, cap counter) and its counts, in one `BatchGetItem`; `None` for
    /// an unknown code.
    async fn code_with_stats(
        &self,
        code: &ReferralCode,
    ) -> Result<Option<(Item, CodeStats)>, StoreError> {
        let items = self
            .batch_get(vec![keys::referral_code(code), keys::code_stats(code)])
            .await?;
        let stats = code_stats(&items)?;
        Ok(items
            .into_iter()
            .find(|item| attributes::optional_string(item, keys::SK) == Some("CODE"))
            .map(|item| (item, stats)))
    }

    /// The customer's code, read consistently so a claim that just committed is seen.
    async fn owned_code(&self, customer_id: &CustomerId) -> Result<Option<IssuedCode>, StoreError> {
        let profile = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(keys::customer_profile(customer_id)))
            .consistent_read(true)
            .projection_expression("referral_code, code_created_at")
            .send()
            .await
            .map_err(|e| classify("reading a customer profile", e))?
            .item;
        profile
            .filter(|item| item.contains_key("referral_code"))
            .map(|item| issued_code(customer_id, &item))
            .transpose()
    }
}

/// A code's clicks and claims, from its counts item among `items` (none yet: zero).
struct CodeStats {
    clicks: u64,
    claims: u64,
}

fn code_stats(items: &[Item]) -> Result<CodeStats, StoreError> {
    match items
        .iter()
        .find(|item| attributes::optional_string(item, keys::SK) == Some(keys::CODE_STATS))
    {
        Some(stats) => Ok(CodeStats {
            clicks: attributes::counter(stats, "clicks")?,
            claims: attributes::counter(stats, "claims")?,
        }),
        None => Ok(CodeStats {
            clicks: 0,
            claims: 0,
        }),
    }
}

fn issued_code(customer_id: &CustomerId, profile: &Item) -> Result<IssuedCode, StoreError> {
    let code = ReferralCode::parse(attributes::string(profile, "referral_code")?)
        .map_err(|_| StoreError::Corrupt("profile holds a malformed code".into()))?;
    Ok(IssuedCode {
        customer_id: customer_id.clone(),
        code,
        created_at: attributes::parse_timestamp(profile, "code_created_at")?,
    })
}

/// The profile gains the code only if it has none; the code item is created only if nobody owns it.
fn claim_transaction(
    table: &str,
    retention: Retention,
    claim: &CodeClaim,
) -> Result<Vec<TransactWriteItem>, StoreError> {
    let at = attributes::timestamp(claim.at);
    let mut profile_update = Update::builder()
        .table_name(table)
        .set_key(Some(keys::customer_profile(&claim.customer_id)))
        .condition_expression("attribute_not_exists(referral_code)")
        .expression_attribute_values(":code", AttributeValue::S(claim.code.to_string()))
        .expression_attribute_values(":at", at.clone())
        .expression_attribute_values(
            ":customer",
            AttributeValue::S(claim.customer_id.to_string()),
        )
        .expression_attribute_values(":email", AttributeValue::S(claim.email.to_string()))
        .expression_attribute_values(":person", AttributeValue::S(claim.person.to_string()));
    let mut assignments = vec![
        "referral_code = :code",
        "code_created_at = :at",
        "customer_id = :customer",
        "email = if_not_exists(email, :email)",
        "person = if_not_exists(person, :person)",
        "created_at = if_not_exists(created_at, :at)",
    ];
    if let Some(name) = &claim.name {
        profile_update = profile_update
            .expression_attribute_values(":name", AttributeValue::S(name.to_string()));
        assignments.push("#name = if_not_exists(#name, :name)");
        profile_update = profile_update.expression_attribute_names("#name", "name");
    }
    if let Some(locale) = claim.locale {
        profile_update = profile_update
            .expression_attribute_values(":locale", AttributeValue::S(locale.as_str().into()));
        assignments.push("locale = if_not_exists(locale, :locale)");
    }
    let profile_update = profile_update
        .update_expression(format!("SET {}", assignments.join(", ")))
        .build()
        .map_err(|e| StoreError::backend("building the profile update", e))?;

    let mut code_item = keys::referral_code(&claim.code);
    code_item.insert("code".into(), AttributeValue::S(claim.code.to_string()));
    code_item.insert(
        "customer_id".into(),
        AttributeValue::S(claim.customer_id.to_string()),
    );
    code_item.insert("created_at".into(), at);
    // The owner's contact data travels with the code, so rewarding an order reads one item
    // instead of code + profile: one batch read decides it (docs/architecture.md#data-model).
    code_item.insert(
        "owner_email".into(),
        AttributeValue::S(claim.email.to_string()),
    );
    code_item.insert(
        "owner_person".into(),
        AttributeValue::S(claim.person.to_string()),
    );
    if let Some(name) = &claim.name {
        code_item.insert("owner_name".into(), AttributeValue::S(name.to_string()));
    }
    if let Some(locale) = claim.locale {
        code_item.insert(
            "owner_locale".into(),
            AttributeValue::S(locale.as_str().into()),
        );
    }
    code_item.insert("conversions".into(), AttributeValue::N("0".into()));
    let code_put = Put::builder()
        .table_name(table)
        .set_item(Some(code_item))
        .condition_expression("attribute_not_exists(#pk)")
        .expression_attribute_names("#pk", keys::PK)
        .build()
        .map_err(|e| StoreError::backend("building the code item", e))?;

    let mut items = vec![
        TransactWriteItem::builder().update(profile_update).build(),
        TransactWriteItem::builder().put(code_put).build(),
    ];
    items.extend(tally_put(
        table,
        &Tally::code_created(claim.at.date_naive()),
    )?);
    items.extend(message_puts(table, retention, claim.message.as_slice())?);
    Ok(items)
}
