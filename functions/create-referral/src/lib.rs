//! create-referral: a customer's referral code and share link, and the redirect behind that link.

mod handlers;
mod landing;
mod share_links;

use std::sync::Arc;

use axum::routing::{get, post};
use axum::{middleware, Router};
use domain::services::ReferralService;
use web::config::{Config, ConfigError, Lookup};
use web::{method_not_allowed, require_api_key, route_not_found, with_request_logging};

pub use landing::LandingUrl;

/// The name the function is deployed and mounted under.
pub const FUNCTION_NAME: &str = "create-referral";

/// What the handlers need, built once per cold start.
pub struct AppState {
    pub referrals: ReferralService,
    pub landing: LandingUrl,
    pub shop_url: String,
    pub public_base_url: Option<String>,
}

impl AppState {
    pub fn new(
        referrals: ReferralService,
        config: &Config,
        lookup: Lookup<'_>,
    ) -> Result<Self, ConfigError> {
        Ok(Self {
            referrals,
            landing: LandingUrl::from_config(config, lookup)?,
            shop_url: config.shop_url.clone(),
            public_base_url: config.public_base_url.clone(),
        })
    }
}

/// The function's routes with their error fallbacks, ready to nest or to finish with [`app`].
pub fn router(state: AppState, config: &Config) -> Router {
    let storefront = Router::new()
        .route("/referrals", post(handlers::create_referral))
        .route("/referrals/{customer_id}", get(handlers::referral_stats))
        .route_layer(middleware::from_fn_with_state(
            config.api_keys.clone(),
            require_api_key,
        ));
    let public = Router::new()
        .route("/r/{code}", get(handlers::follow_link))
        .route("/r/", get(handlers::follow_empty_link));
    storefront
        .merge(public)
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(route_not_found)
        .with_state(Arc::new(state))
}

/// The router as deployed: with request ids and the per-request log line.
pub fn app(state: AppState, config: &Config) -> Router {
    with_request_logging(router(state, config))
}
