//! The storefront's and staff's JSON routes: `POST /surveys` and a detractor's follow-up.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::model::{
    CustomerId, CustomerName, Email, FollowUpNote, FollowUpStatus, Locale, OrderId, Segment,
    SurveyDecision, SurveyId, SurveyRequest,
};
use serde::Serialize;
use utoipa::ToSchema;
use web::{ApiError, FollowUpBody, JsonFields, PathText, RequestOrigin};

use crate::AppState;

/// `POST /surveys`'s body, read field by field by [`JsonFields`] so each error names its field.
#[derive(ToSchema)]
#[allow(
    dead_code,
    reason = "describes the body for the API document; JsonFields reads it"
)]
pub(crate) struct RequestSurvey {
    /// One survey per order: the key of replays.
    #[schema(schema_with = web::field_schemas::order_id)]
    order_id: String,
    /// The customer who ordered.
    #[serde(flatten)]
    customer: web::openapi::CustomerFields,
    #[schema(schema_with = web::field_schemas::segment)]
    segment: Option<String>,
}

/// `POST /surveys`'s answer.
#[derive(Serialize, ToSchema)]
pub(crate) struct SurveyRequestBody {
    /// The survey's public id `srv_…` (with `sent`): the id `GET /responses`, the follow-up
    /// route and the `survey.*` events use. The link token stays in the customer's mail.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = web::field_schemas::survey_id)]
    survey_id: Option<String>,
    /// `sent` or `skipped`.
    status: &'static str,
    /// Why nothing was sent: `throttled` or `unsubscribed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'static str>,
}

/// `POST /surveys`: 201 when the mail goes out, 200 when skipped; replays answer the same.
#[utoipa::path(
    post,
    path = "/surveys",
    tag = "surveys",
    request_body = RequestSurvey,
    responses(
        (status = 201, description = "`sent`: the mail is in the outbox", body = SurveyRequestBody),
        (status = 200, description = "`skipped`, with the `reason`", body = SurveyRequestBody),
        (status = 400, description = "`invalid_json`, `invalid_field` (with `field`), or `bad_request` when no valid `Host` lets the links be built", body = web::ErrorEnvelope),
        (status = 409, description = "`idempotency_conflict`: this order already has a survey request with another body", body = web::ErrorEnvelope),
    ),
    security(("storefront_key" = []))
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn request_survey(
    State(state): State<Arc<AppState>>,
    origin: RequestOrigin,
    body: JsonFields,
) -> Result<Response, ApiError> {
    let request = SurveyRequest {
        order_id: body.required("order_id", OrderId::parse)?,
        customer_id: body.required("customer_id", CustomerId::parse)?,
        email: body.required("email", Email::parse)?,
        name: body.optional("name", CustomerName::parse)?,
        locale: body.optional("locale", Locale::parse)?,
        segment: body.optional("segment", Segment::parse)?,
    };
    let links_base = origin.base_url(state.public_base_url.as_ref())?;
    let response = match state.surveys.request(request, &links_base).await? {
        SurveyDecision::Sent(token) => (
            StatusCode::CREATED,
            Json(SurveyRequestBody {
                survey_id: Some(token.survey_id().as_ref().to_owned()),
                status: "sent",
                reason: None,
            }),
        ),
        SurveyDecision::Skipped(reason) => (
            StatusCode::OK,
            Json(SurveyRequestBody {
                survey_id: None,
                status: "skipped",
                reason: Some(reason.as_str()),
            }),
        ),
    };
    Ok(response.into_response())
}

/// `POST /responses/{survey_id}/follow-up` `{"status", "note"?}`: support closes the loop on a
/// detractor. Here, not on score-nps, because this function's role may write surveys.
#[utoipa::path(
    post,
    path = "/responses/{survey_id}/follow-up",
    tag = "feedback",
    params(("survey_id" = String, Path, description = "The answer's public id `srv_…`")),
    request_body = SetFollowUp,
    responses(
        (status = 200, description = "The follow-up as it now stands", body = FollowedUpBody),
        (status = 404, description = "`not_found`: no such survey", body = web::ErrorEnvelope),
        (status = 409, description = "`no_follow_up`: the answer was never a detractor's", body = web::ErrorEnvelope),
    ),
    security(("staff_key" = []))
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn follow_up(
    State(state): State<Arc<AppState>>,
    survey_id: PathText,
    body: JsonFields,
) -> Result<Json<FollowedUpBody>, ApiError> {
    let survey_id = survey_id.found(SurveyId::parse, "no such survey")?;
    let status = body.required("status", FollowUpStatus::parse)?;
    let note = body.optional("note", FollowUpNote::parse)?.flatten();
    let follow_up = state.follow_ups.record(&survey_id, status, note).await?;
    Ok(Json(FollowedUpBody {
        survey_id: survey_id.as_ref().to_owned(),
        follow_up: FollowUpBody::from(&follow_up),
    }))
}

/// `POST /responses/{survey_id}/follow-up`'s body.
#[derive(ToSchema)]
#[allow(
    dead_code,
    reason = "describes the body for the API document; JsonFields reads it"
)]
pub(crate) struct SetFollowUp {
    /// `open`, `contacted` or `resolved`.
    #[schema(pattern = "^(open|contacted|resolved)$", example = "contacted")]
    status: String,
    #[schema(schema_with = web::field_schemas::follow_up_note)]
    note: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct FollowedUpBody {
    survey_id: String,
    follow_up: FollowUpBody,
}
