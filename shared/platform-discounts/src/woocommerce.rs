//! WooCommerce's REST API (`wc/v3`): a coupon per discount, found by its code after a create
//! whose answer was lost, deleted (`force=true`) when our coupon is revoked.

use async_trait::async_trait;
use domain::model::{
    CombinesWith, CouponCode, DiscountOrigin, NewDiscount, PlatformDiscountId, WebhookUrl,
};
use domain::ports::{PlatformDiscounts, PlatformError};
use serde_json::{json, Value};

use super::{
    by_status, classify, decimal_amount, decimal_minimum, http_client, reason, unreachable,
    SetupError,
};

const PLATFORM: &str = "WooCommerce";

/// The shop's REST API with a key of Read/Write permission, sent as HTTP Basic.
pub struct WooCommerceAdmin {
    client: reqwest::Client,
    coupons: String,
    key: String,
    secret: String,
    combines_with: CombinesWith,
}

impl WooCommerceAdmin {
    /// `site` is the WordPress site's address (https, or http on loopback).
    pub fn new(
        site: &WebhookUrl,
        key: String,
        secret: String,
        combines_with: CombinesWith,
    ) -> Result<Self, SetupError> {
        Ok(Self {
            client: http_client()?,
            coupons: format!(
                "{}/wp-json/wc/v3/coupons",
                site.as_str().trim_end_matches('/')
            ),
            key,
            secret,
            combines_with,
        })
    }

    async fn send(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<(reqwest::StatusCode, Value), PlatformError> {
        let response = request
            .basic_auth(&self.key, Some(&self.secret))
            .header("accept", "application/json")
            .send()
            .await
            .map_err(|e| unreachable(PLATFORM, &e))?;
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        if status.is_success() || status.is_client_error() {
            Ok((status, body))
        } else {
            Err(by_status(PLATFORM, status, &text))
        }
    }

    fn coupon(&self, discount: &NewDiscount) -> Result<Value, PlatformError> {
        let amount = decimal_amount(PLATFORM, discount)?;
        let origin = match &discount.origin {
            DiscountOrigin::Order(order_id) => {
                json!({"key": "referral_order_id", "value": order_id.as_ref()})
            }
            DiscountOrigin::Claim(code) => json!({"key": "referral_code", "value": code.as_ref()}),
            DiscountOrigin::Winback => json!({"key": "winback", "value": "1"}),
        };
        Ok(json!({
            "code": discount.coupon.as_ref(),
            "amount": amount,
            "discount_type": "fixed_cart",
            "description": discount.title(),
            // The controller sets only `date_expires` (WC_Coupon has no setter for the `_gmt`
            // twin, so that field would be dropped); with an explicit offset it is this instant
            // whatever the site's time zone.
            "date_expires": discount
                .ends_at
                .map(|end| end.format("%Y-%m-%dT%H:%M:%S+00:00").to_string()),
            "usage_limit": 1,
            "usage_limit_per_user": 1,
            "individual_use": !self.combines_with.any(),
            "email_restrictions": discount.email.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "minimum_amount": decimal_minimum(PLATFORM, discount)?.unwrap_or_default(),
            "meta_data": [
                origin,
                {"key": "referral_beneficiary", "value": discount.beneficiary.as_str()},
            ],
        }))
    }
}

fn error_text(status: reqwest::StatusCode, body: &Value) -> String {
    let code = body["code"].as_str().unwrap_or("");
    let message = body["message"].as_str().unwrap_or("");
    reason(
        PLATFORM,
        &format!("HTTP {} {code}: {message}", status.as_u16()),
    )
}

fn coupon_id(body: &Value) -> Option<PlatformDiscountId> {
    body["id"]
        .as_u64()
        .and_then(|id| PlatformDiscountId::parse(&id.to_string()).ok())
}

/// An answer `send` passed on (2xx or 4xx), as the failure its status makes it.
fn refused(status: reqwest::StatusCode, body: &Value) -> PlatformError {
    classify(status, error_text(status, body))
}

#[async_trait]
impl PlatformDiscounts for WooCommerceAdmin {
    async fn create(&self, discount: &NewDiscount) -> Result<PlatformDiscountId, PlatformError> {
        let request = self
            .client
            .post(&self.coupons)
            .json(&self.coupon(discount)?);
        let (status, body) = self.send(request).await?;
        if status.is_success() {
            return coupon_id(&body).ok_or_else(|| {
                PlatformError::Transient(reason(PLATFORM, "the created coupon has no id"))
            });
        }
        if body["code"].as_str() == Some("woocommerce_rest_coupon_code_already_exists") {
            // An earlier attempt created it and did not live to record the id.
            return self.find(&discount.coupon).await?.ok_or_else(|| {
                PlatformError::Transient(reason(
                    PLATFORM,
                    "the code exists, but no coupon with it was found",
                ))
            });
        }
        Err(refused(status, &body))
    }

    async fn find(&self, code: &CouponCode) -> Result<Option<PlatformDiscountId>, PlatformError> {
        // WooCommerce keeps codes lower-cased; its `code` filter compares with the stored form.
        let lower = code.as_ref().to_ascii_lowercase();
        let request = self
            .client
            .get(&self.coupons)
            .query(&[("code", lower.as_str())]);
        let (status, body) = self.send(request).await?;
        if !status.is_success() {
            return Err(refused(status, &body));
        }
        Ok(body
            .as_array()
            .and_then(|coupons| {
                coupons.iter().find(|c| {
                    c["code"]
                        .as_str()
                        .is_some_and(|c| c.eq_ignore_ascii_case(&lower))
                })
            })
            .and_then(coupon_id))
    }

    async fn deactivate(&self, id: &PlatformDiscountId) -> Result<(), PlatformError> {
        if !id.as_ref().bytes().all(|b| b.is_ascii_digit()) {
            return Err(PlatformError::Refused(reason(
                PLATFORM,
                &format!("{id} is not a WooCommerce coupon id"),
            )));
        }
        let request = self
            .client
            .delete(format!("{}/{}", self.coupons, id))
            .query(&[("force", "true")]);
        let (status, body) = self.send(request).await?;
        if status.is_success() || status == reqwest::StatusCode::NOT_FOUND {
            return Ok(());
        }
        Err(refused(status, &body))
    }
}
