//! `POST /webhooks/shopify` and `POST /webhooks/woocommerce`: the platforms' orders and refunds
//! drive the same services as `POST /orders` and `/refund`, and coupons used at checkout are
//! redeemed.

use domain::model::{CarriedCode, CouponCode, OrderId, ReferralCode};
use domain::ports::{ExistingOrder, KnownCodes, PartialRefund, UndecidedOrder};
use domain::services::{CancelOutcome, CouponError, OrderError, RefundEffect, RefundsOutcome};
use shop_platforms::{ListedRefund, OrderEvent, OrderFacts, ReferralSources};
use web::{ApiError, IgnoredAnswer};

use crate::bodies::{CouponUse, RewardBody};
use crate::webhook_answers::{
    unknown_order, Cancellation, Decided, NotApplied, OrderAnswer, Refund, RefundEffectBody,
    RefundLine, Undecided,
};
use crate::AppState;

web::webhook_route! {
    /// Shopify's `orders/create`, `orders/paid`, `orders/cancelled` and `refunds/create`.
    pub(crate) fn shopify(state: AppState) for Shopify => act
}

web::webhook_route! {
    /// WooCommerce's `order.created` and `order.updated`, and its pings.
    pub(crate) fn woocommerce(state: AppState) for WooCommerce => act
}

async fn act(state: &AppState, event: OrderEvent) -> Result<OrderAnswer, ApiError> {
    match event {
        OrderEvent::Order(facts) => order(state, *facts).await,
        OrderEvent::Undecided {
            order,
            reason,
            detail,
        } => undecided(state, &order, reason, detail).await,
        OrderEvent::Cancellation {
            order_id,
            undecided,
            detail,
        } => cancellation(state, &order_id, undecided.as_deref(), detail).await,
        OrderEvent::Refund { order_id, refund } => {
            let mut lines = refunds(state, &order_id, vec![ListedRefund::Usable(refund)]).await?;
            Ok(lines
                .pop()
                .map_or_else(|| OrderAnswer::Ignored(unknown_order()), OrderAnswer::from))
        }
        OrderEvent::FullRefund { order_id } => match state.coupons.refund(&order_id).await {
            Ok(rewards) => Ok(OrderAnswer::Refund(Refund::full(
                &order_id,
                rewards.iter().map(RewardBody::from).collect(),
            ))),
            Err(CouponError::UnknownOrder) => Ok(OrderAnswer::Ignored(unknown_order())),
            Err(error) => Err(error.into()),
        },
    }
}

/// An order reported before its payment (or closed before it) is recorded undecided, so the
/// payment decides it later; one decided meanwhile (a late delivery of an earlier state)
/// keeps its decision.
async fn undecided(
    state: &AppState,
    order: &UndecidedOrder,
    reason: &'static str,
    detail: String,
) -> Result<OrderAnswer, ApiError> {
    tracing::info!(order_id = %order.order_id, reason, "order recorded undecided");
    Ok(match state.orders.record_undecided(order).await? {
        Some(ExistingOrder::Decided(stored)) => {
            OrderAnswer::Decided(Box::new(Decided::new(&stored.outcome, false)))
        }
        Some(ExistingOrder::Closed) => OrderAnswer::Undecided(Undecided::closed(&order.order_id)),
        Some(ExistingOrder::AwaitingPayment) | None => {
            let status = if order.closed_at.is_some() {
                "closed"
            } else {
                "awaiting_payment"
            };
            OrderAnswer::Undecided(Undecided::new(&order.order_id, status, reason, detail))
        }
    })
}

/// The platform cancelled the order: a decided one is revoked as by a full refund, any other
/// closed for good.
async fn cancellation(
    state: &AppState,
    order_id: &OrderId,
    undecided: Option<&UndecidedOrder>,
    detail: String,
) -> Result<OrderAnswer, ApiError> {
    let outcome = match state.coupons.cancel(order_id, undecided).await {
        Ok(outcome) => outcome,
        Err(CouponError::UnknownOrder) => return Ok(OrderAnswer::Ignored(unknown_order())),
        Err(error) => return Err(error.into()),
    };
    tracing::info!(order_id = %order_id, detail, "order cancelled by the platform");
    Ok(OrderAnswer::Cancellation(match outcome {
        CancelOutcome::Revoked(rewards) => Cancellation::new(
            order_id,
            "revoked",
            rewards.iter().map(RewardBody::from).collect(),
            detail,
        ),
        CancelOutcome::Closed => Cancellation::new(order_id, "closed", Vec::new(), detail),
    }))
}

/// Records the order (a replay answers what was recorded, even if the platform's copy changed
/// since), applies refunds the order lists, then redeems our coupons among its discount codes.
async fn order(state: &AppState, facts: OrderFacts) -> Result<OrderAnswer, ApiError> {
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
        Err(OrderError::Closed) => return Ok(OrderAnswer::Undecided(Undecided::closed(&order_id))),
        Err(OrderError::TotalOverflow) => {
            return Ok(OrderAnswer::Ignored(IgnoredAnswer::new(
                "unusable_total",
                "the customer's total would exceed what is kept",
            )))
        }
        Err(error) => return Err(error.into()),
    };
    let refunded = if listed.is_empty() {
        Vec::new()
    } else {
        refunds(state, &order_id, listed).await?
    };
    let coupons = redeem_coupons(state, &order_id, &known.coupons).await?;
    if refunds_not_examined > 0 {
        tracing::warn!(order_id = %order_id, refunds_not_examined, "refunds beyond the limit not examined");
    }
    if codes_not_examined > 0 {
        tracing::warn!(order_id = %order_id, codes_not_examined, "discount codes beyond the limit not examined");
    }
    Ok(OrderAnswer::Decided(Box::new(
        Decided::new(&outcome, changed).with_delivery(
            coupons,
            refunded,
            refunds_not_examined,
            codes_not_examined,
        ),
    )))
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
) -> Result<Vec<RefundLine>, ApiError> {
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
                RefundLine::NotApplied(NotApplied::new(reason, &refund_id, detail))
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
) -> RefundLine {
    let refund_id = refund.refund_id.as_ref();
    let not_applied = |reason: &'static str, detail: String| {
        tracing::warn!(order_id = %order_id, refund_id, reason, detail, "a refund was not applied");
        RefundLine::NotApplied(NotApplied::new(reason, refund_id, detail))
    };
    match outcome {
        None | Some(RefundsOutcome::UnknownOrder) => {
            let unknown = unknown_order();
            RefundLine::NotApplied(NotApplied::new(unknown.ignored, refund_id, unknown.detail))
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
            let recorded = if new.get(index).copied().unwrap_or(false) {
                "now"
            } else {
                "before"
            };
            let effect = match effect {
                RefundEffect::Revoked(rewards) => {
                    RefundEffectBody::revoked(rewards.iter().map(RewardBody::from).collect())
                }
                RefundEffect::Kept { net } => RefundEffectBody::kept(net.map(|n| n.get())),
            };
            RefundLine::Applied(Refund::partial(order_id, refund, recorded, effect))
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
