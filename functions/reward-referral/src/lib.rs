//! reward-referral: records every order, rewards referrer and friend exactly once, and runs the
//! coupons' lifecycle (lookup, redemption, refund clawback).

mod bodies;
mod handlers;
mod outbox;
mod settings;
mod webhooks;

use std::sync::Arc;

use axum::routing::{get, post};
use axum::{middleware, Router};
use domain::ports::{Clock, DeliveryLog, OrderStore, OutboxAdmin};
use domain::services::{CouponService, MessageService, OrderService};
use shop_platforms::Receiver;
use web::{method_not_allowed, require_api_key, route_not_found, WebhookReceiver};

pub use settings::{LambdaSettings, Settings};

pub const FUNCTION_NAME: &str = "reward-referral";

/// What the function needs from the outside world; the host decides which adapters stand
/// behind them.
pub struct Ports {
    pub orders: Arc<dyn OrderStore>,
    pub outbox: Arc<dyn OutboxAdmin>,
    pub deliveries: Arc<dyn DeliveryLog>,
    pub clock: Arc<dyn Clock>,
}

/// What the handlers need, built once per cold start.
struct AppState {
    orders: OrderService,
    coupons: CouponService,
    messages: MessageService,
    webhooks: WebhookReceiver,
    clock: Arc<dyn Clock>,
}

/// The composition root: the function's routes over its ports, as Lambda runs them and as the
/// local stack mounts them. The storefront's routes need its key; the platforms' webhook routes
/// are authenticated by the platform's signature instead.
pub fn build(settings: Settings, ports: Ports) -> Router {
    let events = settings.webhooks.events();
    let state = AppState {
        orders: OrderService::new(
            ports.orders.clone(),
            ports.clock.clone(),
            settings.rules(),
            settings.shop.identity(),
            events,
            settings.fingerprints.fingerprint_key.clone(),
        )
        .with_activity_window(settings.active_window_days),
        coupons: CouponService::new(ports.orders, ports.clock.clone(), events)
            .with_minimum_order(settings.min_order_cents),
        messages: MessageService::new(ports.outbox, ports.clock.clone()),
        webhooks: WebhookReceiver::new(
            Receiver::Rewards,
            FUNCTION_NAME,
            settings.platforms.secrets(),
            settings.referral_attribute.clone(),
            settings.fingerprints.fingerprint_key.clone(),
            ports.deliveries,
            ports.clock.clone(),
        ),
        clock: ports.clock,
    };
    let platforms = Router::new()
        .route("/webhooks/shopify", post(webhooks::shopify))
        .route("/webhooks/woocommerce", post(webhooks::woocommerce));
    Router::new()
        .route("/orders", post(handlers::record_order))
        .route("/orders/{order_id}/refund", post(handlers::refund_order))
        .route("/coupons/{code}", get(handlers::coupon))
        .route("/coupons/{code}/redeem", post(handlers::redeem_coupon))
        .route("/outbox/messages", get(outbox::list))
        .route("/outbox/messages/{id}/requeue", post(outbox::requeue))
        .route_layer(middleware::from_fn_with_state(
            settings.storefront.api_keys,
            require_api_key,
        ))
        .merge(platforms)
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(route_not_found)
        .with_state(Arc::new(state))
}
