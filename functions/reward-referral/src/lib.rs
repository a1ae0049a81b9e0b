//! reward-referral: records every order, rewards referrer and friend exactly once, and runs the
//! coupons' lifecycle (lookup, redemption, refund clawback).

mod bodies;
mod handlers;
mod outbox;
mod reviews;
mod settings;
mod webhook_answers;
mod webhooks;

use std::sync::Arc;

use ::settings::SettingsError;
use axum::{middleware, Router};
use domain::ports::{
    Clock, DeliveryLog, OrderStore, OutboxAdmin, ReviewListing, ReviewStore, ShopIdentity,
};
use domain::services::{
    CouponService, MessageService, OrderService, ReviewService, UnsubscribeLinks,
};
use shop_platforms::OrderEvent;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use web::{require_api_key, WebhookReceiver};

pub use settings::{LambdaSettings, Settings};

pub const FUNCTION_NAME: &str = "reward-referral";

/// The opening of the function's API description.
const SUMMARY: &str = "Records every order, rewards referrer and friend exactly once, and runs the coupons' lifecycle (lookup, redemption, refund clawback); the operators' view of the outbox.";

/// What the function needs from the outside world; the host decides which adapters stand
/// behind them.
pub struct Ports {
    pub orders: Arc<dyn OrderStore>,
    pub reviews: Arc<dyn ReviewStore>,
    pub review_listing: Arc<dyn ReviewListing>,
    pub outbox: Arc<dyn OutboxAdmin>,
    pub deliveries: Arc<dyn DeliveryLog>,
    pub clock: Arc<dyn Clock>,
}

/// What the handlers need, built once per cold start.
struct AppState {
    orders: OrderService,
    reviews: ReviewService,
    review_listing: Arc<dyn ReviewListing>,
    shop: ShopIdentity,
    coupons: CouponService,
    messages: MessageService,
    webhooks: WebhookReceiver<OrderEvent>,
    clock: Arc<dyn Clock>,
}

/// The composition root: the function's routes over its ports, as Lambda runs them and as the
/// local stack mounts them. The storefront's routes need its key, the outbox's a staff key; the
/// platforms' webhook routes are authenticated by the platform's signature instead.
///
/// Fails when the settings ask for a win-back without SURVEY_BASE_URL (`Settings::winback`).
pub fn build(settings: Settings, ports: Ports) -> Result<Router, SettingsError> {
    let events = settings.webhooks.events();
    let mut orders = OrderService::new(
        ports.orders.clone(),
        ports.clock.clone(),
        settings.rules(),
        settings.shop.identity(),
        events,
        settings.fingerprints.fingerprint_key.clone(),
    )
    .with_activity_window(settings.active_window_days)
    .with_discounts(settings.discount_platform.discounts())
    .with_referral_links(settings.referral_base.links(&settings.shop.url.shop_url))
    .with_review(settings.review());
    if let Some((rules, base)) = settings.winback()? {
        let links = UnsubscribeLinks::new(base, settings.fingerprints.fingerprint_key.clone());
        orders = orders.with_winback(rules, links);
    }
    let state = AppState {
        orders,
        reviews: ReviewService::new(
            ports.reviews,
            ports.clock.clone(),
            events,
            settings.discount_platform.discounts(),
        ),
        review_listing: ports.review_listing,
        shop: settings.shop.identity(),
        coupons: CouponService::new(ports.orders, ports.clock.clone(), events)
            .with_minimum_order(settings.friend.min_order_cents)
            .with_discounts(settings.discount_platform.discounts()),
        messages: MessageService::new(ports.outbox, ports.clock.clone()),
        webhooks: WebhookReceiver::new(
            FUNCTION_NAME,
            settings.platforms.secrets(),
            settings.referral_attribute.clone(),
            settings.fingerprints.fingerprint_key.clone(),
            ports.deliveries,
            ports.clock.clone(),
        ),
        clock: ports.clock,
    };
    let storefront = storefront_routes().route_layer(middleware::from_fn_with_state(
        settings.storefront.api_keys,
        require_api_key,
    ));
    let staff = staff_routes().route_layer(middleware::from_fn_with_state(
        settings.staff.staff_api_keys,
        require_api_key,
    ));
    let routes = storefront.merge(staff).merge(platform_routes());
    Ok(web::openapi::finish(routes, FUNCTION_NAME, SUMMARY).with_state(Arc::new(state)))
}

/// The function's OpenAPI document, as it serves it at `/openapi.json`.
pub fn openapi() -> serde_json::Value {
    web::openapi::document(
        storefront_routes()
            .merge(staff_routes())
            .merge(platform_routes()),
        FUNCTION_NAME,
        SUMMARY,
    )
}

/// Routes for the shop's storefront or backend, behind a storefront key.
fn storefront_routes() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new()
        .routes(routes!(handlers::record_order))
        .routes(routes!(handlers::refund_order))
        .routes(routes!(handlers::coupon))
        .routes(routes!(handlers::redeem_coupon))
        .routes(routes!(reviews::list_reviews))
        .routes(routes!(reviews::decide_review))
}

/// The operators' view of the outbox, behind a staff key.
fn staff_routes() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new()
        .routes(routes!(outbox::list))
        .routes(routes!(outbox::requeue))
}

/// Routes the shop platforms deliver to, behind their signatures.
fn platform_routes() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new()
        .routes(routes!(webhooks::shopify))
        .routes(routes!(webhooks::woocommerce))
}
