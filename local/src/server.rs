//! The local stack's HTTP/1.1 server: axum's router on hyper, with read timeouts and the
//! error envelope on the answers hyper gives by itself. On Lambda the function URL's front end
//! parses requests; locally it is this, so a storefront developer meets the same contract.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tower_http::timeout::RequestBodyTimeoutLayer;
use web::SourceIp;

/// A client has this long to send a request's headers; one that sends half of them is cut off
/// instead of holding a connection open.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// And this long between pieces of its body, which then answers `400 bad_request`.
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// In-flight requests get this long to finish when the stack stops.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Serves `app` until `stop` resolves, then lets in-flight requests finish.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    stop: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let app = app.layer(RequestBodyTimeoutLayer::new(BODY_READ_TIMEOUT));
    let graceful = GracefulShutdown::new();
    let mut stop = std::pin::pin!(stop);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: keep serving the connections we have.
                    tracing::warn!(error = %error, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        // The peer is what Lambda's function URL reports as the source address.
        let source = SourceIp(peer.ip());
        let app = tower::ServiceExt::map_request(
            app.clone(),
            move |mut request: hyper::Request<hyper::body::Incoming>| {
                request.extensions_mut().insert(source);
                request
            },
        );
        let connection = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(HEADER_READ_TIMEOUT)
            .serve_connection(
                TokioIo::new(ParserAnswers::new(stream)),
                TowerToHyperService::new(app),
            );
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(error = %error, "connection ended with an error");
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("requests still running after the grace period were cut off");
    }
    Ok(())
}

/// The connection's byte stream, with one rewrite: hyper answers a request it cannot parse
/// (a bad request line or header, a path or headers too long) by itself, with an empty body and
/// no request id. Every answer of ours carries `x-request-id`, so a head without one, in hyper's
/// exact shape, is such an answer; it leaves as the error envelope with a request id, logged
/// like every request.
struct ParserAnswers<S> {
    inner: S,
    /// The replacement not yet written, and how much of it has been.
    pending: Option<(Vec<u8>, usize)>,
}

impl<S> ParserAnswers<S> {
    fn new(inner: S) -> Self {
        Self {
            inner,
            pending: None,
        }
    }
}

/// `Some((status, reason))` when `bytes` is hyper's own answer to a request it could not parse.
fn parser_answer(bytes: &[u8]) -> Option<(u16, &str)> {
    let text = std::str::from_utf8(bytes).ok()?;
    let (head, rest) = text.split_once("\r\n\r\n")?;
    if !rest.is_empty() {
        return None;
    }
    let mut lines = head.split("\r\n");
    let status_line = lines.next()?.strip_prefix("HTTP/1.1 ")?;
    let (code, reason) = status_line.split_once(' ')?;
    let code: u16 = code.parse().ok()?;
    let mut headers: Vec<&str> = lines.collect();
    headers.retain(|line| !line.to_ascii_lowercase().starts_with("date:"));
    headers.sort_unstable();
    let hypers_own = headers == ["connection: close", "content-length: 0"];
    ((400..500).contains(&code) && hypers_own).then_some((code, reason))
}

fn replacement(code: u16, reason: &str) -> Vec<u8> {
    let request_id = uuid::Uuid::new_v4().to_string();
    let message = match code {
        414 => "the request's path and query are too long",
        431 => "the request's headers are too large",
        _ => "the request is not valid HTTP/1.1",
    };
    let body =
        serde_json::json!({"error": {"code": "bad_request", "message": message}}).to_string();
    web::log_line(&request_id, "", "unparsed", code, 0.0);
    format!(
        "HTTP/1.1 {code} {reason}\r\ncontent-type: application/json\r\nx-request-id: {request_id}\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

impl<S: AsyncWrite + Unpin> ParserAnswers<S> {
    /// Writes what is left of a replacement; `Ready(Ok)` once nothing is.
    fn poll_pending(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while let Some((bytes, written)) = &mut self.pending {
            if *written == bytes.len() {
                self.pending = None;
                break;
            }
            let n =
                std::task::ready!(Pin::new(&mut self.inner).poll_write(cx, &bytes[*written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            *written += n;
        }
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for ParserAnswers<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for ParserAnswers<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bytes: &[u8],
    ) -> Poll<io::Result<usize>> {
        std::task::ready!(self.poll_pending(cx))?;
        if let Some((code, reason)) = parser_answer(bytes) {
            self.pending = Some((replacement(code, reason), 0));
            // hyper's bytes are taken in full; the replacement goes out in their place.
            let _ = self.poll_pending(cx)?;
            return Poll::Ready(Ok(bytes.len()));
        }
        Pin::new(&mut self.inner).poll_write(cx, bytes)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        std::task::ready!(self.poll_pending(cx))?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        std::task::ready!(self.poll_pending(cx))?;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    /// hyper then hands each message head to `poll_write` in one piece, which the check above
    /// relies on.
    fn is_write_vectored(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::parser_answer;

    #[test]
    fn only_hypers_own_answers_are_rewritten() {
        let hyper = b"HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\ndate: Mon, 30 Nov 2026 22:44:55 GMT\r\n\r\n";
        assert_eq!(parser_answer(hyper), Some((400, "Bad Request")));
        let long = b"HTTP/1.1 414 URI Too Long\r\nconnection: close\r\ncontent-length: 0\r\ndate: x\r\n\r\n";
        assert_eq!(parser_answer(long), Some((414, "URI Too Long")));
        let ours = b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\nx-request-id: 1\r\ncontent-length: 2\r\n\r\n{}";
        assert_eq!(parser_answer(ours), None);
        let empty_ok = b"HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 0\r\n\r\n";
        assert_eq!(parser_answer(empty_ok), None);
    }
}
