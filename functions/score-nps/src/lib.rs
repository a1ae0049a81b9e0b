//! score-nps: NPS with trend and margin of error, the seeds' retention and repeat-purchase
//! rates, and the referral funnel, all read from day counters.

mod chart;
mod dashboard;
mod handlers;
mod range;
mod responses;
mod settings;

use std::sync::Arc;

use axum::routing::get;
use axum::{middleware, Router};
use domain::ports::{Clock, MetricsStore};
use domain::services::ScoreService;
use web::{method_not_allowed, require_api_key, route_not_found, ApiKeys};

pub use dashboard::{DEFAULT_DAYS as DASHBOARD_DEFAULT_DAYS, OPEN_DETRACTORS_SHOWN};
pub use range::{DateRange, MAX_RANGE_YEARS};
pub use responses::{MAX_CSV_ROWS, MAX_JSON_PAGE};
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
    api_keys: ApiKeys,
}

/// The composition root: the function's routes over its ports, as Lambda runs them and as the
/// local stack mounts them. Every route is for the storefront or shop staff, behind the key.
pub fn build(settings: Settings, ports: Ports) -> Router {
    let state = AppState {
        scores: ScoreService::new(ports.metrics),
        clock: ports.clock,
        api_keys: settings.storefront.api_keys.clone(),
    };
    // A browser cannot send a bearer key: the dashboard takes the key as a Basic password.
    let dashboard = Router::new().route("/dashboard", get(dashboard::page));
    Router::new()
        .route("/nps", get(handlers::nps))
        .route("/nps/segments", get(handlers::segments))
        .route("/responses", get(responses::list))
        .route("/retention", get(handlers::retention))
        .route("/referrals/stats", get(handlers::funnel))
        .route_layer(middleware::from_fn_with_state(
            settings.storefront.api_keys,
            require_api_key,
        ))
        .merge(dashboard)
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(route_not_found)
        .with_state(Arc::new(state))
}
