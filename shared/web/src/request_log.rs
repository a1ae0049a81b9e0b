//! Request ids and one JSON log line per request, without bodies, paths' values or personal data.

use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::HeaderName;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use tower::ServiceBuilder;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tracing::Instrument;

pub const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// Adds the request id header and the per-request log line to a finished router. An
/// `x-request-id` the request already carries is kept (the Lambda host puts Lambda's request id
/// there, so the lines join the platform's); otherwise a UUID is generated.
pub fn with_request_logging(router: Router) -> Router {
    router.layer(
        ServiceBuilder::new()
            .layer(SetRequestIdLayer::new(REQUEST_ID_HEADER, MakeRequestUuid))
            .layer(PropagateRequestIdLayer::new(REQUEST_ID_HEADER))
            .layer(middleware::from_fn(log_request)),
    )
}

/// Logs the route template (`/r/{code}`), never the concrete path, which may hold codes or tokens.
async fn log_request(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let request_id = request
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    // Whatever the handler logs carries the request id too, so an error joins its request.
    let span = tracing::info_span!("request", request_id = %request_id);
    let response = next.run(request).instrument(span).await;
    log_line(
        &request_id,
        method.as_str(),
        &route,
        response.status().as_u16(),
        started.elapsed().as_secs_f64() * 1000.0,
    );
    response
}

/// The one line per request; also for the answers a server gives before any route runs
/// (`route` then says why).
pub fn log_line(request_id: &str, method: &str, route: &str, status: u16, latency_ms: f64) {
    tracing::info!(request_id, method, route, status, latency_ms, "request");
}
