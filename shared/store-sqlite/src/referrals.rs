use async_trait::async_trait;
use rusqlite::{params, OptionalExtension, TransactionBehavior};

use chrono::{DateTime, Utc};

use super::coupons::{raw_coupon, stored_coupon, COUPON_COLUMNS};
use super::outbox::insert_messages;
use super::tallies::record_tally;
use super::EmbeddedStore;
use domain::model::rfc3339;
use domain::model::{
    Beneficiary, CustomerId, IssuedCode, Locale, ReferralCode, ReferralStats, ReferrerProgress,
    VisitorFingerprint, VISIT_WINDOW,
};
use domain::ports::stored::parse_timestamp;
use domain::ports::{
    ClaimOutcome, Click, CodeClaim, ReferralStore, ReferrerProgressStore, StoreError, Tally,
};

#[async_trait]
impl ReferralStore for EmbeddedStore {
    async fn claim_code(&self, claim: CodeClaim) -> Result<ClaimOutcome, StoreError> {
        let customer = claim.customer_id.as_ref().to_owned();
        let row = ClaimRow {
            code: claim.code.to_string(),
            email: claim.email.to_string(),
            person: claim.person.to_string(),
            name: claim.name.as_ref().map(ToString::to_string),
            locale: claim.locale.map(|l| l.as_str()),
            at: rfc3339(claim.at),
            day: claim.at.date_naive(),
        };
        let message = claim.message.clone();
        let raw = self
            .with_connection("claiming a referral code", move |connection| {
                let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let owned: Option<(String, String)> = tx
                    .query_row(
                        "SELECT referral_code, code_created_at FROM customers
                         WHERE customer_id = ?1 AND referral_code IS NOT NULL",
                        [&customer],
                        |row| Ok((row.get(0)?, row.get(1)?)),
                    )
                    .optional()?;
                if let Some(owned) = owned {
                    return Ok(RawClaim::Owned(owned));
                }
                let code_free = tx.execute(
                    "INSERT INTO referral_codes (code, customer_id, created_at) VALUES (?1, ?2, ?3)
                     ON CONFLICT (code) DO NOTHING",
                    params![row.code, customer, row.at],
                )? == 1;
                if !code_free {
                    return Ok(RawClaim::Taken);
                }
                tx.execute(
                    "INSERT INTO customers
                        (customer_id, email, person, name, locale, referral_code, code_created_at, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)
                     ON CONFLICT (customer_id) DO UPDATE SET
                        email = CASE customers.email WHEN '' THEN excluded.email ELSE customers.email END,
                        person = COALESCE(customers.person, excluded.person),
                        name = COALESCE(customers.name, excluded.name),
                        referral_code = excluded.referral_code,
                        code_created_at = excluded.code_created_at",
                    params![
                        customer,
                        row.email,
                        row.person,
                        row.name,
                        row.locale,
                        row.code,
                        row.at,
                    ],
                )?;
                record_tally(&tx, &Tally::code_created(row.day))?;
                insert_messages(&tx, message.as_slice())?;
                tx.commit()?;
                Ok(RawClaim::Claimed)
            })
            .await?;
        Ok(match raw {
            RawClaim::Claimed => ClaimOutcome::Claimed(IssuedCode {
                customer_id: claim.customer_id,
                code: claim.code,
                created_at: claim.at,
            }),
            RawClaim::Owned((code, created_at)) => ClaimOutcome::AlreadyOwned(IssuedCode {
                customer_id: claim.customer_id,
                code: parse_code(&code)?,
                created_at: parse_timestamp(&created_at)?,
            }),
            RawClaim::Taken => ClaimOutcome::CodeTaken,
        })
    }

    async fn referral_stats(
        &self,
        customer_id: &CustomerId,
    ) -> Result<Option<ReferralStats>, StoreError> {
        let customer = customer_id.as_ref().to_owned();
        let row = self
            .with_connection("reading referral stats", move |connection| {
                connection
                    .query_row(
                        "SELECT c.code, c.created_at, c.clicks, c.conversions
                         FROM customers AS p JOIN referral_codes AS c ON c.code = p.referral_code
                         WHERE p.customer_id = ?1",
                        [&customer],
                        |row| {
                            Ok((
                                row.get::<_, String>(0)?,
                                row.get::<_, String>(1)?,
                                row.get::<_, i64>(2)?,
                                row.get::<_, i64>(3)?,
                            ))
                        },
                    )
                    .optional()
            })
            .await?;
        row.map(|(code, created_at, clicks, conversions)| {
            Ok(ReferralStats {
                issued: IssuedCode {
                    customer_id: customer_id.clone(),
                    code: parse_code(&code)?,
                    created_at: parse_timestamp(&created_at)?,
                },
                clicks: counter(clicks)?,
                conversions: counter(conversions)?,
            })
        })
        .transpose()
    }

    async fn code_owner(&self, code: &ReferralCode) -> Result<Option<CustomerId>, StoreError> {
        let code = code.as_ref().to_owned();
        let owner = self
            .with_connection("reading a code's owner", move |connection| {
                connection
                    .query_row(
                        "SELECT customer_id FROM referral_codes WHERE code = ?1",
                        [&code],
                        |row| row.get::<_, String>(0),
                    )
                    .optional()
            })
            .await?;
        owner.map(|raw| parse_customer(&raw)).transpose()
    }
    async fn count_click(
        &self,
        code: &ReferralCode,
        visitor: &VisitorFingerprint,
        at: DateTime<Utc>,
    ) -> Result<Click, StoreError> {
        let code = code.clone();
        let visitor = visitor.as_ref().to_owned();
        let now = rfc3339(at);
        let until = rfc3339(at + VISIT_WINDOW);
        self.with_connection("counting a click", move |connection| {
            let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let known = tx
                .query_row(
                    "SELECT 1 FROM referral_codes WHERE code = ?1",
                    [code.as_ref()],
                    |_| Ok(()),
                )
                .optional()?
                .is_some();
            if !known {
                return Ok(Click::UnknownCode);
            }
            // A mark outlives its window only until the next click anywhere.
            tx.execute("DELETE FROM visitors WHERE until <= ?1", [&now])?;
            let marked = tx.execute(
                "INSERT INTO visitors (fingerprint, until) VALUES (?1, ?2)
                 ON CONFLICT (fingerprint) DO NOTHING",
                [&visitor, &until],
            )?;
            let click = if marked == 1 {
                record_tally(&tx, &Tally::click(&code, at.date_naive()))?;
                Click::Counted
            } else {
                Click::Repeat
            };
            tx.commit()?;
            Ok(click)
        })
        .await
    }
}

#[async_trait]
impl ReferrerProgressStore for EmbeddedStore {
    async fn referrer_progress(
        &self,
        code: &ReferralCode,
    ) -> Result<Option<ReferrerProgress>, StoreError> {
        let code_text = code.as_ref().to_owned();
        let beneficiary = Beneficiary::Referrer.as_str();
        let found = self
            .with_connection("reading a referrer's progress", move |connection| {
                let tx = connection.transaction()?;
                let row = tx
                    .query_row(
                        "SELECT c.customer_id, p.locale, c.clicks, c.claims, c.conversions
                         FROM referral_codes AS c LEFT JOIN customers AS p
                           ON p.customer_id = c.customer_id
                         WHERE c.code = ?1",
                        [&code_text],
                        |row| {
                            Ok((
                                row.get::<_, String>(0)?,
                                row.get::<_, Option<String>>(1)?,
                                row.get::<_, i64>(2)?,
                                row.get::<_, i64>(3)?,
                                row.get::<_, i64>(4)?,
                            ))
                        },
                    )
                    .optional()?;
                let Some(row) = row else {
                    return Ok(None);
                };
                let coupons = tx
                    .prepare(&format!(
                        "SELECT {COUPON_COLUMNS} FROM coupons
                         WHERE customer_id = ?1 AND beneficiary = ?2"
                    ))?
                    .query_map(params![row.0, beneficiary], raw_coupon)?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok(Some((row, coupons)))
            })
            .await?;
        let Some(((owner, locale, clicks, claims, conversions), coupons)) = found else {
            return Ok(None);
        };
        Ok(Some(ReferrerProgress {
            owner: parse_customer(&owner)?,
            code: code.clone(),
            locale: locale.and_then(|raw| Locale::parse(&raw).ok()),
            clicks: counter(clicks)?,
            claims: counter(claims)?,
            conversions: counter(conversions)?,
            rewards: coupons
                .into_iter()
                .map(stored_coupon)
                .collect::<Result<_, _>>()?,
        }))
    }
}

/// The claim as SQL values, owned so it can move to the blocking thread.
struct ClaimRow {
    code: String,
    email: String,
    person: String,
    name: Option<String>,
    locale: Option<&'static str>,
    at: String,
    day: chrono::NaiveDate,
}

enum RawClaim {
    Claimed,
    Owned((String, String)),
    Taken,
}

fn parse_code(raw: &str) -> Result<ReferralCode, StoreError> {
    ReferralCode::parse(raw).map_err(|_| StoreError::Corrupt("bad referral code".into()))
}

fn parse_customer(raw: &str) -> Result<CustomerId, StoreError> {
    CustomerId::parse(raw).map_err(|_| StoreError::Corrupt("bad customer id".into()))
}

fn counter(raw: i64) -> Result<u64, StoreError> {
    u64::try_from(raw).map_err(|_| StoreError::Corrupt(format!("negative counter {raw}")))
}
