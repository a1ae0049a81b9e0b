//! `POST /webhooks/shopify` and `POST /webhooks/woocommerce`: the platforms' orders and refunds
//! drive the same services as `POST /orders` and `/refund`, and coupons used at checkout are
//! redeemed.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use domain::model::{CarriedCode, CouponCode, OrderId, ReferralCode};
use domain::ports::PartialRefund;
use domain::services::{CouponError, OrderError, PartialRefundOutcome};
use serde_json::{json, Value};
use shop_platforms::{OrderFacts, Platform, PlatformRequest, ReferralSources};
use web::{ignored, ApiError, RawBody};

use crate::bodies::{OrderBody, RewardBody};
use crate::AppState;

/// Shopify's `orders/create`, `orders/paid`, `orders/updated` and `refunds/create`.
#[utoipa::path(
    post,
    path = "/webhooks/shopify",
    tag = "platform webhooks",
    params(web::ShopifyHeaders),
    request_body(content = Object, content_type = "application/json", description = "Shopify's payload for the topic"),
    responses(web::WebhookAnswers),
    security(("shopify_signature" = []))
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn shopify(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Response {
    receive(state, Platform::Shopify, headers, body).await
}

/// WooCommerce's `order.created` and `order.updated`, and its pings.
#[utoipa::path(
    post,
    path = "/webhooks/woocommerce",
    tag = "platform webhooks",
    params(web::WooCommerceHeaders),
    request_body(content = Object, content_type = "application/json", description = "WooCommerce's payload for the topic"),
    responses(web::WebhookAnswers),
    security(("woocommerce_signature" = []))
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn woocommerce(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Response {
    receive(state, Platform::WooCommerce, headers, body).await
}

async fn receive(
    state: Arc<AppState>,
    platform: Platform,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    state
        .webhooks
        .receive(platform, &headers, &body, |request| act(&state, request))
        .await
}

async fn act(state: &AppState, request: PlatformRequest) -> Result<Value, ApiError> {
    match request {
        PlatformRequest::Order(facts) => order(state, *facts).await,
        PlatformRequest::Refund { order_id, refund } => partial_refund(state, &order_id, &refund)
            .await
            .map(|answer| answer.unwrap_or_else(unknown_order)),
        PlatformRequest::FullRefund { order_id } => match state.coupons.refund(&order_id).await {
            Ok(rewards) => Ok(json!({
                "handled": "refund",
                "order_id": order_id.to_string(),
                "rewards_revoked": true,
                "rewards": rewards.iter().map(RewardBody::from).collect::<Vec<_>>(),
            })),
            Err(CouponError::UnknownOrder) => Ok(unknown_order()),
            Err(error) => Err(error.into()),
        },
        PlatformRequest::Survey(_) => {
            Ok(ignored("unhandled_topic", "surveys are collect-survey's"))
        }
        PlatformRequest::Erase(_)
        | PlatformRequest::DataRequest(_)
        | PlatformRequest::ShopRedact => Ok(ignored(
            "unhandled_topic",
            "privacy topics are customer-data's",
        )),
        // The receiver answers these itself; kept for exhaustiveness.
        PlatformRequest::Ignored(why) => Ok(ignored(why.reason, why.detail)),
    }
}

fn unknown_order() -> Value {
    ignored("unknown_order", "no order with this id was recorded")
}

/// Records the order (a replay answers what was recorded, even if the platform's copy changed
/// since), applies refunds the order lists, then redeems our coupons among its discount codes.
async fn order(state: &AppState, facts: OrderFacts) -> Result<Value, ApiError> {
    let OrderFacts {
        mut order,
        referral,
        discount_codes,
        refunds,
    } = facts;
    order.referral_code = referral_code(state, &referral).await?;
    let order_id = order.order_id.clone();
    let (outcome, changed) = match state.orders.record(order).await {
        Ok(outcome) => (outcome, false),
        Err(OrderError::IdempotencyConflict { recorded }) => (*recorded, true),
        Err(OrderError::TotalOverflow) => {
            return Ok(ignored(
                "unusable_total",
                "the customer's total would exceed what is kept",
            ))
        }
        Err(error) => return Err(error.into()),
    };
    let mut refunded = Vec::new();
    for refund in &refunds {
        if let Some(answer) = partial_refund(state, &order_id, refund).await? {
            refunded.push(answer);
        }
    }
    let coupons = redeem_coupons(state, &order_id, &discount_codes).await?;
    let mut answer = json!({"handled": "order"});
    if let (Value::Object(fields), Ok(Value::Object(body))) =
        (&mut answer, serde_json::to_value(OrderBody::from(&outcome)))
    {
        fields.extend(body);
    }
    answer["coupons"] = json!(coupons);
    if !refunded.is_empty() {
        answer["refunds"] = json!(refunded);
    }
    if changed {
        answer["changed_since_recorded"] = json!(true);
    }
    Ok(answer)
}

/// The referral code of a platform order: the storefront's attribute, else a discount code that
/// is one of our referral codes (a shop's own codes are not), else the landing page's parameter.
async fn referral_code(
    state: &AppState,
    sources: &ReferralSources,
) -> Result<Option<CarriedCode>, ApiError> {
    let carried = |raw: &Option<String>| {
        raw.as_deref()
            .and_then(|raw| CarriedCode::from_raw(raw).ok().flatten())
    };
    if let Some(code) = carried(&sources.attribute) {
        return Ok(Some(code));
    }
    for raw in &sources.discount_codes {
        if let Ok(code) = ReferralCode::parse(raw) {
            if state.orders.is_known_code(&code).await? {
                return Ok(Some(CarriedCode::Wellformed(code)));
            }
        }
    }
    Ok(carried(&sources.landing))
}

/// `None` for an unknown order.
async fn partial_refund(
    state: &AppState,
    order_id: &OrderId,
    refund: &PartialRefund,
) -> Result<Option<Value>, ApiError> {
    let mut answer = json!({
        "handled": "refund",
        "order_id": order_id.to_string(),
        "refund_id": refund.refund_id.as_ref(),
        "amount_minor": refund.amount.get(),
    });
    match state.coupons.refund_part(order_id, refund).await {
        Ok(PartialRefundOutcome::Revoked(rewards)) => {
            answer["rewards_revoked"] = json!(true);
            answer["rewards"] = json!(rewards.iter().map(RewardBody::from).collect::<Vec<_>>());
        }
        Ok(PartialRefundOutcome::Kept { net }) => {
            answer["rewards_revoked"] = json!(false);
            answer["net_total_minor"] = json!(net.map(|n| n.get()));
        }
        Err(CouponError::UnknownOrder) => return Ok(None),
        Err(error) => return Err(error.into()),
    }
    Ok(Some(answer))
}

/// Each discount code that is one of our coupons is redeemed for this order; a code that is not
/// ours is skipped, and a refusal (already used elsewhere, still on hold, revoked) is reported
/// and logged, not failed: the platform has taken the order either way.
async fn redeem_coupons(
    state: &AppState,
    order_id: &OrderId,
    codes: &[String],
) -> Result<Vec<Value>, ApiError> {
    let mut results = Vec::new();
    for code in codes.iter().filter_map(|raw| CouponCode::parse(raw).ok()) {
        let status = match state.coupons.redeem(&code, order_id).await {
            Ok(_) => "redeemed",
            Err(CouponError::NotFound) => continue,
            Err(CouponError::Store(error)) => return Err(error.into()),
            Err(refusal) => {
                let status = ApiError::from(refusal).code();
                tracing::warn!(order_id = %order_id, status, "a coupon used at checkout was refused");
                status
            }
        };
        results.push(json!({"code": code.to_string(), "status": status}));
    }
    Ok(results)
}
