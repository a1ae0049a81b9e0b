//! A path parameter as text, for handlers that answer a bad one in their own contract.

use std::convert::Infallible;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;

/// The route's one path parameter, `None` when it does not decode to UTF-8 (`/s/%ff`): the
/// handler then answers as for any unknown value (a page's 404, a JSON `not_found`) instead of
/// the framework's plain-text 400, which carries neither the page's headers nor the error
/// envelope.
pub struct PathText(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for PathText {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let raw = Path::<String>::from_request_parts(parts, state).await.ok();
        Ok(Self(raw.map(|Path(raw)| raw)))
    }
}
