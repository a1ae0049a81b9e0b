//! `POST /webhooks/shopify` and `POST /webhooks/woocommerce`: the platforms' orders and refunds
//! drive the same services as `POST /orders` and `/refund`, and coupons used at checkout are
//! redeemed.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use domain::model::{CarriedCode, CouponCode, OrderId, ReferralCode};
use domain::ports::{ExistingOrder, KnownCodes, PartialRefund, UndecidedOrder};
use domain::services::{CancelOutcome, CouponError, OrderError, RefundEffect, RefundsOutcome};
use serde_json::{json, Value};
use shop_platforms::{ListedRefund, OrderFacts, Platform, PlatformRequest, ReferralSources};
use web::{ignored, ApiError, RawBody};

use crate::bodies::{CouponUse, OrderBody, RewardBody};
use crate::AppState;

/// Shopify's `orders/create`, `orders/paid`, `orders/cancelled` and `refunds/create`.
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
        PlatformRequest::Undecided {
            order,
            reason,
            detail,
        } => undecided(state, &order, reason, detail).await,
        PlatformRequest::Cancellation {
            order_id,
            undecided,
            detail,
        } => cancellation(state, &order_id, undecided.as_deref(), detail).await,
        PlatformRequest::Refund { order_id, refund } => {
            let mut answers = refunds(state, &order_id, vec![ListedRefund::Usable(refund)]).await?;
            Ok(answers.pop().unwrap_or_else(unknown_order))
        }
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
        | PlatformRequest::ShopRedact { .. } => Ok(ignored(
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

/// An order not decided now: `status` `awaiting_payment` or `closed`, with why.
fn undecided_answer(order_id: &OrderId, status: &str, reason: &str, detail: String) -> Value {
    json!({
        "handled": "undecided_order",
        "order_id": order_id.to_string(),
        "status": status,
        "reason": reason,
        "detail": detail,
    })
}

/// A decided order's answer: what was decided, the coupons redeemed, and what was not examined.
fn decided_answer(outcome: &domain::model::OrderOutcome, changed: bool) -> Result<Value, ApiError> {
    let mut answer = json!({"handled": "order"});
    if let (Value::Object(fields), Value::Object(body)) = (
        &mut answer,
        serde_json::to_value(OrderBody::from(outcome)).map_err(ApiError::internal)?,
    ) {
        fields.extend(body);
    }
    if changed {
        answer["changed_since_recorded"] = json!(true);
    }
    Ok(answer)
}

/// An order reported before its payment (or closed before it) is recorded undecided, so the
/// payment decides it later; one decided meanwhile (a late delivery of an earlier state)
/// keeps its decision.
async fn undecided(
    state: &AppState,
    order: &UndecidedOrder,
    reason: &'static str,
    detail: String,
) -> Result<Value, ApiError> {
    tracing::info!(order_id = %order.order_id, reason, "order recorded undecided");
    match state.orders.record_undecided(order).await? {
        Some(ExistingOrder::Decided(stored)) => decided_answer(&stored.outcome, false),
        Some(ExistingOrder::Closed) => Ok(undecided_answer(
            &order.order_id,
            "closed",
            "order_closed",
            "cancelled before it was paid: never decided".into(),
        )),
        Some(ExistingOrder::AwaitingPayment) | None => {
            let status = if order.closed_at.is_some() {
                "closed"
            } else {
                "awaiting_payment"
            };
            Ok(undecided_answer(&order.order_id, status, reason, detail))
        }
    }
}

/// The platform cancelled the order: a decided one is revoked as by a full refund, any other
/// closed for good.
async fn cancellation(
    state: &AppState,
    order_id: &OrderId,
    undecided: Option<&UndecidedOrder>,
    detail: String,
) -> Result<Value, ApiError> {
    let outcome = match state.coupons.cancel(order_id, undecided).await {
        Ok(outcome) => outcome,
        Err(CouponError::UnknownOrder) => return Ok(unknown_order()),
        Err(error) => return Err(error.into()),
    };
    tracing::info!(order_id = %order_id, detail, "order cancelled by the platform");
    Ok(match outcome {
        CancelOutcome::Revoked(rewards) => json!({
            "handled": "cancellation",
            "order_id": order_id.to_string(),
            "status": "revoked",
            "rewards": rewards.iter().map(RewardBody::from).collect::<Vec<_>>(),
            "detail": detail,
        }),
        CancelOutcome::Closed => json!({
            "handled": "cancellation",
            "order_id": order_id.to_string(),
            "status": "closed",
            "rewards": [],
            "detail": detail,
        }),
    })
}

/// Records the order (a replay answers what was recorded, even if the platform's copy changed
/// since), applies refunds the order lists, then redeems our coupons among its discount codes.
async fn order(state: &AppState, facts: OrderFacts) -> Result<Value, ApiError> {
    let OrderFacts {
        mut order,
        referral,
        discount_codes,
        codes_not_examined,
        refunds: listed,
        refunds_not_examined,
    } = facts;
    let known = known_codes(state, &discount_codes).await?;
    order.referral_code = referral_code(&referral, &known);
    let order_id = order.order_id.clone();
    let (outcome, changed) = match state.orders.record(order).await {
        Ok(outcome) => (outcome, false),
        Err(OrderError::IdempotencyConflict { recorded }) => (*recorded, true),
        Err(OrderError::Closed) => {
            return Ok(undecided_answer(
                &order_id,
                "closed",
                "order_closed",
                "cancelled before it was paid: never decided".into(),
            ))
        }
        Err(OrderError::TotalOverflow) => {
            return Ok(ignored(
                "unusable_total",
                "the customer's total would exceed what is kept",
            ))
        }
        Err(error) => return Err(error.into()),
    };
    let refunded = if listed.is_empty() {
        Vec::new()
    } else {
        refunds(state, &order_id, listed).await?
    };
    let coupons = redeem_coupons(state, &order_id, &known.coupons).await?;
    let mut answer = decided_answer(&outcome, changed)?;
    answer["coupons"] = json!(coupons);
    if !refunded.is_empty() {
        answer["refunds"] = json!(refunded);
    }
    if refunds_not_examined > 0 {
        tracing::warn!(order_id = %order_id, refunds_not_examined, "refunds beyond the limit not examined");
        answer["refunds_not_examined"] = json!({
            "count": refunds_not_examined,
            "reason": "too_many_refunds",
        });
    }
    if codes_not_examined > 0 {
        tracing::warn!(order_id = %order_id, codes_not_examined, "discount codes beyond the limit not examined");
        answer["codes_not_examined"] = json!({
            "count": codes_not_examined,
            "reason": "too_many_codes",
        });
    }
    Ok(answer)
}

/// Which of the order's discount codes are our referral codes and coupons, in one read.
async fn known_codes(
    state: &AppState,
    codes: &[String],
) -> Result<domain::ports::KnownCodes, ApiError> {
    let referral_codes: Vec<ReferralCode> = codes
        .iter()
        .filter_map(|raw| ReferralCode::parse(raw).ok())
        .collect();
    let coupons: Vec<CouponCode> = codes
        .iter()
        .filter_map(|raw| CouponCode::parse(raw).ok())
        .collect();
    Ok(state.orders.known_codes(&referral_codes, &coupons).await?)
}

/// The referral code of a platform order: the code a friend's first-order discount among its
/// discount codes was claimed on, else the storefront's attribute, else the first discount code
/// that is one of our referral codes (a shop's own codes are not), else the landing page's
/// parameter.
fn referral_code(sources: &ReferralSources, known: &KnownCodes) -> Option<CarriedCode> {
    let carried = |raw: &Option<String>| {
        raw.as_deref()
            .and_then(|raw| CarriedCode::from_raw(raw).ok().flatten())
    };
    offer_code(known)
        .or_else(|| carried(&sources.attribute))
        .or_else(|| {
            sources
                .discount_codes
                .iter()
                .filter_map(|raw| ReferralCode::parse(raw).ok())
                .find(|code| known.referral_codes.contains(code))
                .map(CarriedCode::Wellformed)
        })
        .or_else(|| carried(&sources.landing))
}

/// An order using a friend's first-order discount is the referral of the code it was claimed
/// on, whatever else it carries: the first referrer keeps the friend.
pub(crate) fn offer_code(known: &KnownCodes) -> Option<CarriedCode> {
    known
        .offers
        .first()
        .map(|(_, code)| CarriedCode::Wellformed(code.clone()))
}

/// Applies the usable refunds of one delivery in one step and answers for each listed refund:
/// applied (now, or recorded before), or named with why not. Every refund not applied is
/// logged.
async fn refunds(
    state: &AppState,
    order_id: &OrderId,
    listed: Vec<ListedRefund>,
) -> Result<Vec<Value>, ApiError> {
    let usable: Vec<PartialRefund> = listed
        .iter()
        .filter_map(|refund| match refund {
            ListedRefund::Usable(refund) => Some(refund.clone()),
            ListedRefund::Unusable { .. } => None,
        })
        .collect();
    let outcome = if usable.is_empty() {
        None
    } else {
        Some(
            state
                .coupons
                .record_refunds(order_id, &usable)
                .await
                .map_err(ApiError::from)?,
        )
    };
    let mut applied = 0;
    let mut answers = Vec::new();
    for refund in listed {
        let answer = match refund {
            ListedRefund::Unusable {
                refund_id,
                reason,
                detail,
            } => {
                tracing::warn!(order_id = %order_id, refund_id, reason, detail, "a listed refund was not applied");
                json!({"ignored": reason, "refund_id": refund_id, "detail": detail})
            }
            ListedRefund::Usable(refund) => {
                let index = applied;
                applied += 1;
                refund_answer(order_id, &refund, index, outcome.as_ref())
            }
        };
        answers.push(answer);
    }
    Ok(answers)
}

/// One usable refund's answer, from what recording the delivery's refunds did.
fn refund_answer(
    order_id: &OrderId,
    refund: &PartialRefund,
    index: usize,
    outcome: Option<&RefundsOutcome>,
) -> Value {
    let refund_id = refund.refund_id.as_ref();
    let currency = refund.currency.as_ref().map(ToString::to_string);
    let not_applied = |reason: &'static str, detail: String| {
        tracing::warn!(order_id = %order_id, refund_id, reason, detail, "a refund was not applied");
        json!({"ignored": reason, "refund_id": refund_id, "detail": detail})
    };
    match outcome {
        None | Some(RefundsOutcome::UnknownOrder) => {
            let mut answer = unknown_order();
            answer["refund_id"] = json!(refund_id);
            answer
        }
        Some(RefundsOutcome::OtherCurrency {
            order_currency,
            refund_currency,
        }) => not_applied(
            "unusable_total",
            format!(
                "the refund is in {}, the order in {order_currency}: amounts of two currencies are never added",
                refund_currency.as_ref().map_or("no currency", AsRef::as_ref)
            ),
        ),
        Some(RefundsOutcome::MixedCurrencies) => not_applied(
            "unusable_total",
            "the delivery's refunds are in several currencies".into(),
        ),
        Some(RefundsOutcome::Recorded { new, effect }) => {
            let mut answer = json!({
                "handled": "refund",
                "order_id": order_id.to_string(),
                "refund_id": refund_id,
                "amount_minor": refund.amount.get(),
                "currency": currency,
                "recorded": if new.get(index).copied().unwrap_or(false) { "now" } else { "before" },
            });
            match effect {
                RefundEffect::Revoked(rewards) => {
                    answer["rewards_revoked"] = json!(true);
                    answer["rewards"] =
                        json!(rewards.iter().map(RewardBody::from).collect::<Vec<_>>());
                }
                RefundEffect::Kept { net } => {
                    answer["rewards_revoked"] = json!(false);
                    answer["net_total_minor"] = json!(net.map(|n| n.get()));
                }
            }
            answer
        }
    }
}

/// Each of the order's discount codes that is one of our coupons is redeemed for this order; a
/// refusal (already used elsewhere, still on hold, revoked) is reported and logged, not failed:
/// the platform has taken the order either way.
pub(crate) async fn redeem_coupons(
    state: &AppState,
    order_id: &OrderId,
    codes: &[CouponCode],
) -> Result<Vec<CouponUse>, ApiError> {
    let mut results = Vec::new();
    for code in codes {
        let status = match state.coupons.redeem(code, order_id).await {
            Ok(_) => "redeemed",
            Err(CouponError::NotFound) => continue,
            Err(CouponError::Store(error)) => return Err(error.into()),
            Err(refusal) => {
                let status = ApiError::from(refusal).code();
                tracing::warn!(order_id = %order_id, status, "a coupon used at checkout was refused");
                status
            }
        };
        results.push(CouponUse {
            code: code.to_string(),
            status,
        });
    }
    Ok(results)
}
