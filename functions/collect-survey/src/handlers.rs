use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::model::{
    Comment, CustomerId, CustomerName, Email, FollowUpNote, FollowUpStatus, Locale, OrderId, Score,
    Segment, SurveyDecision, SurveyId, SurveyRequest, SurveyToken,
};
use domain::services::SurveyError;
use http_body_util::{BodyExt, Limited};
use serde_json::{json, Value};
use web::{ApiError, FollowUpBody, JsonFields, RequestOrigin, BODY_LIMIT};

use crate::{pages, AppState};

/// `POST /surveys`: 201 when the mail goes out, 200 when skipped; replays answer the same.
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
            Json(json!({"survey_id": token.to_string(), "status": "sent"})),
        ),
        SurveyDecision::Skipped(reason) => (
            StatusCode::OK,
            Json(json!({"status": "skipped", "reason": reason.as_str()})),
        ),
    };
    Ok(response.into_response())
}

/// `POST /responses/{survey_id}/follow-up` `{"status", "note"?}`: support closes the loop on a
/// detractor. Here, not on score-nps, because this function's role may write surveys.
#[tracing::instrument(skip_all)]
pub(crate) async fn follow_up(
    State(state): State<Arc<AppState>>,
    Path(raw_id): Path<String>,
    body: JsonFields,
) -> Result<Response, ApiError> {
    let survey_id =
        SurveyId::parse(&raw_id).map_err(|_| ApiError::NotFound("no such survey".into()))?;
    let status = body.required("status", FollowUpStatus::parse)?;
    let note = body.optional("note", FollowUpNote::parse)?.flatten();
    let follow_up = state.surveys.follow_up(&survey_id, status, note).await?;
    Ok(Json(json!({
        "survey_id": survey_id.as_ref(),
        "follow_up": FollowUpBody::from(&follow_up),
    }))
    .into_response())
}

/// `GET /s/{token}?score=N`: the form with N preselected. Never writes: mail scanners fetch
/// every link in a message, and that must not cast a vote.
#[tracing::instrument(skip_all)]
pub(crate) async fn survey_page(
    State(state): State<Arc<AppState>>,
    Path(raw_token): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let fallback = pages::choose_locale(None, &headers, state.default_locale);
    let Ok(token) = SurveyToken::parse(&raw_token) else {
        return pages::not_found(fallback);
    };
    let survey = match state.surveys.open(&token).await {
        Ok(survey) => survey,
        Err(error) => return survey_error_page(error, fallback, &headers, state.default_locale),
    };
    let locale = pages::choose_locale(survey.locale, &headers, state.default_locale);
    let selected = match query.get("score").map(|raw| Score::parse(raw)) {
        None => survey.answer.as_ref().map(|a| a.score),
        Some(Ok(score)) => Some(score),
        Some(Err(_)) => return pages::bad_score(locale),
    };
    let comment = survey
        .answer
        .as_ref()
        .and_then(|a| a.comment.as_ref())
        .map(AsRef::as_ref);
    pages::survey_form(locale, &state.shop_name, selected, comment, None)
}

/// `POST /s/{token}`: records or changes the answer; form posts get a page, JSON clients JSON.
#[tracing::instrument(skip_all)]
pub(crate) async fn answer(
    State(state): State<Arc<AppState>>,
    Path(raw_token): Path<String>,
    request: Request,
) -> Response {
    let headers = request.headers().clone();
    let wants_json = accepts_json(&headers);
    let fallback = pages::choose_locale(None, &headers, state.default_locale);
    let Ok(token) = SurveyToken::parse(&raw_token) else {
        return if wants_json {
            ApiError::NotFound("no such survey".into()).into_response()
        } else {
            pages::not_found(fallback)
        };
    };
    let fields = match read_fields(&headers, request).await {
        Ok(fields) => fields,
        Err(error) => return error.into_response(),
    };
    let score = fields
        .get("score")
        .ok_or(())
        .and_then(|raw| Score::parse(raw).map_err(|_| ()));
    let comment = Comment::parse(fields.get("comment").map_or("", String::as_str));
    let (score, comment) = match (score, comment) {
        (Ok(score), Ok(comment)) => (score, comment),
        (score, _) => {
            if wants_json {
                let field = if score.is_err() { "score" } else { "comment" };
                let message = if score.is_err() {
                    "must be a whole number from 0 to 10"
                } else {
                    "must be at most 2000 characters"
                };
                return ApiError::invalid_field(field, message).into_response();
            }
            return invalid_answer_page(
                &state,
                &token,
                &headers,
                fields.get("comment").map(String::as_str),
                score.is_err(),
            )
            .await;
        }
    };
    match state.surveys.answer(&token, score, comment).await {
        Ok(receipt) if wants_json => Json(json!({
            "survey_id": token.to_string(),
            "score": receipt.score.value(),
            "category": receipt.category.as_str(),
            "referral_link": receipt.referral_link,
        }))
        .into_response(),
        Ok(receipt) => {
            let locale =
                pages::choose_locale(receipt.survey.locale, &headers, state.default_locale);
            pages::thank_you(
                locale,
                &state.shop_name,
                receipt.category,
                receipt.referral_link.as_deref(),
            )
        }
        Err(error) if wants_json => ApiError::from(error).into_response(),
        Err(error) => survey_error_page(error, fallback, &headers, state.default_locale),
    }
}

/// The form again with the customer's comment kept and the problem named.
async fn invalid_answer_page(
    state: &AppState,
    token: &SurveyToken,
    headers: &HeaderMap,
    comment: Option<&str>,
    bad_score: bool,
) -> Response {
    let fallback = pages::choose_locale(None, headers, state.default_locale);
    let survey = match state.surveys.open(token).await {
        Ok(survey) => survey,
        Err(error) => return survey_error_page(error, fallback, headers, state.default_locale),
    };
    let locale = pages::choose_locale(survey.locale, headers, state.default_locale);
    let message = match (locale, bad_score) {
        (Locale::De, true) => "Bitte wählen Sie eine Bewertung von 0 bis 10.",
        (Locale::De, false) => "Ihr Kommentar ist zu lang (höchstens 2000 Zeichen).",
        (Locale::En, true) => "Please choose a rating from 0 to 10.",
        (Locale::En, false) => "Your comment is too long (at most 2000 characters).",
    };
    pages::survey_form(locale, &state.shop_name, None, comment, Some(message))
}

/// `GET /u/{token}`: asks for confirmation; changes nothing.
#[tracing::instrument(skip_all)]
pub(crate) async fn unsubscribe_page(
    State(state): State<Arc<AppState>>,
    Path(raw_token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let fallback = pages::choose_locale(None, &headers, state.default_locale);
    let Ok(token) = SurveyToken::parse(&raw_token) else {
        return pages::not_found(fallback);
    };
    match state.surveys.find(&token).await {
        Ok(survey) => pages::unsubscribe_confirm(
            pages::choose_locale(survey.locale, &headers, state.default_locale),
            &state.shop_name,
        ),
        Err(error) => survey_error_page(error, fallback, &headers, state.default_locale),
    }
}

/// `POST /u/{token}`: the confirmation button and RFC 8058 one-click (`List-Unsubscribe=One-Click`).
#[tracing::instrument(skip_all)]
pub(crate) async fn unsubscribe(
    State(state): State<Arc<AppState>>,
    Path(raw_token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let fallback = pages::choose_locale(None, &headers, state.default_locale);
    let Ok(token) = SurveyToken::parse(&raw_token) else {
        return pages::not_found(fallback);
    };
    match state.surveys.unsubscribe(&token).await {
        Ok(survey) => pages::unsubscribed(
            pages::choose_locale(survey.locale, &headers, state.default_locale),
            &state.shop_name,
        ),
        Err(error) => survey_error_page(error, fallback, &headers, state.default_locale),
    }
}

fn survey_error_page(
    error: SurveyError,
    fallback: Locale,
    headers: &HeaderMap,
    default: Locale,
) -> Response {
    match error {
        SurveyError::NotFound => pages::not_found(fallback),
        SurveyError::Expired { survey } => {
            pages::expired(pages::choose_locale(survey.locale, headers, default))
        }
        other => {
            tracing::error!(error = %other, "survey page failed");
            pages::server_error(fallback)
        }
    }
}

fn accepts_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("application/json"))
}

/// The answer's fields from a form post (the page, RFC 8058 senders) or a JSON body.
async fn read_fields(
    headers: &HeaderMap,
    request: Request,
) -> Result<HashMap<String, String>, ApiError> {
    let bytes: Bytes = Limited::new(request.into_body(), BODY_LIMIT)
        .collect()
        .await
        .map_err(|_| ApiError::PayloadTooLarge { limit: BODY_LIMIT })?
        .to_bytes();
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.trim_start().starts_with("application/json"));
    if !is_json {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes)
            .map_err(|e| ApiError::BadRequest(format!("form body is malformed: {e}")))?;
        return Ok(pairs.into_iter().collect());
    }
    let Value::Object(object) =
        serde_json::from_slice(&bytes).map_err(|e| ApiError::InvalidJson(e.to_string()))?
    else {
        return Err(ApiError::InvalidJson("expected a JSON object".into()));
    };
    Ok(object
        .into_iter()
        .filter_map(|(key, value)| match value {
            Value::String(text) => Some((key, text)),
            Value::Number(number) => Some((key, number.to_string())),
            _ => None,
        })
        .collect())
}
