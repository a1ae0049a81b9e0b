//! `POST /webhooks/shopify` and `POST /webhooks/woocommerce`: a fulfilled (Shopify) or
//! completed (WooCommerce) order asks for its survey, as `POST /surveys` would.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use domain::model::{SurveyDecision, SurveyRequest};
use serde::Serialize;
use shop_platforms::Platform;
use web::{ApiError, RawBody, RequestOrigin};

use crate::AppState;

/// Shopify's `orders/fulfilled`: the order asks for its survey.
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
    origin: RequestOrigin,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Response {
    receive(state, Platform::Shopify, origin, headers, body).await
}

/// WooCommerce's `order.updated` to `completed`: the order asks for its survey.
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
    origin: RequestOrigin,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Response {
    receive(state, Platform::WooCommerce, origin, headers, body).await
}

async fn receive(
    state: Arc<AppState>,
    platform: Platform,
    origin: RequestOrigin,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    state
        .webhooks
        .receive(platform, &headers, &body, |request| {
            act(&state, &origin, request)
        })
        .await
}

/// What a survey delivery answers: the survey sent (by its public id) or skipped, or asked for
/// before with other details.
#[derive(Serialize)]
struct SurveyAnswer {
    /// `survey`.
    handled: &'static str,
    order_id: String,
    /// `sent`, `skipped` or `already_requested`.
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    survey_id: Option<String>,
    /// Why nothing was sent: `throttled` or `unsubscribed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'static str>,
}

async fn act(
    state: &AppState,
    origin: &RequestOrigin,
    request: SurveyRequest,
) -> Result<SurveyAnswer, ApiError> {
    let order_id = request.order_id.to_string();
    let links_base = origin.base_url(state.public_base_url.as_ref())?;
    let answer = |status, survey_id, reason| SurveyAnswer {
        handled: "survey",
        order_id: order_id.clone(),
        status,
        survey_id,
        reason,
    };
    Ok(match state.surveys.request(request, &links_base).await {
        Ok(SurveyDecision::Sent(token)) => {
            answer("sent", Some(token.survey_id().to_string()), None)
        }
        Ok(SurveyDecision::Skipped(reason)) => answer("skipped", None, Some(reason.as_str())),
        // The order's survey was asked for before with other details (a second fulfilment,
        // an edited address): the first request stands.
        Err(domain::services::SurveyError::IdempotencyConflict) => {
            answer("already_requested", None, None)
        }
        Err(error) => return Err(error.into()),
    })
}
