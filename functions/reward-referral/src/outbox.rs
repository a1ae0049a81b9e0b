//! The operators' view of the outbox: what is pending or failed and why, and a requeue.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use domain::model::{rfc3339, MessageId};
use domain::ports::{MessageStatus, MessageSummary, PageCursor};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use web::{given, page_limit, ApiError, Cursor, Params, PathText, DEFAULT_PAGE, MAX_PAGE};

use crate::AppState;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListQuery {
    /// `pending` or `failed` (default).
    #[param(pattern = "^(pending|failed)?$")]
    status: Option<String>,
    /// 1–100, default 50.
    #[param(pattern = "^([1-9][0-9]?|100)?$")]
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
    Params(query): Params<ListQuery>,
) -> Result<Json<MessagesBody>, ApiError> {
    let status = match given(&query.status).unwrap_or("failed") {
        "pending" => MessageStatus::Pending,
        "failed" => MessageStatus::Failed,
        _ => {
            return Err(ApiError::invalid_field(
                "status",
                "must be pending or failed",
            ))
        }
    };
    let limit = page_limit(query.limit.as_deref(), DEFAULT_PAGE, MAX_PAGE)?;
    let cursor = Cursor::parse(query.cursor.as_deref(), |listed_at, id| {
        MessageId::parse(id).map(|id| PageCursor { listed_at, id })
    })?;
    let page = state.messages.list(status, limit, cursor.as_ref()).await?;
    Ok(Json(MessagesBody {
        messages: page.messages.iter().map(MessageBody::from).collect(),
        next_cursor: page
            .next
            .as_ref()
            .map(|next| Cursor::encode(next.listed_at, next.id.as_ref())),
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
    id: PathText,
) -> Result<(StatusCode, Json<RequeuedBody>), ApiError> {
    let id = id.found(MessageId::parse, "no such message")?;
    state.messages.requeue(&id).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(RequeuedBody {
            id: id.as_ref().to_owned(),
            status: "pending",
        }),
    ))
}
