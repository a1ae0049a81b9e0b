use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use chrono::{DateTime, SubsecRound, Utc};
use std::net::IpAddr;

use domain::model::{
    CarriedCode, CouponCode, Currency, CustomerId, CustomerName, Email, Locale, MinorUnits, Order,
    OrderId, OrderSignals, ShippingAddress,
};
use web::{ApiError, JsonFields, PathText};

use crate::bodies::{
    CouponBody, OrderBody, RecordOrder, RedeemCoupon, RedeemedBody, RefundBody, RewardBody,
    MAX_COUPONS,
};
use crate::AppState;

/// `POST /orders`: records a paid order and answers with the referral outcome, the same bytes
/// on every replay. The storefront calls it once the order is paid; a platform's unpaid orders
/// come through its webhooks, which wait for the payment.
#[utoipa::path(
    post,
    path = "/orders",
    tag = "orders",
    request_body = RecordOrder,
    responses(
        (status = 200, description = "The order is recorded; the referral's decision, the same bytes on every replay", body = OrderBody),
        (status = 409, description = "`idempotency_conflict`: this `order_id` was recorded with another body; `order_cancelled`: a platform reported it cancelled before it was paid, so it is never decided", body = web::ErrorEnvelope),
    ),
    security(("storefront_key" = []))
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn record_order(
    State(state): State<Arc<AppState>>,
    body: JsonFields,
) -> Result<Json<OrderBody>, ApiError> {
    let placed_at = body.optional("placed_at", parse_time)?;
    let used = body.optional_list("coupons", MAX_COUPONS, |raw| {
        CarriedCode::from_raw(raw).map(|_| CouponCode::parse(raw).ok())
    })?;
    let coupons: Vec<CouponCode> = used.into_iter().flatten().collect();
    let mut order = Order {
        order_id: body.required("order_id", OrderId::parse)?,
        customer_id: body.required("customer_id", CustomerId::parse)?,
        email: body.required("email", Email::parse)?,
        name: body.optional("name", CustomerName::parse)?,
        locale: body.optional("locale", Locale::parse)?,
        total_cents: MinorUnits::new(body.required_count("total_cents")?)
            .map_err(|e| ApiError::invalid_field("total_cents", e))?,
        currency: body.required("currency", Currency::parse)?,
        referral_code: body
            .optional("referral_code", CarriedCode::from_raw)?
            .flatten(),
        placed_at_given: placed_at.is_some(),
        signals: OrderSignals {
            ip: body.optional("ip", |raw| {
                raw.trim()
                    .parse::<IpAddr>()
                    .map_err(|_| "must be an IPv4 or IPv6 address")
            })?,
            ships_to: shipping_address(&body)?,
            full_name: None,
        },
        placed_at: placed_at.unwrap_or_else(|| state.clock.now()),
    };
    let known = state.orders.known_codes(&[], &coupons).await?;
    if let Some(code) = crate::webhooks::offer_code(&known) {
        order.referral_code = Some(code);
    }
    let order_id = order.order_id.clone();
    let outcome = state.orders.record(order).await?;
    let mut answer = OrderBody::from(&outcome);
    if !coupons.is_empty() {
        answer.coupons =
            Some(crate::webhooks::redeem_coupons(&state, &order_id, &known.coupons).await?);
    }
    Ok(Json(answer))
}

/// `shipping_address`: `{"line1", "line2"?, "postcode", "country"}`, for the review rule that
/// compares where a friend ships with where their referrer's orders shipped.
fn shipping_address(body: &JsonFields) -> Result<Option<ShippingAddress>, ApiError> {
    const FIELD: &str = "shipping_address";
    let Some(fields) = body.optional_object(FIELD)? else {
        return Ok(None);
    };
    let text = |name: &str| {
        fields
            .optional(name, |raw| Ok::<_, &str>(raw.to_owned()))
            .map_err(|e| e.within(FIELD))
    };
    let (line1, line2, postcode, country) = (
        text("line1")?,
        text("line2")?,
        text("postcode")?,
        text("country")?,
    );
    ShippingAddress::new(
        line1.as_deref(),
        line2.as_deref(),
        postcode.as_deref(),
        country.as_deref(),
    )
    .map(Some)
    .ok_or_else(|| {
        ApiError::invalid_field(
            FIELD,
            "needs line1, postcode and country (two letters, ISO 3166-1)",
        )
    })
}

fn parse_time(raw: &str) -> Result<DateTime<Utc>, &'static str> {
    DateTime::parse_from_rfc3339(raw.trim())
        .map(|t| t.with_timezone(&Utc).trunc_subsecs(3))
        .map_err(|_| "must be an RFC 3339 timestamp such as 2026-11-22T10:00:00Z")
}

/// `POST /orders/{order_id}/refund`: revokes the order's unredeemed rewards; idempotent.
#[utoipa::path(
    post,
    path = "/orders/{order_id}/refund",
    tag = "orders",
    params(("order_id" = String, Path, description = "The shop's order id")),
    responses(
        (status = 200, description = "The order's rewards as they stand after the refund", body = RefundBody),
        (status = 400, description = "`invalid_field` `order_id`", body = web::ErrorEnvelope),
        (status = 404, description = "`not_found`: no such order", body = web::ErrorEnvelope),
    ),
    security(("storefront_key" = []))
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn refund_order(
    State(state): State<Arc<AppState>>,
    order_id: PathText,
) -> Result<Json<RefundBody>, ApiError> {
    let order_id = order_id.field("order_id", OrderId::parse)?;
    let rewards = state.coupons.refund(&order_id).await?;
    Ok(Json(RefundBody {
        order_id: order_id.to_string(),
        rewards: rewards.iter().map(RewardBody::from).collect(),
    }))
}

/// `GET /coupons/{code}`: what a checkout needs to show and validate a coupon.
#[utoipa::path(
    get,
    path = "/coupons/{code}",
    tag = "coupons",
    params(("code" = String, Path, description = "A coupon code, any case")),
    responses(
        (status = 200, description = "The coupon", body = CouponBody),
        (status = 404, description = "`not_found`: no such coupon", body = web::ErrorEnvelope),
        (status = 410, description = "`expired`: an unused coupon past its `valid_until`", body = web::ErrorEnvelope),
    ),
    security(("storefront_key" = []))
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn coupon(
    State(state): State<Arc<AppState>>,
    code: PathText,
) -> Result<Json<CouponBody>, ApiError> {
    let code = coupon_code(code)?;
    let coupon = state.coupons.coupon(&code).await?;
    Ok(Json(CouponBody::from(&coupon)))
}

/// `POST /coupons/{code}/redeem`: once per coupon; the same order may retry.
#[utoipa::path(
    post,
    path = "/coupons/{code}/redeem",
    tag = "coupons",
    params(("code" = String, Path, description = "A coupon code, any case")),
    request_body = RedeemCoupon,
    responses(
        (status = 200, description = "Redeemed with this order (again: the same answer)", body = RedeemedBody),
        (status = 404, description = "`not_found`: no such coupon, or no such order", body = web::ErrorEnvelope),
        (status = 409, description = "`already_redeemed` with another order, or `reward_pending` in its hold", body = web::ErrorEnvelope),
        (status = 410, description = "`revoked`: its order was refunded; `expired`: past its `valid_until`", body = web::ErrorEnvelope),
    ),
    security(("storefront_key" = []))
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn redeem_coupon(
    State(state): State<Arc<AppState>>,
    code: PathText,
    body: JsonFields,
) -> Result<Json<RedeemedBody>, ApiError> {
    let code = coupon_code(code)?;
    let order_id = body.required("order_id", OrderId::parse)?;
    let coupon = state.coupons.redeem(&code, &order_id).await?;
    Ok(Json(RedeemedBody {
        code: coupon.reward.coupon.to_string(),
        status: "redeemed",
        order_id: order_id.to_string(),
    }))
}

/// A code that cannot exist is simply not found: checkout forms pass through whatever was typed.
fn coupon_code(code: PathText) -> Result<CouponCode, ApiError> {
    code.found(CouponCode::parse, "no such coupon")
}
