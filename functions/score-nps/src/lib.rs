//! score-nps: NPS with trend and margin of error, the seeds' retention and repeat-purchase
//! rates, and the referral funnel, all read from day counters.

mod handlers;
mod range;

use std::sync::Arc;

use axum::routing::get;
use axum::{middleware, Router};
use domain::ports::Clock;
use domain::services::ScoreService;
use web::config::Config;
use web::{method_not_allowed, require_api_key, route_not_found, with_request_logging};

pub use range::{DateRange, MAX_RANGE_YEARS};

pub const FUNCTION_NAME: &str = "score-nps";

pub struct AppState {
    pub scores: ScoreService,
    pub clock: Arc<dyn Clock>,
}

/// Every route is for the storefront or shop staff, behind the key.
pub fn router(state: AppState, config: &Config) -> Router {
    Router::new()
        .route("/nps", get(handlers::nps))
        .route("/retention", get(handlers::retention))
        .route("/referrals/stats", get(handlers::funnel))
        .route_layer(middleware::from_fn_with_state(
            config.api_keys.clone(),
            require_api_key,
        ))
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(route_not_found)
        .with_state(Arc::new(state))
}

pub fn app(state: AppState, config: &Config) -> Router {
    with_request_logging(router(state, config))
}
