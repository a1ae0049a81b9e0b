//! create-referral: a customer's referral code and share link, and the redirect behind that link.

mod handlers;
mod landing;
mod settings;
mod share_links;

use std::sync::Arc;

use axum::routing::{get, post};
use axum::{middleware, Router};
use domain::model::HttpUrl;
use domain::ports::{Clock, ReferralStore};
use domain::services::ReferralService;
use web::{method_not_allowed, require_api_key, route_not_found};

pub use landing::LandingUrl;
pub use settings::{LambdaSettings, Settings};

/// The name the function is deployed and mounted under.
pub const FUNCTION_NAME: &str = "create-referral";

/// What the function needs from the outside world; the host (Lambda or the local stack) decides
/// which adapters stand behind them.
pub struct Ports {
    pub referrals: Arc<dyn ReferralStore>,
    pub clock: Arc<dyn Clock>,
}

/// What the handlers need, built once per cold start.
struct AppState {
    referrals: ReferralService,
    landing: LandingUrl,
    shop_url: HttpUrl,
    public_base_url: Option<HttpUrl>,
}

/// The composition root: the function's routes over its ports, as Lambda runs them and as the
/// local stack mounts them. Request ids and the request log are the host's.
pub fn build(settings: Settings, ports: Ports) -> Router {
    let state = AppState {
        referrals: ReferralService::new(
            ports.referrals,
            ports.clock,
            settings.fingerprints.fingerprint_key.clone(),
        )
        .with_events(settings.webhooks.events()),
        landing: settings.landing(),
        shop_url: settings.shop.shop_url,
        public_base_url: settings.links.public_base_url,
    };
    let storefront = Router::new()
        .route("/referrals", post(handlers::create_referral))
        .route("/referrals/{customer_id}", get(handlers::referral_stats))
        .route_layer(middleware::from_fn_with_state(
            settings.storefront.api_keys,
            require_api_key,
        ));
    let public = Router::new()
        .route("/r/{code}", get(handlers::follow_link))
        .route("/r/", get(handlers::follow_empty_link));
    storefront
        .merge(public)
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(route_not_found)
        .with_state(Arc::new(state))
}
