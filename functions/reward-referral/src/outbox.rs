//! The operators' view of the outbox: what is pending or failed and why, and a requeue.

use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use base64::Engine;
use domain::model::{rfc3339, MessageId};
use domain::ports::{MessageStatus, MessageSummary, PageCursor};
use domain::services::MAX_PAGE;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use web::ApiError;

use crate::AppState;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListQuery {
    /// `pending` or `failed` (default).
    #[param(pattern = "^(pending|failed)$")]
    status: Option<String>,
    /// 1–100, default 50.
    #[param(pattern = "^[1-9][0-9]?$|^100$")]
    limit: Option<String>,
    /// The previous page's `next_cursor`.
    cursor: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct MessagesBody {
    messages: Vec<MessageBody>,
    /// Pass as `cursor` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    next_cursor: Option<String>,
}

#[derive(Serialize, ToSchema)]
struct MessageBody {
    id: String,
    /// `reward_mail`, `survey_mail`, `detractor_alert`, `discount_create`, `discount_deactivate` or
    /// an event type.
    kind: &'static str,
    /// The business id: `order:<id>`, `survey:<id>`, `customer:<id>`, `coupon:<code>`.
    reference: String,
    status: &'static str,
    attempts: u32,
    next_attempt_at: Option<String>,
    last_error: Option<String>,
    created_at: String,
}

impl From<&MessageSummary> for MessageBody {
    fn from(message: &MessageSummary) -> Self {
        Self {
            id: message.id.to_string(),
            kind: message.kind.as_str(),
            reference: message.reference.clone(),
            status: message.status.as_str(),
            attempts: message.attempts,
            next_attempt_at: message.next_attempt_at.map(rfc3339),
            last_error: message.last_error.clone(),
            created_at: rfc3339(message.created_at),
        }
    }
}

/// `GET /outbox/messages?status=pending|failed&limit=&cursor=`: latest first.
#[utoipa::path(
    get,
    path = "/outbox/messages",
    tag = "outbox",
    params(ListQuery),
    responses(
        (status = 200, description = "One page of messages: pending by next attempt, failed by failure time, latest first", body = MessagesBody),
        (status = 400, description = "`invalid_field` naming `status`, `limit` or `cursor`, or `bad_request` for a query that cannot be read", body = web::ErrorEnvelope),
    ),
    security(("staff_key" = []))
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn list(
    State(state): State<Arc<AppState>>,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<MessagesBody>, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let status = match query.status.as_deref().unwrap_or("failed") {
        "pending" => MessageStatus::Pending,
        "failed" => MessageStatus::Failed,
        _ => {
            return Err(ApiError::invalid_field(
                "status",
                "must be pending or failed",
            ))
        }
    };
    let limit = page_limit(query.limit.as_deref())?;
    let cursor = query
        .cursor
        .as_deref()
        .map(|raw| {
            let (listed_at, id) = decode_cursor(raw)?;
            Ok(PageCursor {
                listed_at,
                id: MessageId::parse(&id).map_err(|_| ())?,
            })
        })
        .transpose()
        .map_err(|()| cursor_refused())?;
    let page = state.messages.list(status, limit, cursor.as_ref()).await?;
    Ok(Json(MessagesBody {
        messages: page.messages.iter().map(MessageBody::from).collect(),
        next_cursor: page
            .next
            .as_ref()
            .map(|next| encode_cursor(next.listed_at, next.id.as_ref())),
    }))
}

#[derive(Serialize, ToSchema)]
pub(crate) struct RequeuedBody {
    id: String,
    /// Always `pending`.
    status: &'static str,
}

/// `POST /outbox/messages/{id}/requeue`: a failed message becomes pending and due now.
#[utoipa::path(
    post,
    path = "/outbox/messages/{id}/requeue",
    tag = "outbox",
    params(("id" = String, Path, description = "A message id from the listing")),
    responses(
        (status = 202, description = "Pending again, with a fresh retry schedule, due at once", body = RequeuedBody),
        (status = 404, description = "`not_found`: no such message", body = web::ErrorEnvelope),
        (status = 409, description = "`not_failed`: only a failed message can be requeued", body = web::ErrorEnvelope),
    ),
    security(("staff_key" = []))
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn requeue(
    State(state): State<Arc<AppState>>,
    id: Result<Path<String>, PathRejection>,
) -> Result<(StatusCode, Json<RequeuedBody>), ApiError> {
    let id = id
        .ok()
        .and_then(|Path(raw)| MessageId::parse(&raw).ok())
        .ok_or_else(|| ApiError::NotFound("no such message".into()))?;
    state.messages.requeue(&id).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(RequeuedBody {
            id: id.as_ref().to_owned(),
            status: "pending",
        }),
    ))
}

/// A listing's `limit`: 1–100, 50 when absent.
pub(crate) fn page_limit(raw: Option<&str>) -> Result<usize, ApiError> {
    match raw {
        None => Ok(50),
        Some(raw) => raw
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_PAGE).contains(n))
            .ok_or_else(|| {
                ApiError::invalid_field("limit", format!("must be a whole number 1–{MAX_PAGE}"))
            }),
    }
}

pub(crate) fn cursor_refused() -> ApiError {
    ApiError::invalid_field("cursor", "is not a cursor this route handed out")
}

/// A listing's cursor, opaque to clients: base64url of `<time>|<id>`, the last listed item's.
pub(crate) fn encode_cursor(at: chrono::DateTime<chrono::Utc>, id: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{}|{id}", rfc3339(at)))
}

pub(crate) fn decode_cursor(raw: &str) -> Result<(chrono::DateTime<chrono::Utc>, String), ()> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(raw)
        .map_err(|_| ())?;
    let text = String::from_utf8(bytes).map_err(|_| ())?;
    let (at, id) = text.split_once('|').ok_or(())?;
    let at = chrono::DateTime::parse_from_rfc3339(at)
        .map_err(|_| ())?
        .with_timezone(&chrono::Utc);
    Ok((at, id.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let at = chrono::DateTime::parse_from_rfc3339("2026-11-30T10:00:00.123Z")
            .expect("time")
            .with_timezone(&chrono::Utc);
        let id = MessageId::derive(&["x"]).to_string();
        assert_eq!(decode_cursor(&encode_cursor(at, &id)), Ok((at, id)));
        for bad in ["", "!!", "bm9waXBl"] {
            assert!(decode_cursor(bad).is_err(), "{bad}");
        }
    }
}
