//! Receiving a shop platform's webhooks, the same way in every function that takes them:
//! signature, topic, deduplication on the delivery id, and answers a platform will not retry.

use std::future::Future;
use std::marker::PhantomData;
use std::sync::Arc;

use axum::body::Bytes;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Duration;
use domain::model::FingerprintKey;
use domain::ports::{Clock, DeliveryKey, DeliveryLog};
use serde::Serialize;
use serde_json::Value;
use shop_platforms::{
    woocommerce, Delivery, Platform, Reading, ShopifyShop, SigningSecret, Topics,
};

use crate::ApiError;

/// How long a delivery's answer is kept: Shopify retries for 48 hours, WooCommerce for less; a
/// week leaves room for a platform's manual "resend".
pub const DELIVERY_MEMORY_DAYS: i64 = 7;

/// The secrets of the platforms the shop connected; a platform without one has no route.
#[derive(Debug, Clone, Default)]
pub struct PlatformSecrets {
    pub shopify: Option<SigningSecret>,
    pub woocommerce: Option<SigningSecret>,
    /// The Shopify shop deliveries must come from, when configured: an app's secret signs the
    /// webhooks of every shop that installed it.
    pub shopify_shop: Option<ShopifyShop>,
}

/// One function's end of the platforms' webhooks, built once per cold start: it reads each
/// delivery as `T`, the one kind of request the function acts on.
pub struct WebhookReceiver<T> {
    name: &'static str,
    secrets: PlatformSecrets,
    reading: Reading,
    /// Keys the ids of guest checkouts.
    guests: FingerprintKey,
    log: Arc<dyn DeliveryLog>,
    clock: Arc<dyn Clock>,
    topics: PhantomData<fn() -> T>,
}

impl<T> Clone for WebhookReceiver<T> {
    fn clone(&self) -> Self {
        Self {
            name: self.name,
            secrets: self.secrets.clone(),
            reading: self.reading.clone(),
            guests: self.guests.clone(),
            log: self.log.clone(),
            clock: self.clock.clone(),
            topics: PhantomData,
        }
    }
}

/// What a webhook answers with 200 when its delivery asked nothing of the function.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct IgnoredAnswer {
    /// `unhandled_topic`, `not_paid`, `unknown_order`, …
    pub ignored: &'static str,
    pub detail: String,
}

impl IgnoredAnswer {
    pub fn new(reason: &'static str, detail: impl Into<String>) -> Self {
        Self {
            ignored: reason,
            detail: detail.into(),
        }
    }
}

impl<T: Topics> WebhookReceiver<T> {
    /// `name` namespaces delivery ids, since a platform may send one event to two of our
    /// functions under the same id.
    pub fn new(
        name: &'static str,
        secrets: PlatformSecrets,
        reading: Reading,
        guests: FingerprintKey,
        log: Arc<dyn DeliveryLog>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            name,
            secrets,
            reading,
            guests,
            log,
            clock,
            topics: PhantomData,
        }
    }

    /// Verifies and reads one delivery, hands what it asks for to `act`, and answers 200 with
    /// what `act` did (a JSON object naming it in `handled`, or why nothing was in `ignored`);
    /// a redelivery gets the first answer without `act` running again. Only a bad signature
    /// (401), a body that is not the platform's JSON (400) and a failure of ours (503/500, so
    /// the platform retries) are errors.
    pub async fn receive<F, Fut, A>(
        &self,
        platform: Platform,
        headers: &HeaderMap,
        body: &Bytes,
        act: F,
    ) -> Response
    where
        F: FnOnce(T) -> Fut,
        Fut: Future<Output = Result<A, ApiError>>,
        A: Serialize,
    {
        match self.handle(platform, headers, body, act).await {
            Ok(answer) => answer,
            Err(error) => error.into_response(),
        }
    }

    async fn handle<F, Fut, A>(
        &self,
        platform: Platform,
        headers: &HeaderMap,
        body: &Bytes,
        act: F,
    ) -> Result<Response, ApiError>
    where
        F: FnOnce(T) -> Fut,
        Fut: Future<Output = Result<A, ApiError>>,
        A: Serialize,
    {
        let secret = match platform {
            Platform::Shopify => self.secrets.shopify.as_ref(),
            Platform::WooCommerce => self.secrets.woocommerce.as_ref(),
        }
        .ok_or_else(|| ApiError::NotFound("no such route".into()))?;
        if platform == Platform::WooCommerce && woocommerce::is_ping(body) {
            tracing::info!(platform = platform.as_str(), "webhook ping");
            return Ok(stored(r#"{"ignored":"ping"}"#.to_owned()));
        }
        let signed = header_text(headers, platform.signature_header())
            .is_some_and(|signature| secret.verifies(body, signature));
        if !signed {
            tracing::warn!(
                platform = platform.as_str(),
                "webhook signature missing or wrong"
            );
            return Err(ApiError::BadSignature);
        }
        let topic = header_text(headers, platform.topic_header()).ok_or_else(|| {
            ApiError::BadRequest(format!("the {} header is missing", platform.topic_header()))
        })?;
        let shop = match platform {
            Platform::Shopify => self.secrets.shopify_shop.as_ref(),
            Platform::WooCommerce => None,
        };
        if let (Some(shop), Some(header)) = (shop, platform.shop_header()) {
            if !header_text(headers, header).is_some_and(|named| shop.is(named)) {
                tracing::warn!(
                    platform = platform.as_str(),
                    topic,
                    "webhook from another shop"
                );
                return Err(ApiError::WrongShop);
            }
        }
        // Every topic's payload is a JSON object, including topics this function ignores: a
        // body that is not one did not come from the platform as documented.
        if !is_json_object(body) {
            return Err(ApiError::BadRequest("the body is not a JSON object".into()));
        }
        let delivery = platform
            .delivery_headers()
            .iter()
            .find_map(|name| header_text(headers, name))
            .and_then(|id| DeliveryKey::new(platform.as_str(), self.name, id));
        let now = self.clock.now();
        if let Some(key) = &delivery {
            if let Some(answer) = self.log.answered(key, now).await? {
                tracing::info!(platform = platform.as_str(), topic, "webhook redelivered");
                return Ok(stored(answer));
            }
        }
        let asked = T::read(platform, topic, body, &self.reading, &self.guests)
            .map_err(|e| ApiError::BadRequest(e.to_string()))?;
        // A privacy payload names its shop in the signed body: the stronger of the two checks.
        let named = match &asked {
            Delivery::Act(request) => request.shop_domain(),
            Delivery::Ignored(_) => None,
        };
        if let (Some(shop), Some(named)) = (shop, named) {
            if !shop.is(named) {
                tracing::warn!(
                    platform = platform.as_str(),
                    topic,
                    "privacy request for another shop"
                );
                return Err(ApiError::WrongShop);
            }
        }
        let answer = match asked {
            Delivery::Ignored(why) => {
                serde_json::to_value(IgnoredAnswer::new(why.reason, why.detail))
            }
            Delivery::Act(request) => serde_json::to_value(act(request).await?),
        }
        .map_err(ApiError::internal)?;
        let outcome = answer
            .get("handled")
            .or_else(|| answer.get("ignored"))
            .and_then(Value::as_str)
            .unwrap_or("");
        tracing::info!(
            platform = platform.as_str(),
            topic,
            outcome,
            "webhook handled"
        );
        if let Some(key) = &delivery {
            let expires_at = now + Duration::days(DELIVERY_MEMORY_DAYS);
            // The work is done and idempotent on the order and refund ids: failing to remember
            // only costs a redelivery the work again, so it must not fail the answer.
            if let Err(error) = self
                .log
                .remember(key, &answer.to_string(), now, expires_at)
                .await
            {
                tracing::warn!(error = %error, "could not remember a webhook delivery");
            }
        }
        Ok(stored(answer.to_string()))
    }
}

fn is_json_object(body: &[u8]) -> bool {
    let opens_an_object = body
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'{');
    opens_an_object && serde_json::from_slice::<serde::de::IgnoredAny>(body).is_ok()
}

fn header_text<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .map(str::trim)
        .filter(|value| !value.is_empty())
}

fn stored(answer: String) -> Response {
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        answer,
    )
        .into_response()
}

/// What a platform webhook answers with 200: `handled` names what was done, or `ignored` why
/// nothing was; the other fields depend on the topic.
#[derive(utoipa::ToSchema)]
#[allow(
    dead_code,
    reason = "describes the answer for the API document; built as JSON"
)]
pub struct WebhookAnswer {
    /// `order`, `refund`, `survey`, `erasure`, …
    handled: Option<String>,
    /// `ping`, `unhandled_topic`, `unknown_order`, …
    ignored: Option<String>,
    detail: Option<String>,
}

/// Every answer a platform webhook route gives, for the routes' annotations.
#[derive(utoipa::IntoResponses)]
#[allow(
    dead_code,
    reason = "describes the answers for the API document; built by WebhookReceiver"
)]
pub enum WebhookAnswers {
    /// What was done (`handled`) or why nothing was (`ignored`); a redelivery gets the first
    /// answer.
    #[response(status = 200)]
    Answered(#[to_schema] WebhookAnswer),
    /// `bad_request`: the topic header is missing, or the body is not a JSON object the topic's
    /// reader understands.
    #[response(status = 400)]
    Unreadable(crate::ErrorEnvelope),
    /// `bad_signature`: the signature header is missing or does not match the body;
    /// `wrong_shop`: with `SHOPIFY_SHOP_URL` set, `X-Shopify-Shop-Domain` or a privacy payload's
    /// `shop_domain` names another shop.
    #[response(status = 401)]
    BadSignature(crate::ErrorEnvelope),
    /// `not_found`: no secret is configured for this platform.
    #[response(status = 404)]
    NotConfigured(crate::ErrorEnvelope),
}

/// The headers Shopify sends with a delivery, besides its signature.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(
    dead_code,
    reason = "describes the headers for the API document; read by name"
)]
pub struct ShopifyHeaders {
    /// The topic: `orders/create`, `orders/paid`, `orders/cancelled`, `orders/fulfilled`,
    /// `refunds/create`, `customers/redact`, `customers/data_request` or `shop/redact`, each on
    /// the function that handles it; any other is answered 200 `ignored`, since a platform sends
    /// what the shop subscribed to. Not signed: the body's own state decides what is done.
    #[param(rename = "X-Shopify-Topic")]
    topic: String,
    /// The shop's `name.myshopify.com`; with `SHOPIFY_SHOP_URL` set it must name that shop.
    #[param(rename = "X-Shopify-Shop-Domain")]
    shop_domain: Option<String>,
    /// Shopify's id of the delivery: a redelivery gets the first answer.
    #[param(rename = "X-Shopify-Webhook-Id")]
    webhook_id: Option<String>,
    /// Shopify's id of the event, preferred over the webhook id when present.
    #[param(rename = "X-Shopify-Event-Id")]
    event_id: Option<String>,
}

/// The headers WooCommerce sends with a delivery, besides its signature.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(
    dead_code,
    reason = "describes the headers for the API document; read by name"
)]
pub struct WooCommerceHeaders {
    /// The topic: `order.created` or `order.updated`; any other is answered 200 `ignored`.
    #[param(rename = "X-WC-Webhook-Topic")]
    topic: String,
    /// WooCommerce's id of the delivery: a redelivery gets the first answer.
    #[param(rename = "X-WC-Webhook-Delivery-ID")]
    delivery_id: Option<String>,
}
