//! collect-survey: the thank-you mail with a one-click NPS survey, the survey pages, answers,
//! unsubscribe and detractor alerts.

mod handlers;
mod pages;
mod settings;
mod webhooks;

use std::sync::Arc;

use axum::routing::{get, post};
use axum::{middleware, Router};
use domain::model::{HttpUrl, Locale};
use domain::ports::{Clock, DeliveryLog, ReferralStore, SurveyStore};
use domain::services::{ReferralService, SurveyService};
use shop_platforms::Receiver;
use web::{method_not_allowed, require_api_key, route_not_found, WebhookReceiver};

pub use settings::{LambdaSettings, Settings};

pub const FUNCTION_NAME: &str = "collect-survey";

/// What the function needs from the outside world; the host decides which adapters stand
/// behind them. `referrals` gives promoters their share link.
pub struct Ports {
    pub surveys: Arc<dyn SurveyStore>,
    pub referrals: Arc<dyn ReferralStore>,
    pub deliveries: Arc<dyn DeliveryLog>,
    pub clock: Arc<dyn Clock>,
}

/// What the handlers need, built once per cold start.
struct AppState {
    surveys: SurveyService,
    webhooks: WebhookReceiver,
    public_base_url: Option<HttpUrl>,
    default_locale: Locale,
    shop_name: String,
}

/// The composition root: the function's routes over its ports, as Lambda runs them and as the
/// local stack mounts them. The storefront route needs the key; survey and unsubscribe links are
/// public capability URLs; the platforms' webhooks are authenticated by their signatures.
pub fn build(settings: Settings, ports: Ports) -> Router {
    let events = settings.webhooks.events();
    let surveys = SurveyService::new(
        ports.surveys,
        ports.clock.clone(),
        settings.shop.identity(),
        settings.support_email.clone(),
        settings.rules(),
        ReferralService::new(
            ports.referrals,
            ports.clock.clone(),
            settings.fingerprints.fingerprint_key.clone(),
        )
        .with_events(events),
        settings.referral_links(),
        events,
        settings.fingerprints.fingerprint_key.clone(),
    );
    let state = AppState {
        surveys,
        webhooks: WebhookReceiver::new(
            Receiver::Surveys,
            FUNCTION_NAME,
            settings.platforms.secrets(),
            // Surveys need no referral code.
            shop_platforms::Reading::default(),
            settings.fingerprints.fingerprint_key.clone(),
            ports.deliveries,
            ports.clock,
        ),
        public_base_url: settings.links.public_base_url,
        default_locale: settings.shop.default_locale,
        shop_name: settings.shop.name.shop_name,
    };
    let storefront = Router::new()
        .route("/surveys", post(handlers::request_survey))
        .route(
            "/responses/{survey_id}/follow-up",
            post(handlers::follow_up),
        )
        .route_layer(middleware::from_fn_with_state(
            settings.storefront.api_keys,
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
        )
        .route("/webhooks/shopify", post(webhooks::shopify))
        .route("/webhooks/woocommerce", post(webhooks::woocommerce));
    storefront
        .merge(public)
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(route_not_found)
        .with_state(Arc::new(state))
}
