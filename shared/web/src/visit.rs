//! Who follows a link, as far as the request tells: the address it came from (inserted by the
//! front end, Lambda's or the local server's), the user agent, and whether it is a prefetch.

use std::convert::Infallible;
use std::net::IpAddr;

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use domain::model::{is_prefetch, Visit};

/// The address a request came from as the front end saw it: the function URL's
/// `requestContext.http.sourceIp` on Lambda, the connection's peer locally. Never taken from a
/// header a client can write (`X-Forwarded-For`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceIp(pub IpAddr);

/// The headers browsers send when they load a page ahead of a click: `Sec-Purpose` (the
/// standard), `Purpose` (Chrome before it), `X-Purpose` (Safari), `X-Moz` (Firefox).
const PURPOSE_HEADERS: [&str; 4] = ["sec-purpose", "purpose", "x-purpose", "x-moz"];

/// A share link's follow as [`Visit`] for the referral rules.
pub struct LinkVisit(pub Visit);

impl<S: Send + Sync> FromRequestParts<S> for LinkVisit {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let text = |name| {
            parts
                .headers
                .get(name)
                .and_then(|value| value.to_str().ok())
        };
        Ok(Self(Visit {
            user_agent: text(header::USER_AGENT.as_str()).map(str::to_owned),
            source_ip: parts.extensions.get::<SourceIp>().map(|ip| ip.0),
            prefetch: PURPOSE_HEADERS
                .iter()
                .filter_map(|name| text(name))
                .any(is_prefetch),
        }))
    }
}
