//! collect-survey: the thank-you mail with a one-click NPS survey, the survey pages, answers,
//! unsubscribe and detractor alerts.

mod handlers;
mod pages;

use std::sync::Arc;

use axum::routing::{get, post};
use axum::{middleware, Router};
use domain::model::Locale;
use domain::services::{ReferralLinks, SurveyRules, SurveyService};
use web::config::{invalid, Config, ConfigError, Lookup};
use web::{method_not_allowed, require_api_key, route_not_found, with_request_logging};

pub const FUNCTION_NAME: &str = "collect-survey";

/// What the handlers need, built once per cold start.
pub struct AppState {
    pub surveys: SurveyService,
    pub public_base_url: Option<String>,
    pub default_locale: Locale,
    pub shop_name: String,
}

/// SURVEY_THROTTLE_DAYS (default 90) and SURVEY_TTL_DAYS (default 30).
pub fn survey_rules_from_env(lookup: Lookup<'_>) -> Result<SurveyRules, ConfigError> {
    let days = |name: &'static str, default: u32| match lookup(name) {
        None => Ok(default),
        Some(raw) => raw
            .trim()
            .parse::<u32>()
            .map_err(|_| invalid(name, "must be a whole number of days")),
    };
    Ok(SurveyRules {
        throttle_days: days("SURVEY_THROTTLE_DAYS", 90)?,
        ttl_days: days("SURVEY_TTL_DAYS", 30)?,
    })
}

/// Promoters' share links go through create-referral (REFERRAL_BASE_URL) when it is known, so
/// clicks are counted; otherwise straight to the shop with `?ref=`.
pub fn referral_links_from_env(
    config: &Config,
    lookup: Lookup<'_>,
) -> Result<ReferralLinks, ConfigError> {
    match lookup("REFERRAL_BASE_URL") {
        Some(raw) => Ok(ReferralLinks::Function(web::config::http_url(
            "REFERRAL_BASE_URL",
            &raw,
        )?)),
        None => Ok(ReferralLinks::ShopLanding(config.shop_url.clone())),
    }
}

/// Storefront route behind the key; survey and unsubscribe links are public capability URLs.
pub fn router(state: AppState, config: &Config) -> Router {
    let storefront = Router::new()
        .route("/surveys", post(handlers::request_survey))
        .route_layer(middleware::from_fn_with_state(
            config.api_keys.clone(),
            require_api_key,
        ));
    let public = Router::new()
        .route(
            "/s/{token}",
            get(handlers::survey_page).post(handlers::answer),
        )
        .route(
            "/u/{token}",
            get(handlers::unsubscribe_page).post(handlers::unsubscribe),
        );
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
