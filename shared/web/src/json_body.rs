//! Reading a JSON object body with our limits and turning fields into domain types.

use std::fmt::Display;

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_LENGTH;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use serde_json::{Map, Value};

use super::ApiError;

/// Bodies above this are refused with 413 before parsing (docs/architecture.md#http-logs-and-request-ids).
pub const BODY_LIMIT: usize = 64 * 1024;
/// A platform's order webhook carries every line item; its body may be far larger.
pub const WEBHOOK_BODY_LIMIT: usize = 2 * 1024 * 1024;

/// A request body that is a JSON object; fields are parsed one by one so errors can name them.
#[derive(Debug)]
pub struct JsonFields(Map<String, Value>);

impl<S: Send + Sync> FromRequest<S> for JsonFields {
    type Rejection = ApiError;

    async fn from_request(request: Request, _state: &S) -> Result<Self, Self::Rejection> {
        // The content type is not checked: `curl -d` and many webhook senders label JSON as a
        // form, and refusing them would help nobody. The body itself must be a JSON object.
        let declared_length = request
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        if declared_length.is_some_and(|length| length > BODY_LIMIT) {
            return Err(ApiError::PayloadTooLarge { limit: BODY_LIMIT });
        }
        let bytes = read_body(request.into_body(), BODY_LIMIT).await?;
        match serde_json::from_slice(&bytes) {
            Ok(Value::Object(fields)) => Ok(Self(fields)),
            Ok(_) => Err(ApiError::InvalidJson("expected a JSON object".into())),
            Err(error) => Err(ApiError::InvalidJson(error.to_string())),
        }
    }
}

/// A request body up to `limit` bytes: 413 above it, 400 `bad_request` when the client stops
/// sending (the local server's read timeout) or the connection fails.
pub async fn read_body(body: Body, limit: usize) -> Result<Bytes, ApiError> {
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(error) if error.downcast_ref::<LengthLimitError>().is_some() => {
            Err(ApiError::PayloadTooLarge { limit })
        }
        Err(error) => Err(ApiError::BadRequest(format!(
            "could not read the request body: {error}"
        ))),
    }
}

/// A body as the bytes that were sent: a platform webhook's signature is over exactly these.
/// Read with [`read_body`]'s limit and errors, where axum's `Bytes` would answer in plain text.
pub struct RawBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, _state: &S) -> Result<Self, Self::Rejection> {
        read_body(request.into_body(), WEBHOOK_BODY_LIMIT)
            .await
            .map(Self)
    }
}

impl JsonFields {
    /// A required string field, parsed into its domain type.
    pub fn required<T, E: Display>(
        &self,
        field: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<T, ApiError> {
        self.optional(field, parse)?
            .ok_or_else(|| ApiError::invalid_field(field, "is required"))
    }

    /// An optional string field; absent and `null` both mean "not given".
    pub fn optional<T, E: Display>(
        &self,
        field: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<Option<T>, ApiError> {
        match self.0.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(raw)) => parse(raw)
                .map(Some)
                .map_err(|e| ApiError::invalid_field(field, e)),
            Some(_) => Err(ApiError::invalid_field(field, "must be a string")),
        }
    }

    /// An optional array of at most `max` strings, each parsed; absent and `null` are empty.
    pub fn optional_list<T, E: Display>(
        &self,
        field: &str,
        max: usize,
        parse: impl Fn(&str) -> Result<T, E>,
    ) -> Result<Vec<T>, ApiError> {
        let items = match self.0.get(field) {
            None | Some(Value::Null) => return Ok(Vec::new()),
            Some(Value::Array(items)) => items,
            Some(_) => {
                return Err(ApiError::invalid_field(
                    field,
                    "must be an array of strings",
                ))
            }
        };
        if items.len() > max {
            return Err(ApiError::invalid_field(
                field,
                format!("must have at most {max} entries"),
            ));
        }
        items
            .iter()
            .map(|item| match item {
                Value::String(raw) => parse(raw).map_err(|e| ApiError::invalid_field(field, e)),
                _ => Err(ApiError::invalid_field(
                    field,
                    "must be an array of strings",
                )),
            })
            .collect()
    }

    /// An optional nested object, read with the same methods; `null` means "not given". Errors
    /// about its fields should be named `field.inner` by the caller ([`ApiError::within`]).
    pub fn optional_object(&self, field: &str) -> Result<Option<JsonFields>, ApiError> {
        match self.0.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Object(fields)) => Ok(Some(Self(fields.clone()))),
            Some(_) => Err(ApiError::invalid_field(field, "must be an object")),
        }
    }

    /// A required non-negative JSON integer (not a float, not a string).
    pub fn required_count(&self, field: &str) -> Result<u64, ApiError> {
        match self.0.get(field) {
            None | Some(Value::Null) => Err(ApiError::invalid_field(field, "is required")),
            Some(Value::Number(n)) => n.as_u64().ok_or_else(|| {
                ApiError::invalid_field(
                    field,
                    "must be a whole number ≥ 0 (minor units, e.g. cents)",
                )
            }),
            Some(_) => Err(ApiError::invalid_field(field, "must be a number")),
        }
    }
}
