//! customer-data: what is stored about a customer, exported (GDPR Art. 15 and 20) or erased
//! (Art. 17) on the shop's request, and Shopify's mandatory privacy webhooks.

mod bodies;
mod handlers;
mod settings;
mod webhooks;

use std::sync::Arc;

use axum::{middleware, Router};
use domain::ports::{Clock, DeliveryLog, PersonalDataStore};
use domain::services::CustomerDataService;
use shop_platforms::{PrivacyRequest, Reading};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use web::{require_api_key, WebhookReceiver};

pub use settings::{LambdaSettings, Settings};

pub const FUNCTION_NAME: &str = "customer-data";

/// The opening of the function's API description.
const SUMMARY: &str = "What is stored about a customer, exported (GDPR Art. 15 and 20) or erased (Art. 17) on the shop's request, and Shopify's mandatory privacy webhooks.";

/// What the function needs from the outside world.
pub struct Ports {
    pub personal_data: Arc<dyn PersonalDataStore>,
    pub deliveries: Arc<dyn DeliveryLog>,
    pub clock: Arc<dyn Clock>,
}

struct AppState {
    data: CustomerDataService,
    webhooks: WebhookReceiver<PrivacyRequest>,
}

/// The composition root: the function's routes over its ports, as Lambda runs them and as the
/// local stack mounts them. Data requests are the shop's, behind a privacy key (no storefront or
/// staff key exports or erases anyone); Shopify's privacy webhooks are authenticated by their
/// signature.
pub fn build(settings: Settings, ports: Ports) -> Router {
    let key = settings.fingerprints.fingerprint_key;
    let state = AppState {
        data: CustomerDataService::new(ports.personal_data, ports.clock.clone(), key.clone()),
        webhooks: WebhookReceiver::new(
            FUNCTION_NAME,
            settings.platforms.secrets(),
            // Privacy topics carry no referral code.
            Reading::default(),
            key,
            ports.deliveries,
            ports.clock,
        ),
    };
    let privacy = privacy_routes().route_layer(middleware::from_fn_with_state(
        settings.privacy.privacy_api_keys,
        require_api_key,
    ));
    web::openapi::finish(privacy.merge(platform_routes()), FUNCTION_NAME, SUMMARY)
        .with_state(Arc::new(state))
}

/// The function's OpenAPI document, as it serves it at `/openapi.json`.
pub fn openapi() -> serde_json::Value {
    web::openapi::document(
        privacy_routes().merge(platform_routes()),
        FUNCTION_NAME,
        SUMMARY,
    )
}

/// The shop's data requests, behind a privacy key.
fn privacy_routes() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new()
        .routes(routes!(handlers::export_customer))
        .routes(routes!(handlers::erase_customer))
        .routes(routes!(handlers::export_person))
        .routes(routes!(handlers::erase_person))
}

/// Shopify's privacy deliveries, behind its signature.
fn platform_routes() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new().routes(routes!(webhooks::shopify))
}
