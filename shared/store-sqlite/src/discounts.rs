//! Coupons' platform discounts on SQLite: what the deliverer reads before it asks the platform,
//! and the platform's id it records after.

use async_trait::async_trait;
use rusqlite::{params, OptionalExtension, TransactionBehavior};

use super::EmbeddedStore;
use domain::model::{CouponCode, PlatformDiscountId};
use domain::ports::stored;
use domain::ports::{CouponDiscount, DiscountLedger, StoreError};

type RawDiscount = (String, Option<String>);

fn coupon_discount((status, discount_id): RawDiscount) -> Result<CouponDiscount, StoreError> {
    stored::coupon_discount(&status, discount_id.as_deref())
}

fn read(connection: &rusqlite::Connection, code: &str) -> rusqlite::Result<Option<RawDiscount>> {
    connection
        .query_row(
            "SELECT status, discount_id FROM coupons WHERE code = ?1",
            [code],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()
}

#[async_trait]
impl DiscountLedger for EmbeddedStore {
    async fn coupon_discount(
        &self,
        coupon: &CouponCode,
    ) -> Result<Option<CouponDiscount>, StoreError> {
        let code = coupon.to_string();
        self.with_connection("reading a coupon's discount", move |connection| {
            read(connection, &code)
        })
        .await?
        .map(coupon_discount)
        .transpose()
    }

    async fn record_discount(
        &self,
        coupon: &CouponCode,
        id: &PlatformDiscountId,
    ) -> Result<Option<CouponDiscount>, StoreError> {
        let code = coupon.to_string();
        let id = id.to_string();
        self.with_connection("recording a coupon's discount", move |connection| {
            let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute(
                "UPDATE coupons SET discount_id = ?1 WHERE code = ?2",
                params![id, code],
            )?;
            let after = read(&tx, &code)?;
            tx.commit()?;
            Ok(after)
        })
        .await?
        .map(coupon_discount)
        .transpose()
    }
}
