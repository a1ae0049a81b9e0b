//! Coupons' platform discounts on DynamoDB: the deliverer reads the coupon item (one consistent
//! `GetItem`) before it asks the platform, and records the platform's id on it after (one
//! `UpdateItem` that returns the coupon as it stands, so a revocation made meanwhile is seen).

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};

use super::attributes::{optional_string, string, Item};
use super::errors::conditional_update;
use super::{keys, DynamoStore};
use domain::model::{CouponCode, PlatformDiscountId};
use domain::ports::stored;
use domain::ports::{CouponDiscount, DiscountLedger, StoreError};

const DISCOUNT_ID: &str = "discount_id";

fn coupon_discount(item: &Item) -> Result<CouponDiscount, StoreError> {
    stored::coupon_discount(string(item, "status")?, optional_string(item, DISCOUNT_ID))
}

#[async_trait]
impl DiscountLedger for DynamoStore {
    async fn coupon_discount(
        &self,
        coupon: &CouponCode,
    ) -> Result<Option<CouponDiscount>, StoreError> {
        self.get_consistent(keys::coupon(coupon), "reading a coupon's discount")
            .await?
            .as_ref()
            .map(coupon_discount)
            .transpose()
    }

    async fn record_discount(
        &self,
        coupon: &CouponCode,
        id: &PlatformDiscountId,
    ) -> Result<Option<CouponDiscount>, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(keys::coupon(coupon)))
            .update_expression("SET #id = :id")
            .condition_expression("attribute_exists(#pk)")
            .expression_attribute_names("#id", DISCOUNT_ID)
            .expression_attribute_names("#pk", keys::PK)
            .expression_attribute_values(":id", AttributeValue::S(id.to_string()))
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        conditional_update("recording a coupon's discount", result)?
            .and_then(|output| output.attributes)
            .as_ref()
            .map(coupon_discount)
            .transpose()
    }
}
