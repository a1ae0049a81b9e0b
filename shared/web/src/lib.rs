//! HTTP glue shared by every function: auth, errors, JSON bodies, request logging, links.

mod auth;
mod base_url;
mod error;
mod feedback;
pub mod field_schemas;
mod html_page;
mod json_body;
pub mod openapi;
mod pagination;
mod params;
mod path_text;
mod platform_webhooks;
mod request_log;
pub mod telemetry;
mod visit;
mod webhook_route;

pub use auth::{require_api_key, ApiKeys, MIN_KEY_LEN};
pub use base_url::{function_base_url, RequestOrigin};
pub use error::{method_not_allowed, route_not_found, ApiError, ErrorEnvelope};
pub use feedback::{FollowUpBody, ResponseBody};
pub use html_page::{
    choose_locale, content_security_policy, customer_page, html_page, scripted_page_policy,
    style_source, PAGE_STYLE,
};
pub use json_body::{read_body, JsonFields, RawBody, BODY_LIMIT, WEBHOOK_BODY_LIMIT};
pub use pagination::{page_limit, Cursor, DEFAULT_PAGE, MAX_PAGE};
pub use params::{given, Params};
pub use path_text::PathText;
pub use platform_webhooks::{
    IgnoredAnswer, PlatformSecrets, ShopifyHeaders, WebhookAnswer, WebhookAnswers, WebhookReceiver,
    WooCommerceHeaders, DELIVERY_MEMORY_DAYS,
};
pub use request_log::{log_line, with_request_logging, REQUEST_ID_HEADER};
pub use visit::{LinkVisit, SourceIp};
