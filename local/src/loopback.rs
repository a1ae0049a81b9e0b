//! The local stack answers only requests addressed to it by a loopback name. It listens on
//! 127.0.0.1, but a web page the developer opens could still reach it through DNS rebinding (a
//! name of the attacker's that resolves to 127.0.0.1), and its console shows the API keys; such
//! a request carries the attacker's name in `Host` and is refused with 421.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::HOST;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use web::ApiError;

/// `127.0.0.1:PORT`, `localhost:PORT` and `[::1]:PORT` for the port the stack listens on.
#[derive(Clone)]
pub struct Hosts(Arc<[String; 3]>);

impl Hosts {
    pub fn for_port(port: u16) -> Self {
        Self(Arc::new([
            format!("127.0.0.1:{port}"),
            format!("localhost:{port}"),
            format!("[::1]:{port}"),
        ]))
    }

    fn allows(&self, host: &str) -> bool {
        self.0
            .iter()
            .any(|allowed| allowed.eq_ignore_ascii_case(host))
    }
}

pub async fn only_loopback_hosts(
    State(hosts): State<Hosts>,
    request: Request,
    next: Next,
) -> Response {
    let host = request
        .headers()
        .get(HOST)
        .and_then(|value| value.to_str().ok())
        .map(str::trim);
    match host {
        Some(host) if hosts.allows(host) => next.run(request).await,
        _ => ApiError::Misdirected(
            "the local stack answers only 127.0.0.1, localhost and [::1] with its port in Host"
                .into(),
        )
        .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::Hosts;

    #[test]
    fn only_loopback_names_with_the_port_are_allowed() {
        let hosts = Hosts::for_port(9000);
        for allowed in [
            "127.0.0.1:9000",
            "localhost:9000",
            "LOCALHOST:9000",
            "[::1]:9000",
        ] {
            assert!(hosts.allows(allowed), "{allowed}");
        }
        for refused in [
            "attacker.example:9000",
            "127.0.0.1",
            "localhost",
            "127.0.0.1:9001",
            "localhost.attacker.example:9000",
            "",
        ] {
            assert!(!hosts.allows(refused), "{refused}");
        }
    }
}
