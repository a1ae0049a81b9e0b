//! The one mapping from error to HTTP status and JSON body
//! (docs/architecture.md#wire-types-at-the-edge).

use std::error::Error;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use domain::model::ClaimRefusal;
use domain::ports::StoreError;
use domain::services::{
    ClaimError, CouponError, CustomerDataError, MessageError, OrderError, ReferralError,
    ReviewError, SurveyError,
};

/// Everything a handler can answer other than success.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("missing or invalid API key")]
    Unauthorized,
    #[error("missing or wrong webhook signature")]
    BadSignature,
    #[error("the delivery is from another shop than this stack's")]
    WrongShop,
    #[error("request body is not valid JSON: {0}")]
    InvalidJson(String),
    #[error("{field} {message}")]
    InvalidField { field: String, message: String },
    #[error("request body is larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    NotFound(String),
    #[error("method not allowed on this route")]
    MethodNotAllowed,
    /// The local stack answers only requests addressed to the loopback address it listens on.
    #[error("{0}")]
    Misdirected(String),
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error("{message}")]
    Gone { code: &'static str, message: String },
    /// Authenticated, but refused for where it came from, named by `code`.
    #[error("{message}")]
    Forbidden { code: &'static str, message: String },
    /// Understood and refused by a business rule, named by `code`.
    #[error("{message}")]
    Unprocessable { code: &'static str, message: String },
    #[error("the store is busy; retry shortly")]
    Unavailable,
    #[error("internal error: {0}")]
    Internal(#[source] Box<dyn Error + Send + Sync>),
}

/// Every error's body: `{"error": {"code", "message", "field"?}}`.
#[derive(Serialize, ToSchema)]
pub struct ErrorEnvelope {
    error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
struct ErrorDetail {
    /// A stable snake_case code: docs/api.md's error table lists them.
    #[schema(example = "invalid_field")]
    code: &'static str,
    /// For people, not for code: its wording may change.
    message: String,
    /// The request field or parameter at fault; only with `invalid_field`.
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<String>,
}

/// Seconds a client should wait before retrying after a 503.
const RETRY_AFTER_SECONDS: &str = "1";

impl ApiError {
    pub fn invalid_field(field: impl Into<String>, message: impl ToString) -> Self {
        Self::InvalidField {
            field: field.into(),
            message: message.to_string(),
        }
    }

    pub fn internal(error: impl Into<Box<dyn Error + Send + Sync>>) -> Self {
        Self::Internal(error.into())
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::Unauthorized | Self::BadSignature | Self::WrongShop => StatusCode::UNAUTHORIZED,
            Self::InvalidJson(_) | Self::InvalidField { .. } | Self::BadRequest(_) => {
                StatusCode::BAD_REQUEST
            }
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Misdirected(_) => StatusCode::MISDIRECTED_REQUEST,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::Gone { .. } => StatusCode::GONE,
            Self::Forbidden { .. } => StatusCode::FORBIDDEN,
            Self::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthorized => "unauthorized",
            Self::BadSignature => "bad_signature",
            Self::WrongShop => "wrong_shop",
            Self::InvalidJson(_) => "invalid_json",
            Self::InvalidField { .. } => "invalid_field",
            Self::PayloadTooLarge { .. } => "payload_too_large",
            Self::BadRequest(_) => "bad_request",
            Self::NotFound(_) => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::Misdirected(_) => "misdirected_request",
            Self::Conflict { code, .. }
            | Self::Gone { code, .. }
            | Self::Forbidden { code, .. }
            | Self::Unprocessable { code, .. } => code,
            Self::Unavailable => "unavailable",
            Self::Internal(_) => "internal",
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let message = match &self {
            Self::Internal(source) => {
                tracing::error!(error = %error_chain(source.as_ref()), "request failed");
                "internal error".to_owned()
            }
            other => other.to_string(),
        };
        let field = match &self {
            Self::InvalidField { field, .. } => Some(field.clone()),
            _ => None,
        };
        let body = ErrorEnvelope {
            error: ErrorDetail {
                code: self.code(),
                message,
                field,
            },
        };
        let mut response = (self.status(), Json(body)).into_response();
        let headers = response.headers_mut();
        match self {
            Self::Unauthorized => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            Self::Unavailable => {
                headers.insert(
                    header::RETRY_AFTER,
                    HeaderValue::from_static(RETRY_AFTER_SECONDS),
                );
            }
            _ => {}
        }
        response
    }
}

/// "outer: inner: root" so one log line carries the whole cause.
fn error_chain(error: &(dyn Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

impl ApiError {
    /// An error about a field of the object `outer`, named `outer.field`.
    pub fn within(self, outer: &str) -> Self {
        match self {
            Self::InvalidField { field, message } => Self::InvalidField {
                field: format!("{outer}.{field}"),
                message,
            },
            other => other,
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Throttled | StoreError::Contention { .. } => {
                tracing::warn!(error = %error, "store busy");
                Self::Unavailable
            }
            other => Self::internal(other),
        }
    }
}

impl From<ReferralError> for ApiError {
    fn from(error: ReferralError) -> Self {
        match error {
            ReferralError::Store(store) => store.into(),
            other @ ReferralError::CodeSpaceExhausted => Self::internal(other),
        }
    }
}

impl From<OrderError> for ApiError {
    fn from(error: OrderError) -> Self {
        match error {
            OrderError::IdempotencyConflict { .. } => Self::Conflict {
                code: "idempotency_conflict",
                message: "this order_id was already recorded with a different body".into(),
            },
            OrderError::TotalOverflow => Self::invalid_field(
                "total_cents",
                "would take the customer's total in this currency beyond what can be kept",
            ),
            OrderError::Closed => Self::Conflict {
                code: "order_cancelled",
                message: "this order was cancelled before it was paid; it is never rewarded".into(),
            },
            OrderError::Contention { .. } => {
                tracing::warn!(error = %error, "order facts kept changing");
                Self::Unavailable
            }
            OrderError::Store(store) => store.into(),
        }
    }
}

impl From<ClaimError> for ApiError {
    fn from(error: ClaimError) -> Self {
        match error {
            ClaimError::UnknownCode => Self::NotFound("no such referral code".into()),
            ClaimError::Refused(refusal) => Self::Unprocessable {
                code: refusal.as_str(),
                message: refusal_message(refusal).into(),
            },
            ClaimError::Contention { .. } => {
                tracing::warn!(error = %error, "claims kept changing");
                Self::Unavailable
            }
            ClaimError::Store(store) => store.into(),
        }
    }
}

fn refusal_message(refusal: ClaimRefusal) -> &'static str {
    match refusal {
        ClaimRefusal::InvalidEmail => "email is not a valid address",
        ClaimRefusal::SelfReferral => "this is the referrer's own address or customer id",
        ClaimRefusal::DisposableEmail => "this is a disposable (throwaway) address",
        ClaimRefusal::ExistingCustomer => "this address or customer has ordered before",
        ClaimRefusal::AlreadyReferred => "this person was rewarded as a referred friend before",
    }
}

impl From<MessageError> for ApiError {
    fn from(error: MessageError) -> Self {
        match error {
            MessageError::NotFound => Self::NotFound("no such message".into()),
            MessageError::NotFailed => Self::Conflict {
                code: "not_failed",
                message: "only a failed message can be requeued".into(),
            },
            MessageError::Store(store) => store.into(),
        }
    }
}

impl From<CouponError> for ApiError {
    fn from(error: CouponError) -> Self {
        match error {
            CouponError::NotFound => Self::NotFound("no such coupon".into()),
            CouponError::UnknownOrder => Self::NotFound("no such order".into()),
            CouponError::AlreadyRedeemed => Self::Conflict {
                code: "already_redeemed",
                message: "this coupon was already redeemed with another order".into(),
            },
            CouponError::Pending => Self::Conflict {
                code: "reward_pending",
                message: "this coupon is still in its hold period; see available_from".into(),
            },
            CouponError::InReview => Self::Conflict {
                code: "reward_in_review",
                message: "this coupon is held for review; it is usable once approved".into(),
            },
            CouponError::Revoked => Self::Gone {
                code: "revoked",
                message: "this coupon was revoked because its order was refunded".into(),
            },
            CouponError::Expired => Self::Gone {
                code: "expired",
                message: "this coupon has expired; see valid_until".into(),
            },
            CouponError::Store(store) => store.into(),
        }
    }
}

impl From<ReviewError> for ApiError {
    fn from(error: ReviewError) -> Self {
        match error {
            ReviewError::NotFound => {
                Self::NotFound("no reward of this order is held for review".into())
            }
            ReviewError::AlreadyDecided(status) => Self::Conflict {
                code: "already_decided",
                message: format!("this review was decided already: {}", status.as_str()),
            },
            ReviewError::CouponsChanged => Self::Conflict {
                code: "coupons_revoked",
                message: "the order was refunded while held: its coupons are revoked; reject it"
                    .into(),
            },
            ReviewError::Store(store) => store.into(),
        }
    }
}

impl From<SurveyError> for ApiError {
    fn from(error: SurveyError) -> Self {
        match error {
            SurveyError::IdempotencyConflict => Self::Conflict {
                code: "idempotency_conflict",
                message: "this order_id already has a survey request with a different body".into(),
            },
            SurveyError::NotFound => Self::NotFound("no such survey".into()),
            SurveyError::Expired { .. } => Self::Gone {
                code: "expired",
                message: "this survey no longer accepts answers".into(),
            },
            SurveyError::Contention => Self::Unavailable,
            SurveyError::NoFollowUp => Self::Conflict {
                code: "no_follow_up",
                message: "only a detractor's answer has a follow-up".into(),
            },
            SurveyError::Store(store) => store.into(),
            SurveyError::Referral(referral) => referral.into(),
        }
    }
}

impl From<CustomerDataError> for ApiError {
    fn from(error: CustomerDataError) -> Self {
        match error {
            CustomerDataError::NotFound => {
                Self::NotFound("nothing is stored about this customer".into())
            }
            CustomerDataError::Store(store) => store.into(),
        }
    }
}

/// JSON 404 for paths no route knows.
pub async fn route_not_found() -> ApiError {
    ApiError::NotFound("no such route".into())
}

/// JSON 405 for known paths called with the wrong method.
pub async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}
