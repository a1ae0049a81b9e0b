use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::model::{
    Comment, CustomerId, CustomerName, Email, FollowUpNote, FollowUpStatus, Locale, OrderId, Score,
    Segment, SurveyDecision, SurveyId, SurveyRequest, SurveyToken, UnsubscribeKey,
    MAX_COMMENT_CHARS,
};
use domain::services::SurveyError;
use domain::texts::{text, text_with, Arg};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use web::{read_body, ApiError, FollowUpBody, JsonFields, PathText, RequestOrigin, BODY_LIMIT};

use crate::{pages, AppState};

/// `POST /surveys`'s body, read field by field by [`JsonFields`] so each error names its field.
#[derive(ToSchema)]
#[allow(
    dead_code,
    reason = "describes the body for the API document; JsonFields reads it"
)]
pub(crate) struct RequestSurvey {
    /// One survey per order: the key of replays.
    #[schema(
        min_length = 1,
        max_length = 128,
        pattern = "^[!-~]+$",
        example = "o-1001"
    )]
    order_id: String,
    /// The customer who ordered.
    #[serde(flatten)]
    customer: web::openapi::CustomerFields,
    /// What the shop wants NPS by (a product category, a sales channel): 1–64 characters.
    #[schema(max_length = 64, example = "shoes")]
    segment: Option<String>,
}

/// `POST /surveys`'s answer.
#[derive(Serialize, ToSchema)]
pub(crate) struct SurveyRequestBody {
    /// The survey's public id `srv_…` (with `sent`): the id `GET /responses`, the follow-up
    /// route and the `survey.*` events use. The link token stays in the customer's mail.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(
        pattern = "^srv_[0-9a-f]{32}$",
        example = "srv_0f1e2d3c4b5a69788796a5b4c3d2e1f0"
    )]
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
    PathText(raw_id): PathText,
    body: JsonFields,
) -> Result<Json<FollowedUpBody>, ApiError> {
    let survey_id = raw_id
        .and_then(|raw| SurveyId::parse(&raw).ok())
        .ok_or_else(|| ApiError::NotFound("no such survey".into()))?;
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
    /// Support's note, ≤ 2000 characters; `null` or absent keeps none.
    #[schema(max_length = 2000)]
    note: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct FollowedUpBody {
    survey_id: String,
    follow_up: FollowUpBody,
}

/// `POST /s/{token}`'s fields, as a form (the page, RFC 8058 senders) or as JSON.
#[derive(ToSchema)]
#[allow(
    dead_code,
    reason = "describes the body for the API document; read_fields reads it"
)]
pub(crate) struct Answer {
    #[schema(minimum = 0, maximum = 10)]
    score: u8,
    #[schema(max_length = 2000)]
    comment: Option<String>,
}

/// `POST /s/{token}`'s answer to a JSON client.
#[derive(Serialize, ToSchema)]
pub(crate) struct AnswerBody {
    /// The survey's public id `srv_…`, as `GET /responses` names it.
    #[schema(pattern = "^srv_[0-9a-f]{32}$")]
    survey_id: String,
    score: u8,
    /// `promoter`, `passive` or `detractor`.
    category: &'static str,
    /// A promoter's own share link.
    referral_link: Option<String>,
    /// A promoter's own referral page (share buttons, friends' progress, rewards), when `REFERRAL_BASE_URL` is set.
    page_url: Option<String>,
}

/// `GET /s/{token}?score=N`: the form with N preselected. Never writes: mail scanners fetch
/// every link in a message, and that must not cast a vote.
#[utoipa::path(
    get,
    path = "/s/{token}",
    tag = "survey pages",
    params(
        ("token" = String, Path, description = "The survey's link token"),
        ("score" = Option<u8>, Query, minimum = 0, maximum = 10, description = "The score to preselect"),
    ),
    responses(
        (status = 200, description = "The 0–10 scale with the score preselected, a comment box and one button", content_type = "text/html", body = String),
        (status = 400, description = "A score outside 0–10", content_type = "text/html", body = String),
        (status = 404, description = "No such survey", content_type = "text/html", body = String),
        (status = 410, description = "The survey no longer accepts answers", content_type = "text/html", body = String),
        (status = 500, description = "A failure of ours", content_type = "text/html", body = String),
    )
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn survey_page(
    State(state): State<Arc<AppState>>,
    PathText(raw_token): PathText,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let fallback = pages::choose_locale(None, &headers, state.default_locale);
    let Some(token) = raw_token.and_then(|raw| SurveyToken::parse(&raw).ok()) else {
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
    pages::survey_form(locale, &state.shop, selected, comment, None)
}

/// `POST /s/{token}`: records or changes the answer; form posts get a page, JSON clients
/// (`Accept: application/json`) JSON.
#[utoipa::path(
    post,
    path = "/s/{token}",
    tag = "survey pages",
    params(("token" = String, Path, description = "The survey's link token")),
    request_body(content(
        (Answer = "application/x-www-form-urlencoded"),
        (Answer = "application/json"),
    )),
    responses(
        (status = 200, description = "The answer is recorded: the thank-you page, or JSON", content(
            (String = "text/html"),
            (AnswerBody = "application/json"),
        )),
        (status = 400, description = "A score outside 0–10 or a comment over 2000 characters: the form again with the problem named, or `invalid_field`; a body that cannot be read: `bad_request`, `invalid_json`", content(
            (String = "text/html"),
            (web::ErrorEnvelope = "application/json"),
        )),
        (status = 404, description = "No such survey", content(
            (String = "text/html"),
            (web::ErrorEnvelope = "application/json"),
        )),
        (status = 410, description = "`expired`: the survey no longer accepts answers", content(
            (String = "text/html"),
            (web::ErrorEnvelope = "application/json"),
        )),
        (status = 500, description = "A failure of ours", content(
            (String = "text/html"),
            (web::ErrorEnvelope = "application/json"),
        )),
    )
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn answer(
    State(state): State<Arc<AppState>>,
    PathText(raw_token): PathText,
    request: Request,
) -> Response {
    let headers = request.headers().clone();
    let wants_json = accepts_json(&headers);
    let fallback = pages::choose_locale(None, &headers, state.default_locale);
    let Some(token) = raw_token.and_then(|raw| SurveyToken::parse(&raw).ok()) else {
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
        Ok(receipt) if wants_json => Json(AnswerBody {
            survey_id: token.survey_id().as_ref().to_owned(),
            score: receipt.score.value(),
            category: receipt.category.as_str(),
            referral_link: receipt.referral_link,
            page_url: receipt.page_url,
        })
        .into_response(),
        Ok(receipt) => {
            let locale =
                pages::choose_locale(receipt.survey.locale, &headers, state.default_locale);
            pages::thank_you(
                locale,
                &state.shop,
                receipt.category,
                receipt.referral_link.as_deref(),
                receipt.page_url.as_deref(),
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
    let message = if bad_score {
        text(locale, "survey-error-score").into_owned()
    } else {
        text_with(
            locale,
            "survey-error-comment-too-long",
            &[("max", Arg::from(MAX_COMMENT_CHARS))],
        )
    };
    pages::survey_form(locale, &state.shop, None, comment, Some(&message))
}

/// `GET /u/{token}`: asks for confirmation; changes nothing.
#[utoipa::path(
    get,
    path = "/u/{token}",
    tag = "survey pages",
    params(("token" = String, Path, description = "The survey's link token")),
    responses(
        (status = 200, description = "The confirmation page with one button", content_type = "text/html", body = String),
        (status = 404, description = "No such survey", content_type = "text/html", body = String),
        (status = 500, description = "A failure of ours", content_type = "text/html", body = String),
    )
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn unsubscribe_page(
    State(state): State<Arc<AppState>>,
    PathText(raw_token): PathText,
    headers: HeaderMap,
) -> Response {
    let fallback = pages::choose_locale(None, &headers, state.default_locale);
    let Some(token) = raw_token.and_then(|raw| SurveyToken::parse(&raw).ok()) else {
        return pages::not_found(fallback);
    };
    match state.surveys.find(&token).await {
        Ok(survey) => pages::unsubscribe_confirm(
            pages::choose_locale(survey.locale, &headers, state.default_locale),
            &state.shop.name,
        ),
        Err(error) => survey_error_page(error, fallback, &headers, state.default_locale),
    }
}

/// `POST /u/{token}`: the confirmation button and RFC 8058 one-click (`List-Unsubscribe=One-Click`).
#[utoipa::path(
    post,
    path = "/u/{token}",
    tag = "survey pages",
    params(("token" = String, Path, description = "The survey's link token")),
    responses(
        (status = 200, description = "\"You are unsubscribed\"", content_type = "text/html", body = String),
        (status = 404, description = "No such survey", content_type = "text/html", body = String),
        (status = 500, description = "A failure of ours", content_type = "text/html", body = String),
    )
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn unsubscribe(
    State(state): State<Arc<AppState>>,
    PathText(raw_token): PathText,
    headers: HeaderMap,
) -> Response {
    let fallback = pages::choose_locale(None, &headers, state.default_locale);
    let Some(token) = raw_token.and_then(|raw| SurveyToken::parse(&raw).ok()) else {
        return pages::not_found(fallback);
    };
    match state.surveys.unsubscribe(&token).await {
        Ok(survey) => pages::unsubscribed(
            pages::choose_locale(survey.locale, &headers, state.default_locale),
            &state.shop.name,
        ),
        Err(error) => survey_error_page(error, fallback, &headers, state.default_locale),
    }
}

/// A customer's own unsubscribe link's parameters, parsed; `None` for anything that is not one.
fn customer_link(
    path: Result<Path<(String, String)>, PathRejection>,
) -> Option<(CustomerId, UnsubscribeKey)> {
    let Path((customer, key)) = path.ok()?;
    Some((
        CustomerId::parse(&customer).ok()?,
        UnsubscribeKey::parse(&key).ok()?,
    ))
}

/// `GET /u/c/{customer_id}/{key}`: the win-back mail's unsubscribe link; asks for confirmation,
/// changes nothing.
#[utoipa::path(
    get,
    path = "/u/c/{customer_id}/{key}",
    tag = "survey pages",
    params(
        ("customer_id" = String, Path, description = "The shop's id for the customer"),
        ("key" = String, Path, description = "The link's key, as the mail carries it"),
    ),
    responses(
        (status = 200, description = "The confirmation page with one button", content_type = "text/html", body = String),
        (status = 404, description = "Not a customer's unsubscribe link", content_type = "text/html", body = String),
    )
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn unsubscribe_customer_page(
    State(state): State<Arc<AppState>>,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
) -> Response {
    let locale = pages::choose_locale(None, &headers, state.default_locale);
    match customer_link(path) {
        Some((customer, key)) if state.surveys.opens_unsubscribe(&customer, &key) => {
            pages::unsubscribe_confirm(locale, &state.shop.name)
        }
        _ => pages::not_found(locale),
    }
}

/// `POST /u/c/{customer_id}/{key}`: the confirmation button and RFC 8058 one-click: opts the
/// address of the customer's profile out of surveys and win-back mails.
#[utoipa::path(
    post,
    path = "/u/c/{customer_id}/{key}",
    tag = "survey pages",
    params(
        ("customer_id" = String, Path, description = "The shop's id for the customer"),
        ("key" = String, Path, description = "The link's key, as the mail carries it"),
    ),
    responses(
        (status = 200, description = "\"You are unsubscribed\"", content_type = "text/html", body = String),
        (status = 404, description = "Not a customer's unsubscribe link, or a customer without a profile", content_type = "text/html", body = String),
        (status = 500, description = "A failure of ours", content_type = "text/html", body = String),
    )
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn unsubscribe_customer(
    State(state): State<Arc<AppState>>,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
) -> Response {
    let fallback = pages::choose_locale(None, &headers, state.default_locale);
    let Some((customer, key)) = customer_link(path) else {
        return pages::not_found(fallback);
    };
    match state.surveys.unsubscribe_customer(&customer, &key).await {
        Ok(opt_out) => pages::unsubscribed(
            pages::choose_locale(opt_out.locale, &headers, state.default_locale),
            &state.shop.name,
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

/// The answer's fields from a form post (the page, RFC 8058 senders) or a JSON body. A body
/// that opens a JSON object is JSON whatever its declared type, as on every JSON route (`curl
/// -d` declares a form); a form field never starts with `{`.
async fn read_fields(
    headers: &HeaderMap,
    request: Request,
) -> Result<HashMap<String, String>, ApiError> {
    let bytes = read_body(request.into_body(), BODY_LIMIT).await?;
    let declared_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.trim_start().starts_with("application/json"));
    let opens_an_object = bytes
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'{');
    let is_json = declared_json || opens_an_object;
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
