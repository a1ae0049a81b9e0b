//! What a function needs to run on Lambda and nothing the local stack needs: logs as Lambda's
//! logging controls ask, settings read once with a failure reported by name, the AWS SDK
//! configuration, and the router run with Lambda's request id.

mod runtime;
pub mod sdk;

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::response::IntoResponse;
use axum::Router;
use clap::{CommandFactory, FromArgMatches};
use lambda_http::request::RequestContext;
use lambda_http::RequestExt;
use settings::SettingsError;
use web::{SourceIp, REQUEST_ID_HEADER};

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
    let app =
        web::with_request_logging(router).layer(axum::middleware::map_request(with_lambda_context));
    // Outside the router: axum sets `content-length` as a response leaves a route.
    let app = tower::ServiceExt::<lambda_http::Request>::and_then(app, |response| async move {
        Ok::<_, std::convert::Infallible>(for_lambda_http(response).await)
    });
    lambda_http::run(app).await
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// What lambda_http would otherwise get wrong in a response. It turns a `text/*` body into the
/// Lambda response's string with encoding_rs's `decode`, which sniffs and removes a leading
/// byte-order mark; the CSV export starts with one on purpose (Excel reads UTF-8 only with it),
/// so such a body gets a second and exactly one reaches the client. And it keeps the
/// `content-length` axum computed from the body before that conversion, which the function URL
/// would send with a body of another length; the function URL computes its own.
async fn for_lambda_http(mut response: axum::response::Response) -> axum::response::Response {
    response.headers_mut().remove(header::CONTENT_LENGTH);
    let headers = response.headers();
    let converted_as_text = headers.get(header::CONTENT_ENCODING).is_none()
        && headers
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.starts_with("text/"));
    if !converted_as_text {
        return response;
    }
    let (parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(error) => {
            tracing::error!(%error, "reading a response body failed");
            return web::ApiError::internal(error).into_response();
        }
    };
    let body = if bytes.starts_with(BOM) {
        [BOM, &bytes[..]].concat().into()
    } else {
        bytes
    };
    axum::response::Response::from_parts(parts, axum::body::Body::from(body))
}

/// The request id is Lambda's, so our lines join the platform's START and REPORT lines; one a
/// client sent is replaced. The source address is the function URL's, for rules that tell
/// visitors apart.
async fn with_lambda_context(mut request: Request) -> Request {
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
    if let Some(ip) = source_ip(&request) {
        request.extensions_mut().insert(SourceIp(ip));
    }
    request
}

/// `requestContext.http.sourceIp` of a function URL's event (the payload of API Gateway's
/// HTTP APIs, version 2.0).
fn source_ip(request: &Request) -> Option<std::net::IpAddr> {
    match request.request_context_ref()? {
        RequestContext::ApiGatewayV2(context) => context.http.source_ip.as_deref()?.parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Through lambda_http's own conversion, as Lambda runs it.
    async fn as_lambda_body(content_type: &str, body: &'static [u8]) -> lambda_http::Body {
        let response = axum::http::Response::builder()
            .header(header::CONTENT_TYPE, content_type)
            .body(axum::body::Body::from(body))
            .expect("response");
        let kept = for_lambda_http(response).await;
        lambda_http::IntoResponse::into_response(kept)
            .await
            .into_body()
    }

    #[tokio::test]
    async fn no_stale_content_length_reaches_the_function_url() {
        let response = axum::http::Response::builder()
            .header(header::CONTENT_TYPE, "text/csv")
            .header(header::CONTENT_LENGTH, "9")
            .body(axum::body::Body::from(&b"\xEF\xBB\xBFa,b\r\n"[..]))
            .expect("response");
        let converted =
            lambda_http::IntoResponse::into_response(for_lambda_http(response).await).await;
        assert!(converted.headers().get(header::CONTENT_LENGTH).is_none());
    }

    #[tokio::test]
    async fn a_text_body_keeps_its_byte_order_mark_on_lambda() {
        let csv = as_lambda_body("text/csv; charset=utf-8", b"\xEF\xBB\xBFa,b\r\n").await;
        assert_eq!(csv, lambda_http::Body::Text("\u{feff}a,b\r\n".into()));
        let page = as_lambda_body("text/html; charset=utf-8", b"<p>ok</p>").await;
        assert_eq!(page, lambda_http::Body::Text("<p>ok</p>".into()));
        let json = as_lambda_body("application/json", b"{}").await;
        assert_eq!(json, lambda_http::Body::Text("{}".into()));
    }

    /// A function URL's event as AWS documents it
    /// (https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html#urls-payloads).
    const FUNCTION_URL_EVENT: &str = r#"{
      "version": "2.0",
      "routeKey": "$default",
      "rawPath": "/r/ABCD2345",
      "rawQueryString": "",
      "headers": {"host": "abc.lambda-url.us-east-1.on.aws", "user-agent": "Mozilla/5.0"},
      "requestContext": {
        "accountId": "123456789012",
        "apiId": "abc",
        "domainName": "abc.lambda-url.us-east-1.on.aws",
        "domainPrefix": "abc",
        "http": {"method": "GET", "path": "/r/ABCD2345", "protocol": "HTTP/1.1",
                 "sourceIp": "2001:db8::7", "userAgent": "Mozilla/5.0"},
        "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
        "routeKey": "$default",
        "stage": "$default",
        "time": "12/Mar/2020:19:03:58 +0000",
        "timeEpoch": 1583348638390
      },
      "isBase64Encoded": false
    }"#;

    #[tokio::test]
    async fn the_function_urls_source_address_reaches_the_handlers() {
        let event = lambda_http::request::from_str(FUNCTION_URL_EVENT).expect("event");
        let request = event.map(|body| axum::body::Body::from(body.to_vec()));
        let request = with_lambda_context(request).await;
        assert_eq!(
            request.extensions().get::<SourceIp>(),
            Some(&SourceIp("2001:db8::7".parse().expect("ip")))
        );
        let spoofed = FUNCTION_URL_EVENT.replace(
            r#""user-agent": "Mozilla/5.0""#,
            r#""x-forwarded-for": "198.51.100.1""#,
        );
        let event = lambda_http::request::from_str(&spoofed).expect("event");
        let request = with_lambda_context(event.map(|body| axum::body::Body::from(body.to_vec())));
        assert_eq!(
            request
                .await
                .extensions()
                .get::<SourceIp>()
                .map(|ip| ip.0.to_string()),
            Some("2001:db8::7".to_owned()),
            "a header a client writes is not the source"
        );
    }
}
