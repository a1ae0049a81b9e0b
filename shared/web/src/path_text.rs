//! The one way a handler takes its path parameter: as text, parsed into its domain type by the
//! handler's own contract (a page's 404, a JSON `not_found`, or `invalid_field` naming it).

use std::convert::Infallible;
use std::fmt::Display;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::ApiError;

/// The route's path parameter (a `String`, or a tuple of them for a route with several),
/// `None` when one does not decode to UTF-8 (`/s/%ff`): the handler then answers as for any
/// other bad value instead of the framework's plain-text 400, which carries neither the page's
/// headers nor the error envelope.
pub struct PathText<T = String>(pub Option<T>);

impl<S, T> FromRequestParts<S> for PathText<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let raw = Path::<T>::from_request_parts(parts, state).await.ok();
        Ok(Self(raw.map(|Path(raw)| raw)))
    }
}

impl PathText {
    /// The parameter as `parse` reads it, `None` for anything else: a page answers that in its
    /// own way (its 404 page, a redirect to the shop).
    pub fn parsed<T, E>(self, parse: impl FnOnce(&str) -> Result<T, E>) -> Option<T> {
        self.0.as_deref().and_then(|raw| parse(raw).ok())
    }

    /// The parameter as `parse` reads it; anything else is 404 `not_found` with `missing`: an id
    /// that does not parse was never handed out.
    pub fn found<T, E>(
        self,
        parse: impl FnOnce(&str) -> Result<T, E>,
        missing: &str,
    ) -> Result<T, ApiError> {
        self.parsed(parse)
            .ok_or_else(|| ApiError::NotFound(missing.to_owned()))
    }

    /// The parameter as `parse` reads it; anything else is 400 `invalid_field` naming it.
    pub fn field<T, E: Display>(
        self,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<T, ApiError> {
        let raw = self
            .0
            .ok_or_else(|| ApiError::invalid_field(name, "must be UTF-8 text"))?;
        parse(&raw).map_err(|error| ApiError::invalid_field(name, error))
    }
}
