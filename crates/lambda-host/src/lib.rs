//! What a function needs to run on Lambda and nothing the local stack needs: logs as Lambda's
//! logging controls ask, settings read once with a failure reported by name, the AWS SDK
//! configuration, and the router run with Lambda's request id.

mod runtime;
pub mod sdk;

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::Router;
use clap::{CommandFactory, FromArgMatches};
use lambda_http::RequestExt;
use settings::SettingsError;
use web::REQUEST_ID_HEADER;

pub use runtime::Runtime;

/// Installs logging as Lambda's advanced logging controls ask (AWS_LAMBDA_LOG_FORMAT,
/// AWS_LAMBDA_LOG_LEVEL), else RUST_LOG; call it first, so a failure after it is logged.
pub fn init_logging() -> Runtime {
    let runtime = Runtime::from_env();
    runtime.logging.init();
    runtime
}

/// The function's settings from the process environment; a bad one is logged by name before
/// start-up fails, so the reason reaches the function's log group, not only the init error.
pub fn settings<S: CommandFactory + FromArgMatches>() -> Result<S, SettingsError> {
    settings::load(settings::from_process_env)
        .inspect_err(|error| tracing::error!(error = %error, "configuration is invalid"))
}

/// Runs the function's router on Lambda, its log lines carrying Lambda's request id.
pub async fn run(router: Router) -> Result<(), lambda_http::Error> {
    let app = web::with_request_logging(router)
        .layer(axum::middleware::map_request(with_lambda_request_id));
    lambda_http::run(app).await
}

/// The request id is Lambda's, so our lines join the platform's START and REPORT lines; one a
/// client sent is replaced.
async fn with_lambda_request_id(mut request: Request) -> Request {
    let id = request
        .lambda_context_ref()
        .and_then(|context| HeaderValue::from_str(&context.request_id).ok());
    match id {
        Some(id) => {
            request.headers_mut().insert(REQUEST_ID_HEADER, id);
        }
        None => {
            request.headers_mut().remove(REQUEST_ID_HEADER);
        }
    }
    request
}
