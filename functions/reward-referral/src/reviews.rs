//! The review queue: rewards a rule held, listed with why and the order's facts (never an
//! address or a name), and decided once.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use domain::model::{rfc3339, OrderId, ReviewDecision, ReviewStatus};
use domain::ports::{Review, ReviewCursor};
use domain::services::ReviewNote;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use web::{
    given, page_limit, ApiError, Cursor, JsonFields, Params, PathText, DEFAULT_PAGE, MAX_PAGE,
};

use crate::bodies::RewardBody;
use crate::AppState;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListQuery {
    /// `open` (default), `approved` or `rejected`.
    #[param(pattern = "^(open|approved|rejected)?$")]
    status: Option<String>,
    /// 1–100, default 50.
    #[param(pattern = "^([1-9][0-9]?|100)?$")]
    limit: Option<String>,
    /// The previous page's `next_cursor`.
    cursor: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct ReviewsBody {
    reviews: Vec<ReviewBody>,
    /// Pass as `cursor` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    next_cursor: Option<String>,
}

/// A held reward: why it was held, the order's facts, its coupons, and the decision once made.
#[derive(Serialize, ToSchema)]
pub(crate) struct ReviewBody {
    order_id: String,
    /// `open`, `approved` or `rejected`.
    status: &'static str,
    /// The rules that held it: `orders_per_ip`, `rewards_per_week`, `shipping_address`, `same_name`.
    rules: Vec<&'static str>,
    referral_code: String,
    referrer_customer_id: String,
    friend_customer_id: String,
    total_cents: u64,
    currency: String,
    placed_at: String,
    flagged_at: String,
    /// Both sides' coupons: `review` while open, then as approved (usable) or rejected (revoked).
    rewards: Vec<RewardBody>,
    /// `null` while open.
    decision: Option<DecisionBody>,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct DecisionBody {
    /// `approve` or `reject`.
    decision: &'static str,
    /// `staff`, or `automatic` (REVIEW_AUTO after REVIEW_DAYS).
    decided_by: &'static str,
    decided_at: String,
    note: Option<String>,
}

impl ReviewBody {
    fn new(review: &Review, now: chrono::DateTime<chrono::Utc>) -> Self {
        let held = &review.held;
        Self {
            order_id: held.order_id.to_string(),
            status: review.status.as_str(),
            rules: held.rules.iter().map(|rule| rule.as_str()).collect(),
            referral_code: held.referral_code.to_string(),
            referrer_customer_id: held.referrer_id.to_string(),
            friend_customer_id: held.friend_id.to_string(),
            total_cents: held.total.get(),
            currency: held.currency.to_string(),
            placed_at: rfc3339(held.placed_at),
            flagged_at: rfc3339(held.flagged_at),
            rewards: review
                .coupons
                .iter()
                .map(|coupon| RewardBody::from(&coupon.status_at(now)))
                .collect(),
            decision: review.verdict.as_ref().map(|verdict| DecisionBody {
                decision: verdict.decision.as_str(),
                decided_by: verdict.by.as_str(),
                decided_at: rfc3339(verdict.at),
                note: verdict.note.clone(),
            }),
        }
    }
}

/// `GET /reviews?status=open|approved|rejected&limit=&cursor=`: newest first.
#[utoipa::path(
    get,
    path = "/reviews",
    tag = "reviews",
    params(ListQuery),
    responses(
        (status = 200, description = "One page of held rewards in the status, newest first", body = ReviewsBody),
        (status = 400, description = "`invalid_field` naming `status`, `limit` or `cursor`, or `bad_request` for a query that cannot be read", body = web::ErrorEnvelope),
    ),
    security(("storefront_key" = []))
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn list_reviews(
    State(state): State<Arc<AppState>>,
    Params(query): Params<ListQuery>,
) -> Result<Json<ReviewsBody>, ApiError> {
    let status = ReviewStatus::parse(given(&query.status).unwrap_or("open"))
        .ok_or_else(|| ApiError::invalid_field("status", "must be open, approved or rejected"))?;
    let limit = page_limit(query.limit.as_deref(), DEFAULT_PAGE, MAX_PAGE)?;
    let cursor = Cursor::parse(query.cursor.as_deref(), |flagged_at, id| {
        OrderId::parse(id).map(|order_id| ReviewCursor {
            flagged_at,
            order_id,
        })
    })?;
    let page = state
        .review_listing
        .reviews(status, limit, cursor.as_ref())
        .await?;
    let now = state.clock.now();
    Ok(Json(ReviewsBody {
        reviews: page
            .reviews
            .iter()
            .map(|r| ReviewBody::new(r, now))
            .collect(),
        next_cursor: page
            .next
            .as_ref()
            .map(|next| Cursor::encode(next.flagged_at, next.order_id.as_ref())),
    }))
}

/// `POST /reviews/{order_id}` `{"decision": "approve" | "reject", "note"?}`.
#[utoipa::path(
    post,
    path = "/reviews/{order_id}",
    tag = "reviews",
    params(("order_id" = String, Path, description = "The held order's id")),
    request_body(content = DecideFields, description = "The decision, and a note for the record"),
    responses(
        (status = 200, description = "Decided: approved, the coupons are issued and their mails, `reward.issued` events and platform discounts are on their way; rejected, the coupons are revoked (`reward.revoked`)", body = ReviewBody),
        (status = 400, description = "`invalid_json`, or `invalid_field` naming `decision` or `note`", body = web::ErrorEnvelope),
        (status = 404, description = "`not_found`: no reward of this order is held", body = web::ErrorEnvelope),
        (status = 409, description = "`already_decided` (also the loser of two concurrent decisions), or `coupons_revoked`: the order was refunded while held, so it can only be rejected", body = web::ErrorEnvelope),
    ),
    security(("storefront_key" = []))
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn decide_review(
    State(state): State<Arc<AppState>>,
    order_id: PathText,
    body: JsonFields,
) -> Result<Json<ReviewBody>, ApiError> {
    let order_id = order_id.found(OrderId::parse, "no reward of this order is held for review")?;
    let decision = body.required("decision", |raw| {
        ReviewDecision::parse(raw).ok_or("must be approve or reject")
    })?;
    let note = body.optional("note", ReviewNote::parse)?.flatten();
    let review = state
        .reviews
        .decide(&order_id, decision, note, &state.shop)
        .await?;
    Ok(Json(ReviewBody::new(&review, state.clock.now())))
}

/// The body of `POST /reviews/{order_id}`, for the API document.
#[derive(ToSchema)]
#[allow(dead_code, reason = "documents the body that JsonFields parses")]
pub(crate) struct DecideFields {
    /// `approve` issues the coupons; `reject` revokes them.
    #[schema(pattern = "^(approve|reject)$")]
    decision: String,
    #[schema(schema_with = web::field_schemas::review_note)]
    note: Option<String>,
}
