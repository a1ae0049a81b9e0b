//! customer-data: what is stored about a customer, exported (GDPR Art. 15 and 20) or erased
//! (Art. 17) on the shop's request, and Shopify's mandatory privacy webhooks.

mod bodies;
mod handlers;
mod settings;
mod webhooks;

use std::sync::Arc;

use axum::routing::{delete, get, post};
use axum::{middleware, Router};
use domain::ports::{Clock, DeliveryLog, PersonalDataStore};
use domain::services::CustomerDataService;
use shop_platforms::{Reading, Receiver};
use web::{method_not_allowed, require_api_key, route_not_found, WebhookReceiver};

pub use settings::{LambdaSettings, Settings};

pub const FUNCTION_NAME: &str = "customer-data";

/// What the function needs from the outside world.
pub struct Ports {
    pub personal_data: Arc<dyn PersonalDataStore>,
    pub deliveries: Arc<dyn DeliveryLog>,
    pub clock: Arc<dyn Clock>,
}

struct AppState {
    data: CustomerDataService,
    webhooks: WebhookReceiver,
}

/// The composition root: the function's routes over its ports, as Lambda runs them and as the
/// local stack mounts them. Data requests are the shop's, behind its key; Shopify's privacy
/// webhooks are authenticated by their signature.
pub fn build(settings: Settings, ports: Ports) -> Router {
    let key = settings.fingerprints.fingerprint_key;
    let state = AppState {
        data: CustomerDataService::new(ports.personal_data, ports.clock.clone(), key.clone()),
        webhooks: WebhookReceiver::new(
            Receiver::Privacy,
            FUNCTION_NAME,
            settings.platforms.secrets(),
            // Privacy topics carry no referral code.
            Reading::default(),
            key,
            ports.deliveries,
            ports.clock,
        ),
    };
    let storefront = Router::new()
        .route(
            "/customers/{customer_id}/export",
            get(handlers::export_customer),
        )
        .route("/customers/{customer_id}", delete(handlers::erase_customer))
        .route("/customers/export", post(handlers::export_person))
        .route("/customers/erase", post(handlers::erase_person))
        .route_layer(middleware::from_fn_with_state(
            settings.storefront.api_keys,
            require_api_key,
        ));
    Router::new()
        .merge(storefront)
        .route("/webhooks/shopify", post(webhooks::shopify))
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(route_not_found)
        .with_state(Arc::new(state))
}
