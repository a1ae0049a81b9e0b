//! score-nps: NPS with trend and margin of error, the seeds' retention and repeat-purchase
//! rates, and the referral funnel, all read from day counters.

mod handlers;
mod range;
mod settings;

use std::sync::Arc;

use axum::routing::get;
use axum::{middleware, Router};
use domain::ports::{Clock, MetricsStore};
use domain::services::ScoreService;
use web::{method_not_allowed, require_api_key, route_not_found};

pub use range::{DateRange, MAX_RANGE_YEARS};
pub use settings::{LambdaSettings, Settings};

pub const FUNCTION_NAME: &str = "score-nps";

/// What the function needs from the outside world: reads only, so the binary holds no write path
/// and its role grants only Query.
pub struct Ports {
    pub metrics: Arc<dyn MetricsStore>,
    pub clock: Arc<dyn Clock>,
}

struct AppState {
    scores: ScoreService,
    clock: Arc<dyn Clock>,
}

/// The composition root: the function's routes over its ports, as Lambda runs them and as the
/// local stack mounts them. Every route is for the storefront or shop staff, behind the key.
pub fn build(settings: Settings, ports: Ports) -> Router {
    let state = AppState {
        scores: ScoreService::new(ports.metrics),
        clock: ports.clock,
    };
    Router::new()
        .route("/nps", get(handlers::nps))
        .route("/retention", get(handlers::retention))
        .route("/referrals/stats", get(handlers::funnel))
        .route_layer(middleware::from_fn_with_state(
            settings.storefront.api_keys,
            require_api_key,
        ))
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(route_not_found)
        .with_state(Arc::new(state))
}
