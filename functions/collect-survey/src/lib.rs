//! collect-survey: the thank-you mail with a one-click NPS survey, the survey pages, answers,
//! unsubscribe and detractor alerts.

mod handlers;
mod pages;
mod settings;
mod survey_pages;
mod unsubscribe;
mod webhooks;

use std::sync::Arc;

use axum::{middleware, Router};
use domain::model::{HttpUrl, Locale, SurveyRequest};
use domain::ports::{Clock, DeliveryLog, FollowUpStore, ReferralStore, SurveyStore};
use domain::services::{FollowUpService, ReferralService, ShopIdentity, SurveyService};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use web::{require_api_key, WebhookReceiver};

pub use settings::{LambdaSettings, Settings};

pub const FUNCTION_NAME: &str = "collect-survey";

/// The opening of the function's API description.
const SUMMARY: &str = "The thank-you mail with a one-click NPS survey, the survey pages, answers, unsubscribe, detractor alerts and their follow-ups.";

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
    follow_ups: FollowUpService,
    webhooks: WebhookReceiver<SurveyRequest>,
    public_base_url: Option<HttpUrl>,
    default_locale: Locale,
    /// The shop's name and home page, linked from the survey and thank-you pages.
    shop: ShopIdentity,
}

/// The composition root: the function's routes over its ports, as Lambda runs them and as the
/// local stack mounts them. Survey requests need a storefront key, follow-ups a staff key; survey
/// and unsubscribe links are public capability URLs; the platforms' webhooks are authenticated
/// by their signatures.
pub fn build(settings: Settings, ports: Ports) -> Router {
    let events = settings.webhooks.events();
    let follow_ups: Arc<dyn FollowUpStore> = ports.surveys.clone();
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
        follow_ups: FollowUpService::new(follow_ups, ports.clock.clone()),
        webhooks: WebhookReceiver::new(
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
        shop: settings.shop.identity(),
    };
    let storefront = storefront_routes().route_layer(middleware::from_fn_with_state(
        settings.storefront.api_keys,
        require_api_key,
    ));
    let staff = staff_routes().route_layer(middleware::from_fn_with_state(
        settings.staff.staff_api_keys,
        require_api_key,
    ));
    let routes = storefront.merge(staff).merge(public_routes());
    web::openapi::finish(routes, FUNCTION_NAME, SUMMARY).with_state(Arc::new(state))
}

/// The function's OpenAPI document, as it serves it at `/openapi.json`.
pub fn openapi() -> serde_json::Value {
    web::openapi::document(
        storefront_routes()
            .merge(staff_routes())
            .merge(public_routes()),
        FUNCTION_NAME,
        SUMMARY,
    )
}

/// The storefront's survey requests, behind a storefront key.
fn storefront_routes() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new().routes(routes!(handlers::request_survey))
}

/// Support closing the loop on a detractor, behind a staff key.
fn staff_routes() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new().routes(routes!(handlers::follow_up))
}

/// Routes a customer's browser and mail client follow, and the platforms' deliveries behind
/// their signatures.
fn public_routes() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new()
        .routes(routes!(survey_pages::survey_page, survey_pages::answer))
        .routes(routes!(
            unsubscribe::unsubscribe_page,
            unsubscribe::unsubscribe
        ))
        .routes(routes!(
            unsubscribe::unsubscribe_customer_page,
            unsubscribe::unsubscribe_customer
        ))
        .routes(routes!(webhooks::shopify))
        .routes(routes!(webhooks::woocommerce))
}
