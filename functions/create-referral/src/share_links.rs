//! Share links (`<base>/r/<code>`) and referrers' pages (`<base>/me/<code>/<key>`) pointing back
//! at this function, wherever it is mounted.

use std::sync::Arc;

use axum::extract::{FromRequestParts, OriginalUri};
use axum::http::request::Parts;
use domain::model::{PageKey, ReferralCode};
use domain::services::{page_path, share_path};
use web::{function_base_url, ApiError};

use crate::AppState;

/// The base URL of this function for the current request.
pub(crate) struct ShareLinks(String);

impl ShareLinks {
    pub(crate) fn to(&self, code: &ReferralCode) -> String {
        format!("{}{}", self.0, share_path(code))
    }

    pub(crate) fn page(&self, code: &ReferralCode, key: &PageKey) -> String {
        format!("{}{}", self.0, page_path(code, key))
    }
}

impl FromRequestParts<Arc<AppState>> for ShareLinks {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let original = parts
            .extensions
            .get::<OriginalUri>()
            .map_or_else(|| parts.uri.clone(), |o| o.0.clone());
        function_base_url(
            state.public_base_url.as_ref(),
            &parts.headers,
            &original,
            &parts.uri,
        )
        .map(Self)
    }
}
