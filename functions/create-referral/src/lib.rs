//! create-referral: a customer's referral code and share link, and what that link shows: the
//! friend's first-order offer, or a redirect to the shop.

mod claims;
mod handlers;
mod landing;
mod pages;
mod referrer_page;
mod settings;
mod share_links;

use std::sync::Arc;

use axum::{middleware, Router};
use domain::model::{FriendReward, HttpUrl};
use domain::ports::{Clock, OfferStore, ReferralStore, ReferrerProgressStore};
use domain::services::{OfferService, ReferralService, ReferrerPages, ShopIdentity};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use web::require_api_key;

pub use landing::LandingUrl;
pub use settings::{LambdaSettings, Settings};

/// The name the function is deployed and mounted under.
pub const FUNCTION_NAME: &str = "create-referral";

/// The opening of the function's API description.
const SUMMARY: &str = "A customer's referral code and share link, what that link shows (the friend's first-order offer and its claim, or a redirect to the shop), and the referrer's own page.";

/// What the function needs from the outside world; the host (Lambda or the local stack) decides
/// which adapters stand behind them.
pub struct Ports {
    pub referrals: Arc<dyn ReferralStore>,
    pub progress: Arc<dyn ReferrerProgressStore>,
    pub offers: Arc<dyn OfferStore>,
    pub clock: Arc<dyn Clock>,
}

/// What the handlers need, built once per cold start.
struct AppState {
    referrals: ReferralService,
    pages: ReferrerPages,
    offers: OfferService,
    friend_reward: FriendReward,
    shop: ShopIdentity,
    landing: LandingUrl,
    shop_url: HttpUrl,
    public_base_url: Option<HttpUrl>,
    referrer: ReferrerReward,
}

/// What a referrer earns, as their page states it (REFERRER_REWARD_CENTS, REFERRER_CAP).
struct ReferrerReward {
    reward_cents: u64,
    cap: u64,
}

/// The composition root: the function's routes over its ports, as Lambda runs them and as the
/// local stack mounts them. Request ids and the request log are the host's.
pub fn build(settings: Settings, ports: Ports) -> Router {
    let shop = settings.shop.identity();
    let state = AppState {
        referrals: ReferralService::new(
            ports.referrals,
            ports.clock.clone(),
            settings.fingerprints.fingerprint_key.clone(),
        )
        .with_events(settings.webhooks.events()),
        pages: ReferrerPages::new(
            ports.progress,
            ports.clock.clone(),
            settings.fingerprints.fingerprint_key.clone(),
        ),
        offers: OfferService::new(
            ports.offers,
            ports.clock,
            settings.friend.offer(&settings.offer_days),
            settings.fingerprints.fingerprint_key.clone(),
            shop.clone(),
        )
        .with_events(settings.webhooks.events())
        .with_discounts(settings.discount_platform.discounts()),
        friend_reward: settings.friend.friend_reward,
        landing: settings.landing(),
        shop_url: shop.url.clone(),
        shop,
        public_base_url: settings.links.public_base_url,
        referrer: ReferrerReward {
            reward_cents: settings.referrer.referrer_reward_cents,
            cap: settings.referrer.referrer_cap,
        },
    };
    let storefront = storefront_routes().route_layer(middleware::from_fn_with_state(
        settings.storefront.api_keys,
        require_api_key,
    ));
    web::openapi::finish(storefront.merge(public_routes()), FUNCTION_NAME, SUMMARY)
        .with_state(Arc::new(state))
}

/// The function's OpenAPI document, as it serves it at `/openapi.json`.
pub fn openapi() -> serde_json::Value {
    web::openapi::document(
        storefront_routes().merge(public_routes()),
        FUNCTION_NAME,
        SUMMARY,
    )
}

/// Routes for the shop's backend, behind its API key.
fn storefront_routes() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new()
        .routes(routes!(handlers::create_referral))
        .routes(routes!(handlers::referral_stats))
        .routes(routes!(claims::claim_offer))
}

/// Routes a customer's browser follows.
fn public_routes() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new()
        .routes(routes!(handlers::follow_link, claims::claim_on_page))
        .routes(routes!(handlers::follow_empty_link))
        .routes(routes!(referrer_page::referrer_page))
}
