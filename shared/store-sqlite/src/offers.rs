//! Claims of the friend's offer: one row per person, written with its coupon in one
//! transaction.

use async_trait::async_trait;
use rusqlite::{params, OptionalExtension, Row, TransactionBehavior};

use super::coupons::insert_coupon;
use super::outbox::insert_messages;
use super::tallies::record_tally;
use super::EmbeddedStore;
use domain::model::{
    rfc3339, Claimant, CodeOwner, CouponCode, Currency, CustomerId, OfferClaim, PersonFingerprint,
    ReferralCode,
};
use domain::ports::stored::parse_timestamp;
use domain::ports::{OfferCommit, OfferCommitted, OfferContext, OfferStore, StoreError};

pub(super) const CLAIM_COLUMNS: &str =
    "code, coupon, customer_id, amount_cents, currency, min_order_cents, claimed_at, expires_at";

/// A claim row as read, before its values are checked.
pub(super) struct ClaimRow {
    code: String,
    coupon: String,
    customer_id: String,
    amount_cents: i64,
    currency: String,
    min_order_cents: i64,
    claimed_at: String,
    expires_at: String,
}

impl ClaimRow {
    pub(super) fn read(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            code: row.get(0)?,
            coupon: row.get(1)?,
            customer_id: row.get(2)?,
            amount_cents: row.get(3)?,
            currency: row.get(4)?,
            min_order_cents: row.get(5)?,
            claimed_at: row.get(6)?,
            expires_at: row.get(7)?,
        })
    }

    pub(super) fn claim(self) -> Result<OfferClaim, StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("bad claim {what}"));
        Ok(OfferClaim {
            code: ReferralCode::parse(&self.code).map_err(|_| corrupt("code"))?,
            coupon: CouponCode::parse(&self.coupon).map_err(|_| corrupt("coupon"))?,
            customer_id: CustomerId::parse(&self.customer_id).map_err(|_| corrupt("customer"))?,
            amount_cents: u64::try_from(self.amount_cents).map_err(|_| corrupt("amount"))?,
            currency: Currency::parse(&self.currency).map_err(|_| corrupt("currency"))?,
            min_order_cents: u64::try_from(self.min_order_cents).map_err(|_| corrupt("minimum"))?,
            claimed_at: parse_timestamp(&self.claimed_at)?,
            expires_at: parse_timestamp(&self.expires_at)?,
        })
    }
}

struct RawContext {
    owner: Option<(String, Option<String>)>,
    claim: Option<ClaimRow>,
    referred_before: bool,
    has_ordered: bool,
}

#[async_trait]
impl OfferStore for EmbeddedStore {
    async fn offer_context(
        &self,
        code: &ReferralCode,
        person: &PersonFingerprint,
        customer_id: Option<&CustomerId>,
    ) -> Result<OfferContext, StoreError> {
        let code = code.to_string();
        let guards = [
            Some(super::orders::person_guard(person)),
            customer_id.map(super::orders::customer_guard),
        ];
        let person = person.to_string();
        let customer = customer_id.map(ToString::to_string);
        let raw = self
            .with_connection("reading a claim's facts", move |connection| {
                let tx = connection.transaction()?;
                let owner = tx
                    .query_row(
                        "SELECT c.customer_id, p.person FROM referral_codes AS c
                         LEFT JOIN customers AS p ON p.customer_id = c.customer_id
                         WHERE c.code = ?1",
                        [&code],
                        |row| Ok((row.get(0)?, row.get(1)?)),
                    )
                    .optional()?;
                let claim = tx
                    .query_row(
                        &format!("SELECT {CLAIM_COLUMNS} FROM offer_claims WHERE person = ?1"),
                        [&person],
                        ClaimRow::read,
                    )
                    .optional()?;
                let mut referred_before = false;
                for guard in guards.iter().flatten() {
                    referred_before |= tx.query_row(
                        "SELECT EXISTS (SELECT 1 FROM referral_guards WHERE guard = ?1)",
                        [guard],
                        |row| row.get::<_, bool>(0),
                    )?;
                }
                let has_ordered = tx.query_row(
                    "SELECT EXISTS (SELECT 1 FROM customers
                     WHERE (person = ?1 OR customer_id = ?2) AND order_count > 0)",
                    params![person, customer],
                    |row| row.get::<_, bool>(0),
                )?;
                Ok(RawContext {
                    owner,
                    claim,
                    referred_before,
                    has_ordered,
                })
            })
            .await?;
        let owner = match raw.owner {
            None => None,
            Some((customer_id, person)) => Some(CodeOwner {
                customer_id: CustomerId::parse(&customer_id)
                    .map_err(|_| StoreError::Corrupt("bad code owner".into()))?,
                person: person
                    .as_deref()
                    .and_then(PersonFingerprint::from_stored)
                    .ok_or_else(|| {
                        StoreError::Corrupt("a code owner without fingerprint".into())
                    })?,
            }),
        };
        Ok(OfferContext {
            owner,
            claim: raw.claim.map(ClaimRow::claim).transpose()?,
            claimant: Claimant {
                referred_before: raw.referred_before,
                has_ordered: raw.has_ordered,
            },
        })
    }

    async fn commit_offer(&self, commit: &OfferCommit) -> Result<OfferCommitted, StoreError> {
        let commit = commit.clone();
        let raw = self
            .with_connection("committing a claim", move |connection| {
                let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let claim = &commit.claim;
                let person = commit.person.to_string();
                let first = tx.execute(
                    &format!(
                        "INSERT INTO offer_claims (person, {CLAIM_COLUMNS})
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                         ON CONFLICT (person) DO NOTHING"
                    ),
                    params![
                        person,
                        claim.code.as_ref(),
                        claim.coupon.as_ref(),
                        claim.customer_id.as_ref(),
                        claim.amount_cents as i64,
                        claim.currency.as_ref(),
                        claim.min_order_cents as i64,
                        rfc3339(claim.claimed_at),
                        rfc3339(claim.expires_at),
                    ],
                )? == 1;
                if !first {
                    let row = tx.query_row(
                        &format!("SELECT {CLAIM_COLUMNS} FROM offer_claims WHERE person = ?1"),
                        [&person],
                        ClaimRow::read,
                    )?;
                    return Ok(Err(Some(row)));
                }
                let known = tx
                    .query_row(
                        "SELECT 1 FROM referral_codes WHERE code = ?1",
                        [claim.code.as_ref()],
                        |_| Ok(()),
                    )
                    .optional()?
                    .is_some();
                if !known {
                    return Ok(Err(None));
                }
                insert_coupon(
                    &tx,
                    &claim.reward(),
                    "",
                    Some((&claim.code, claim.min_order_cents)),
                )?;
                record_tally(&tx, &commit.tally)?;
                insert_messages(&tx, &commit.messages)?;
                tx.commit()?;
                Ok(Ok(()))
            })
            .await?;
        match raw {
            Ok(()) => Ok(OfferCommitted::Committed),
            Err(Some(row)) => Ok(OfferCommitted::Claimed(row.claim()?)),
            Err(None) => Ok(OfferCommitted::UnknownCode),
        }
    }
}
