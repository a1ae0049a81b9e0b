//! Coupons in SQLite: a redemption, the refunds an order records, and the revocation a refund or
//! cancellation makes. `OrderStore`'s methods for them (orders.rs) lend their work to these.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, TransactionBehavior};

use super::outbox::insert_messages;
use super::tallies::record_tally;
use super::EmbeddedStore;
use domain::model::{rfc3339, Coupon, CouponCode, Currency, MinorUnits, OrderId, ReferralCode};
use domain::ports::stored::{self, ISSUED, REDEEMED, REVIEW, REVOKED};
use domain::ports::{
    OutboxMessage, PartialRefund, RedeemOutcome, RefundTally, RefundsRecorded, RevokedMessage,
    StoreError, Tally,
};

/// Writes an issued coupon: one an order earned (`order_id`), or a claimed offer's (`order_id`
/// '', with the referral code it was claimed on and its order minimum).
pub(super) fn insert_coupon(
    tx: &rusqlite::Transaction<'_>,
    reward: &domain::model::Reward,
    order_id: &str,
    offer: Option<(&ReferralCode, u64)>,
) -> rusqlite::Result<()> {
    insert_coupon_as(tx, reward, order_id, offer, ISSUED)
}

/// Writes a coupon in `status` (issued, or `review` when a rule holds it).
pub(super) fn insert_coupon_as(
    tx: &rusqlite::Transaction<'_>,
    reward: &domain::model::Reward,
    order_id: &str,
    offer: Option<(&ReferralCode, u64)>,
    status: &str,
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO coupons (code, order_id, beneficiary, customer_id, amount_cents, currency,
                              available_from, status, valid_until, referral_code, min_order_cents)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            reward.coupon.as_ref(),
            order_id,
            reward.beneficiary.as_str(),
            reward.customer_id.as_ref(),
            reward.amount_cents as i64,
            reward.currency.as_ref(),
            rfc3339(reward.available_from),
            status,
            reward.valid_until.map(rfc3339),
            offer.map(|(code, _)| code.as_ref()),
            offer.map_or(0, |(_, minimum)| minimum as i64),
        ],
    )?;
    Ok(())
}

pub(super) struct RawCoupon {
    code: String,
    beneficiary: String,
    customer_id: String,
    amount_cents: i64,
    currency: String,
    available_from: String,
    status: String,
    redeemed_order: Option<String>,
    valid_until: Option<String>,
}

/// What `record_refunds` found, before its amounts are checked.
enum RawRefunds {
    UnknownOrder,
    OtherCurrency(String),
    Recorded {
        total: Option<i64>,
        amounts: Vec<i64>,
        new: Vec<bool>,
    },
}

impl EmbeddedStore {
    pub(super) async fn redeem(
        &self,
        code: &CouponCode,
        order_id: &OrderId,
        now: DateTime<Utc>,
        message: Option<OutboxMessage>,
    ) -> Result<RedeemOutcome, StoreError> {
        let code = code.to_string();
        let order_id = order_id.to_string();
        let now = rfc3339(now);
        let (raw, redeemed) = self
            .with_connection("redeeming a coupon", move |connection| {
                let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let redeemed = tx.execute(
                    "UPDATE coupons SET status = ?1, redeemed_order = ?2, redeemed_at = ?3
                     WHERE code = ?4 AND status = ?5 AND available_from <= ?3
                       AND (valid_until IS NULL OR valid_until > ?3)",
                    params![REDEEMED, order_id, now, code, ISSUED],
                )? == 1;
                if redeemed {
                    insert_messages(&tx, message.as_slice())?;
                }
                let raw = read_coupon(&tx, &code)?;
                tx.commit()?;
                Ok((raw, redeemed))
            })
            .await?;
        Ok(match (raw, redeemed) {
            (None, _) => RedeemOutcome::NotFound,
            (Some(raw), true) => RedeemOutcome::Redeemed(stored_coupon(raw)?),
            (Some(raw), false) => RedeemOutcome::Refused(stored_coupon(raw)?),
        })
    }

    pub(super) async fn add_refunds(
        &self,
        order_id: &OrderId,
        currency: Option<&Currency>,
        refunds: &[PartialRefund],
    ) -> Result<RefundsRecorded, StoreError> {
        let order_id = order_id.to_string();
        let currency = currency.map(|c| c.as_ref().to_owned());
        let refunds: Vec<(String, i64)> = refunds
            .iter()
            .map(|r| (r.refund_id.as_ref().to_owned(), r.amount.get() as i64))
            .collect();
        let raw = self
            .with_connection("recording refunds", move |connection| {
                let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let order: Option<(Option<i64>, Option<String>)> = tx
                    .query_row(
                        "SELECT total_minor, currency FROM orders WHERE order_id = ?1",
                        [&order_id],
                        |row| Ok((row.get(0)?, row.get(1)?)),
                    )
                    .optional()?;
                let Some((total, order_currency)) = order else {
                    return Ok(RawRefunds::UnknownOrder);
                };
                // Orders recorded before currencies were kept with them take the amount as is.
                if let (Some(order_currency), Some(currency)) = (&order_currency, &currency) {
                    if order_currency != currency {
                        return Ok(RawRefunds::OtherCurrency(order_currency.clone()));
                    }
                }
                let mut new = Vec::with_capacity(refunds.len());
                for (refund_id, amount) in &refunds {
                    new.push(
                        tx.execute(
                            "INSERT OR IGNORE INTO order_refunds (order_id, refund_id, amount_minor)
                             VALUES (?1, ?2, ?3)",
                            params![order_id, refund_id, amount],
                        )? == 1,
                    );
                }
                let amounts = {
                    let mut statement =
                        tx.prepare("SELECT amount_minor FROM order_refunds WHERE order_id = ?1")?;
                    let rows = statement.query_map([&order_id], |row| row.get::<_, i64>(0))?;
                    rows.collect::<rusqlite::Result<Vec<i64>>>()?
                };
                tx.commit()?;
                Ok(RawRefunds::Recorded {
                    total,
                    amounts,
                    new,
                })
            })
            .await?;
        let (total, amounts, new) = match raw {
            RawRefunds::UnknownOrder => return Ok(RefundsRecorded::UnknownOrder),
            RawRefunds::OtherCurrency(order_currency) => {
                return Ok(RefundsRecorded::OtherCurrency {
                    order_currency: Currency::parse(&order_currency)
                        .map_err(|_| StoreError::Corrupt("an order's currency".into()))?,
                })
            }
            RawRefunds::Recorded {
                total,
                amounts,
                new,
            } => (total, amounts, new),
        };
        let corrupt = || StoreError::Corrupt("an order's amounts are out of range".into());
        let total = total
            .map(|t| u64::try_from(t).ok().and_then(|t| MinorUnits::new(t).ok()))
            .map(|t| t.ok_or_else(corrupt))
            .transpose()?;
        let refunded = amounts.into_iter().try_fold(0u64, |sum, amount| {
            u64::try_from(amount)
                .ok()
                .and_then(|a| sum.checked_add(a))
                .ok_or_else(corrupt)
        })?;
        Ok(RefundsRecorded::Recorded {
            tally: RefundTally { total, refunded },
            new,
        })
    }

    pub(super) async fn revoke_for_refund(
        &self,
        order_id: &OrderId,
        at: DateTime<Utc>,
        revoked: &RevokedMessage<'_>,
    ) -> Result<Option<Vec<Coupon>>, StoreError> {
        let order_id = order_id.to_string();
        // Each revocation's message is built from the coupon as read here and written only with
        // that coupon's revocation below, which re-checks that it is still issued.
        let issued = self.issued_coupons(&order_id).await?;
        let revocations: Vec<(String, i64, Vec<OutboxMessage>)> = issued
            .iter()
            .map(|coupon| {
                (
                    coupon.reward.coupon.to_string(),
                    coupon.reward.amount_cents as i64,
                    revoked(coupon),
                )
            })
            .collect();
        let day = at.date_naive();
        let at = rfc3339(at);
        let raw = self
            .with_connection("refunding an order", move |connection| {
                let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let known = tx.execute(
                    "UPDATE orders SET refunded_at = COALESCE(refunded_at, ?1) WHERE order_id = ?2",
                    params![at, order_id],
                )? == 1;
                if !known {
                    return Ok(None);
                }
                let mut revoked_cents = 0;
                for (code, cents, messages) in &revocations {
                    let changed = tx.execute(
                        "UPDATE coupons SET status = ?1 WHERE code = ?2 AND status IN (?3, ?4)",
                        params![REVOKED, code, ISSUED, REVIEW],
                    )?;
                    if changed == 1 {
                        revoked_cents += cents;
                        insert_messages(&tx, messages)?;
                    }
                }
                record_tally(
                    &tx,
                    &Tally::revocation(u64::try_from(revoked_cents).unwrap_or_default(), day),
                )?;
                let coupons = {
                    let mut statement = tx.prepare(
                        "SELECT code FROM coupons WHERE order_id = ?1 ORDER BY beneficiary DESC",
                    )?;
                    let codes = statement
                        .query_map([&order_id], |row| row.get::<_, String>(0))?
                        .collect::<rusqlite::Result<Vec<_>>>()?;
                    codes
                        .iter()
                        .filter_map(|code| read_coupon(&tx, code).transpose())
                        .collect::<rusqlite::Result<Vec<_>>>()?
                };
                tx.commit()?;
                Ok(Some(coupons))
            })
            .await?;
        raw.map(|coupons| coupons.into_iter().map(stored_coupon).collect())
            .transpose()
    }

    /// The order's coupons still issued or held for review, as they stand now: a refund
    /// revokes both.
    async fn issued_coupons(&self, order_id: &str) -> Result<Vec<Coupon>, StoreError> {
        let order_id = order_id.to_owned();
        let raw = self
            .with_connection("reading an order's issued coupons", move |connection| {
                let codes = connection
                    .prepare("SELECT code FROM coupons WHERE order_id = ?1 AND status IN (?2, ?3)")?
                    .query_map(params![order_id, ISSUED, REVIEW], |row| {
                        row.get::<_, String>(0)
                    })?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                codes
                    .iter()
                    .filter_map(|code| read_coupon(connection, code).transpose())
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .await?;
        raw.into_iter().map(stored_coupon).collect()
    }
}

pub(super) const COUPON_COLUMNS: &str =
    "code, beneficiary, customer_id, amount_cents, currency, available_from, status, redeemed_order,
     valid_until";

pub(super) fn raw_coupon(row: &rusqlite::Row<'_>) -> rusqlite::Result<RawCoupon> {
    Ok(RawCoupon {
        code: row.get(0)?,
        beneficiary: row.get(1)?,
        customer_id: row.get(2)?,
        amount_cents: row.get(3)?,
        currency: row.get(4)?,
        available_from: row.get(5)?,
        status: row.get(6)?,
        redeemed_order: row.get(7)?,
        valid_until: row.get(8)?,
    })
}

pub(super) fn read_coupon(
    connection: &rusqlite::Connection,
    code: &str,
) -> rusqlite::Result<Option<RawCoupon>> {
    connection
        .query_row(
            &format!("SELECT {COUPON_COLUMNS} FROM coupons WHERE code = ?1"),
            [code],
            raw_coupon,
        )
        .optional()
}

pub(super) fn stored_coupon(raw: RawCoupon) -> Result<Coupon, StoreError> {
    let amount = u64::try_from(raw.amount_cents)
        .map_err(|_| StoreError::Corrupt("negative amount".into()))?;
    Ok(Coupon {
        reward: stored::reward(
            &raw.beneficiary,
            &raw.customer_id,
            &raw.code,
            amount,
            &raw.currency,
            &raw.available_from,
            raw.valid_until.as_deref(),
        )?,
        state: stored::coupon_state(&raw.status, raw.redeemed_order.as_deref())?,
    })
}
