//! A route's query parameters as a struct of its own: the extractor, and (with `IntoParams`) the
//! API document's description of them, so the two cannot drift.

use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::ApiError;

/// The query string read into `T`, whose fields are `Option<String>` so that every value reaches
/// the route's parser and is refused naming its field; a query that cannot be read at all (a
/// parameter given twice) is 400 `bad_request` in the error envelope, not axum's plain text.
pub struct Params<T>(pub T);

impl<S, T> FromRequestParts<S> for Params<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(params)| Self(params))
            .map_err(|rejection| ApiError::BadRequest(rejection.body_text()))
    }
}

/// A parameter's value, `None` when absent or empty (a form's unset field). Anything else, blanks
/// included, is a value for the route's parser to accept or refuse.
pub fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|raw| !raw.is_empty())
}
