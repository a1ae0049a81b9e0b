//! The OpenAPI 3.1 document each function serves at `GET /openapi.json`
//! (docs/architecture.md#the-api-description). Operations come from the handlers'
//! `#[utoipa::path]` annotations, the same ones utoipa-axum registers the routes from; what every
//! operation shares (the error envelope, the answers produced before a handler runs, the request
//! id header) is added here once, so no annotation can forget it.

use std::sync::{Arc, OnceLock};

use axum::body::Bytes;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Router};
use serde_json::{json, Map, Value};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ErrorEnvelope;
use crate::{method_not_allowed, route_not_found, ApiError};

/// Security scheme names the annotations refer to (as literals, which `utoipa::path` requires;
/// the document's test checks that every one it names is declared here).
pub const STOREFRONT_KEY: &str = "storefront_key";
pub const STAFF_KEY: &str = "staff_key";
pub const PRIVACY_KEY: &str = "privacy_key";
pub const DASHBOARD_LOGIN: &str = "dashboard_login";
pub const SHOPIFY_SIGNATURE: &str = "shopify_signature";
pub const WOOCOMMERCE_SIGNATURE: &str = "woocommerce_signature";

/// Where the document is served, relative to the function's URL.
pub const DOCUMENT_PATH: &str = "/openapi.json";

/// The error envelope every error answer uses, registered once for every document.
#[derive(OpenApi)]
#[openapi(components(schemas(ErrorEnvelope)))]
struct Shared;

/// The fields that name a customer in every storefront body that carries one (`POST /referrals`,
/// `/orders`, `/surveys`), with the rules `JsonFields` parses them by.
#[derive(utoipa::ToSchema)]
#[allow(
    dead_code,
    reason = "describes the fields for the API document; JsonFields reads them"
)]
pub struct CustomerFields {
    #[schema(schema_with = crate::field_schemas::customer_id)]
    customer_id: String,
    #[schema(schema_with = crate::field_schemas::email)]
    email: String,
    #[schema(schema_with = crate::field_schemas::name)]
    name: Option<String>,
    #[schema(schema_with = crate::field_schemas::locale)]
    locale: Option<String>,
}

/// A function's document: registered with its routes at cold start, completed and serialized on
/// the first `GET /openapi.json`, which then keeps the bytes (no other request pays for it).
#[derive(Clone)]
struct Document(Arc<LazyDocument>);

struct LazyDocument {
    api: utoipa::openapi::OpenApi,
    function: &'static str,
    summary: &'static str,
    json: OnceLock<Bytes>,
}

impl LazyDocument {
    fn bytes(&self) -> Result<Bytes, serde_json::Error> {
        if let Some(bytes) = self.json.get() {
            return Ok(bytes.clone());
        }
        let document = complete(
            serde_json::to_value(&self.api)?,
            self.function,
            self.summary,
        );
        let bytes = Bytes::from(serde_json::to_vec(&document)?);
        Ok(self.json.get_or_init(|| bytes).clone())
    }
}

/// This function's OpenAPI 3.1 document: its operations, security schemes and error answers.
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "description",
    responses((status = 200, description = "This document", content_type = "application/json", body = Object))
)]
async fn openapi_json(
    Extension(Document(document)): Extension<Document>,
) -> Result<Response, ApiError> {
    let bytes = document.bytes().map_err(ApiError::internal)?;
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        bytes,
    )
        .into_response())
}

/// The function's router with its document served at `/openapi.json`, and the JSON answers for
/// unknown routes and wrong methods. `summary` opens the document's description.
pub fn finish<S>(
    routes: OpenApiRouter<S>,
    function: &'static str,
    summary: &'static str,
) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    let (router, api) = register(routes);
    let document = LazyDocument {
        api,
        function,
        summary,
        json: OnceLock::new(),
    };
    router
        .layer(Extension(Document(Arc::new(document))))
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(route_not_found)
}

/// The document a function's annotations describe, exactly as [`finish`] serves it; for the
/// merged document and its test, which have no running function to ask.
pub fn document<S>(routes: OpenApiRouter<S>, function: &str, summary: &str) -> Value
where
    S: Clone + Send + Sync + 'static,
{
    let (_, api) = register(routes);
    complete(
        serde_json::to_value(api).expect("an OpenAPI document serializes to JSON"),
        function,
        summary,
    )
}

/// The routes with `/openapi.json` among them, and what their annotations describe.
fn register<S>(routes: OpenApiRouter<S>) -> (Router<S>, utoipa::openapi::OpenApi)
where
    S: Clone + Send + Sync + 'static,
{
    OpenApiRouter::with_openapi(Shared::openapi())
        .merge(routes)
        .routes(routes!(openapi_json))
        .split_for_parts()
}

/// What the annotations leave to one place: info, security schemes, the shared error answers on
/// every operation they can occur on, and the request id on every answer.
fn complete(mut document: Value, function: &str, summary: &str) -> Value {
    document["openapi"] = json!("3.1.0");
    document["info"] = json!({
        "title": function,
        "version": env!("CARGO_PKG_VERSION"),
        "license": {"name": "MIT", "identifier": "MIT"},
        "description": format!(
            "{summary}\n\nPaths are relative to the function's URL (the stack output on AWS, \
             `http://127.0.0.1:9000/lambda-url/{function}` on the local stack). docs/api.md \
             (*HTTP API*) has the rules a schema cannot say: exactly-once rewards, the \
             order of the referral rules, the figures' definitions."
        ),
    });
    let components = document["components"]
        .as_object_mut()
        .map(std::mem::take)
        .unwrap_or_default();
    document["components"] = Value::Object(shared_components(components));
    if let Some(paths) = document["paths"].as_object_mut() {
        for item in paths.values_mut() {
            let Some(operations) = item.as_object_mut() else {
                continue;
            };
            for operation in operations.values_mut() {
                add_shared_answers(operation);
            }
        }
    }
    document
}

fn shared_components(mut components: Map<String, Value>) -> Map<String, Value> {
    let error = |description: &str| {
        json!({
            "description": description,
            "headers": {"x-request-id": {"$ref": "#/components/headers/RequestId"}},
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}},
        })
    };
    let mut unavailable = error(
        "`unavailable`: the store throttles or stays contended; retry after `Retry-After` seconds",
    );
    unavailable["headers"]["retry-after"] = json!({
        "description": "Seconds to wait before retrying",
        "schema": {"type": "integer", "minimum": 0},
    });
    let mut unauthorized = error("`unauthorized`: missing, malformed or unknown key (`bad_signature` for a platform webhook)");
    unauthorized["headers"]["www-authenticate"] = json!({
        "description": "`Bearer` for a storefront route",
        "schema": {"type": "string"},
    });
    components.insert(
        "responses".into(),
        json!({
            "BadRequest": error("`invalid_json`, `invalid_field` (with `field`) or `bad_request`"),
            "Unauthorized": unauthorized,
            "PayloadTooLarge": error("`payload_too_large`: the body is over 64 KiB (2 MiB for a platform webhook)"),
            "Unavailable": unavailable,
            "Internal": error("`internal`: a failure of ours; the body says nothing more, the log has the cause"),
        }),
    );
    components.insert(
        "headers".into(),
        json!({"RequestId": {
            "description": "The id of this request's log line (Lambda's request id on AWS)",
            "schema": {"type": "string"},
        }}),
    );
    components.insert(
        "securitySchemes".into(),
        json!({
            STOREFRONT_KEY: {
                "type": "http", "scheme": "bearer",
                "description": "The storefront's role: one of `API_KEYS`, as `Authorization: Bearer <key>`. A staff or privacy key is refused (401)",
            },
            STAFF_KEY: {
                "type": "http", "scheme": "bearer",
                "description": "The staff's role: one of `STAFF_API_KEYS`, as `Authorization: Bearer <key>`. A storefront or privacy key is refused (401)",
            },
            PRIVACY_KEY: {
                "type": "http", "scheme": "bearer",
                "description": "The privacy role: one of `PRIVACY_API_KEYS`, as `Authorization: Bearer <key>`. A storefront or staff key is refused (401)",
            },
            DASHBOARD_LOGIN: {
                "type": "http", "scheme": "basic",
                "description": "The staff's role in a browser: any user name, one of `STAFF_API_KEYS` as the password (a browser cannot send a bearer key)",
            },
            SHOPIFY_SIGNATURE: {
                "type": "apiKey", "in": "header", "name": "X-Shopify-Hmac-Sha256",
                "description": "Base64 HMAC-SHA256 of the raw body under `SHOPIFY_WEBHOOK_SECRET`",
            },
            WOOCOMMERCE_SIGNATURE: {
                "type": "apiKey", "in": "header", "name": "X-WC-Webhook-Signature",
                "description": "Base64 HMAC-SHA256 of the raw body under `WOOCOMMERCE_WEBHOOK_SECRET`",
            },
        }),
    );
    components
}

/// Adds the answers an operation can give before or around its handler, unless its annotation
/// already describes that status, and the request id header to every answer.
fn add_shared_answers(operation: &mut Value) {
    let secured = operation["security"]
        .as_array()
        .is_some_and(|requirements| {
            requirements
                .iter()
                .any(|r| r.as_object().is_some_and(|r| !r.is_empty()))
        });
    let has_body = operation.get("requestBody").is_some();
    let describes_document = operation["operationId"] == json!("openapi_json");
    let Some(responses) = operation["responses"].as_object_mut() else {
        return;
    };
    for answer in responses.values_mut() {
        if answer.get("$ref").is_none() {
            answer["headers"]["x-request-id"] = json!({"$ref": "#/components/headers/RequestId"});
        }
    }
    let mut add = |status: &str, name: &str| {
        responses
            .entry(status.to_owned())
            .or_insert_with(|| json!({"$ref": format!("#/components/responses/{name}")}));
    };
    if secured {
        add("401", "Unauthorized");
    }
    if has_body {
        add("400", "BadRequest");
        add("413", "PayloadTooLarge");
    }
    if !describes_document {
        add("503", "Unavailable");
        add("500", "Internal");
    }
}
