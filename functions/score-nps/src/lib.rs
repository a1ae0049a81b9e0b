//! score-nps: NPS with trend and margin of error, the seeds' retention and repeat-purchase
//! rates, and the referral funnel, all read from day counters.

mod chart;
mod dashboard;
mod dashboard_auth;
mod dashboard_texts;
mod follow_up_form;
mod handlers;
mod range;
mod responses;
mod settings;
mod time_zone;

use std::sync::Arc;

use axum::{middleware, Router};
use domain::ports::{Clock, FollowUpStore, MetricsStore, ReviewListing};
use domain::services::{FollowUpService, ScoreService};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use web::{require_api_key, ApiKeys};

pub use dashboard::{DEFAULT_DAYS as DASHBOARD_DEFAULT_DAYS, OPEN_DETRACTORS_SHOWN};
pub use range::{DateRange, MAX_RANGE_YEARS};
pub use responses::MAX_CSV_ROWS;
pub use settings::{LambdaSettings, Settings};

pub const FUNCTION_NAME: &str = "score-nps";

/// The opening of the function's API description.
const SUMMARY: &str = "NPS with trend and margin of error, retention and repeat-purchase rates, the referral funnel, the answers and the staff's dashboard, from which detractors' follow-ups are marked.";

/// What the function needs from the outside world: the figures and answers it reads, and the one
/// thing it writes, a detractor's follow-up (the dashboard's form), so its role grants no more.
pub struct Ports {
    pub metrics: Arc<dyn MetricsStore>,
    pub follow_ups: Arc<dyn FollowUpStore>,
    /// Read only: the dashboard lists the rewards held for review.
    pub reviews: Arc<dyn ReviewListing>,
    pub clock: Arc<dyn Clock>,
}

struct AppState {
    scores: ScoreService,
    follow_ups: FollowUpService,
    /// The held rewards the dashboard lists; deciding them is reward-referral's.
    reviews: Arc<dyn ReviewListing>,
    clock: Arc<dyn Clock>,
    staff_keys: ApiKeys,
    /// REWARD_CURRENCY: the funnel's amounts are in it.
    currency: domain::model::Currency,
    /// SHOP_TIME_ZONE: the dashboard's times are in it.
    time_zone: time_zone::ShopTimeZone,
}

/// The composition root: the function's routes over its ports, as Lambda runs them and as the
/// local stack mounts them. Every route is for the shop's staff, behind a staff key.
pub fn build(settings: Settings, ports: Ports) -> Router {
    let state = AppState {
        scores: ScoreService::new(ports.metrics),
        follow_ups: FollowUpService::new(ports.follow_ups, ports.clock.clone()),
        reviews: ports.reviews,
        clock: ports.clock,
        staff_keys: settings.staff.staff_api_keys.clone(),
        currency: settings.currency.reward_currency.clone(),
        time_zone: settings.shop_time_zone,
    };
    let staff = staff_routes().route_layer(middleware::from_fn_with_state(
        settings.staff.staff_api_keys,
        require_api_key,
    ));
    web::openapi::finish(staff.merge(dashboard_routes()), FUNCTION_NAME, SUMMARY)
        .with_state(Arc::new(state))
}

/// The function's OpenAPI document, as it serves it at `/openapi.json`.
pub fn openapi() -> serde_json::Value {
    web::openapi::document(
        staff_routes().merge(dashboard_routes()),
        FUNCTION_NAME,
        SUMMARY,
    )
}

/// Routes for the shop's staff and their tools, behind a staff key.
fn staff_routes() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new()
        .routes(routes!(handlers::nps))
        .routes(routes!(handlers::segments))
        .routes(routes!(responses::list))
        .routes(routes!(handlers::retention))
        .routes(routes!(handlers::funnel))
}

/// A browser cannot send a bearer key: the dashboard checks a staff key as a Basic password
/// itself.
fn dashboard_routes() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new().routes(routes!(dashboard::page, follow_up_form::mark))
}
