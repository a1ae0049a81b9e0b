//! The survey's pages: `GET /s/{token}` shows the form, `POST /s/{token}` records the answer
//! (a page for the form, JSON for a JSON client).

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::model::{Comment, Locale, Score, SurveyToken, MAX_COMMENT_CHARS};
use domain::services::SurveyError;
use domain::texts::{text, text_with, Arg};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use web::{read_body, ApiError, Params, PathText, BODY_LIMIT};

use crate::{pages, AppState};

/// `POST /s/{token}`'s fields, as a form (the page, RFC 8058 senders) or as JSON.
#[derive(ToSchema)]
#[allow(
    dead_code,
    reason = "describes the body for the API document; read_fields reads it"
)]
pub(crate) struct Answer {
    #[schema(schema_with = web::field_schemas::score)]
    score: u8,
    #[schema(schema_with = web::field_schemas::comment)]
    comment: Option<String>,
}

/// `POST /s/{token}`'s answer to a JSON client.
#[derive(Serialize, ToSchema)]
pub(crate) struct AnswerBody {
    #[schema(schema_with = web::field_schemas::survey_id)]
    survey_id: String,
    score: u8,
    /// `promoter`, `passive` or `detractor`.
    category: &'static str,
    /// A promoter's own share link.
    referral_link: Option<String>,
    /// A promoter's own referral page (share buttons, friends' progress, rewards), when `REFERRAL_BASE_URL` is set.
    page_url: Option<String>,
}

/// `GET /s/{token}`'s query: what the mail's score link preselects.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct SurveyPageParams {
    /// The score to preselect.
    #[param(value_type = Option<u8>, minimum = 0, maximum = 10)]
    score: Option<String>,
}

/// `GET /s/{token}?score=N`: the form with N preselected. Never writes: mail scanners fetch
/// every link in a message, and that must not cast a vote.
#[utoipa::path(
    get,
    path = "/s/{token}",
    tag = "survey pages",
    params(
        ("token" = String, Path, description = "The survey's link token"),
        SurveyPageParams,
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
    token: PathText,
    params: Result<Params<SurveyPageParams>, ApiError>,
    headers: HeaderMap,
) -> Response {
    let fallback = pages::choose_locale(None, &headers, state.default_locale);
    let Some(token) = token.parsed(SurveyToken::parse) else {
        return pages::not_found(fallback);
    };
    let survey = match state.surveys.open(&token).await {
        Ok(survey) => survey,
        Err(error) => return survey_error_page(error, fallback, &headers, state.default_locale),
    };
    let locale = pages::choose_locale(survey.locale, &headers, state.default_locale);
    // A query that cannot be read (a score given twice) is a bad score too.
    let Ok(Params(params)) = params else {
        return pages::bad_score(locale);
    };
    let selected = match params.score.as_deref().map(Score::parse) {
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
        (status = 400, description = "A score outside 0–10 or a comment that is too long: the form again with the problem named, or `invalid_field`; a body that cannot be read: `bad_request`, `invalid_json`", content(
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
    token: PathText,
    request: Request,
) -> Response {
    let headers = request.headers().clone();
    let wants_json = accepts_json(&headers);
    let fallback = pages::choose_locale(None, &headers, state.default_locale);
    let Some(token) = token.parsed(SurveyToken::parse) else {
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
                    format!("must be a whole number from 0 to {}", Score::MAX)
                } else {
                    format!("must be at most {MAX_COMMENT_CHARS} characters")
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

pub(crate) fn survey_error_page(
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
