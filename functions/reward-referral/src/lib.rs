//! reward-referral: records every order, rewards referrer and friend exactly once, and runs the
//! coupons' lifecycle (lookup, redemption, refund clawback).

mod handlers;
mod rules;

use std::sync::Arc;

use axum::routing::{get, post};
use axum::{middleware, Router};
use domain::ports::Clock;
use domain::services::{CouponService, OrderService};
use web::config::Config;
use web::{method_not_allowed, require_api_key, route_not_found, with_request_logging};

pub use rules::{activity_window_from_env, rules_from_env};

pub const FUNCTION_NAME: &str = "reward-referral";

/// What the handlers need, built once per cold start.
pub struct AppState {
    pub orders: OrderService,
    pub coupons: CouponService,
    pub clock: Arc<dyn Clock>,
}

/// Every route is for the storefront, so every route needs its key.
pub fn router(state: AppState, config: &Config) -> Router {
    Router::new()
        .route("/orders", post(handlers::record_order))
        .route("/orders/{order_id}/refund", post(handlers::refund_order))
        .route("/coupons/{code}", get(handlers::coupon))
        .route("/coupons/{code}/redeem", post(handlers::redeem_coupon))
        .route_layer(middleware::from_fn_with_state(
            config.api_keys.clone(),
            require_api_key,
        ))
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(route_not_found)
        .with_state(Arc::new(state))
}

/// The router as deployed: with request ids and the per-request log line.
pub fn app(state: AppState, config: &Config) -> Router {
    with_request_logging(router(state, config))
}
