//! `POST /webhooks/shopify` and `POST /webhooks/woocommerce`: a fulfilled (Shopify) or
//! completed (WooCommerce) order asks for its survey, as `POST /surveys` would.

use domain::model::{SurveyDecision, SurveyRequest};
use serde::Serialize;
use web::{ApiError, RequestOrigin};

use crate::AppState;

web::webhook_route! {
    /// Shopify's `orders/fulfilled`: the order asks for its survey.
    pub(crate) fn shopify(state: AppState, origin: RequestOrigin) for Shopify => act
}

web::webhook_route! {
    /// WooCommerce's `order.updated` to `completed`: the order asks for its survey.
    pub(crate) fn woocommerce(state: AppState, origin: RequestOrigin) for WooCommerce => act
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
