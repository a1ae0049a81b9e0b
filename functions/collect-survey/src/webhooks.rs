//! `POST /webhooks/shopify` and `POST /webhooks/woocommerce`: a fulfilled (Shopify) or
//! completed (WooCommerce) order asks for its survey, as `POST /surveys` would.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use domain::model::SurveyDecision;
use serde_json::{json, Value};
use shop_platforms::{Platform, PlatformRequest};
use web::{ignored, ApiError, RawBody, RequestOrigin};

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

async fn act(
    state: &AppState,
    origin: &RequestOrigin,
    request: PlatformRequest,
) -> Result<Value, ApiError> {
    let PlatformRequest::Survey(request) = request else {
        return Ok(ignored(
            "unhandled_topic",
            "orders and refunds are reward-referral's",
        ));
    };
    let order_id = request.order_id.to_string();
    let links_base = origin.base_url(state.public_base_url.as_ref())?;
    let decision = state.surveys.request(*request, &links_base).await;
    Ok(match decision {
        Ok(SurveyDecision::Sent(token)) => {
            json!({"handled": "survey", "order_id": order_id, "status": "sent", "survey_id": token.survey_id().to_string()})
        }
        Ok(SurveyDecision::Skipped(reason)) => {
            json!({"handled": "survey", "order_id": order_id, "status": "skipped", "reason": reason.as_str()})
        }
        // The order's survey was asked for before with other details (a second fulfilment,
        // an edited address): the first request stands.
        Err(domain::services::SurveyError::IdempotencyConflict) => {
            json!({"handled": "survey", "order_id": order_id, "status": "already_requested"})
        }
        Err(error) => return Err(error.into()),
    })
}
