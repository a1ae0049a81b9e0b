//! Coupons as discount codes in the shop's platform (docs/architecture.md#platform-discounts):
//! Shopify's Admin GraphQL API and WooCommerce's REST API behind the domain's
//! `PlatformDiscounts` port. Only deliver-outbox (and the local stack's delivery task) link it.

mod shopify;
mod woocommerce;

use std::time::Duration;

use domain::model::{MinorUnits, NewDiscount};
use domain::ports::{redact_addresses, PlatformError};

pub use shopify::{ShopifyAdmin, ShopifyCredentials, SHOPIFY_API_VERSION};
pub use woocommerce::WooCommerceAdmin;

/// A platform that has not answered within this long is treated as down; the message is retried.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// Why an adapter could not be built; start-up fails with it.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error(transparent)]
    Tls(#[from] webhook_http::SetupError),
    #[error("building the platform's HTTP client")]
    Client(#[source] reqwest::Error),
}

fn http_client() -> Result<reqwest::Client, SetupError> {
    webhook_http::client_builder()?
        .timeout(TIMEOUT)
        // A redirect would carry the credentials somewhere the shop did not configure.
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!(
            "referral-feedback-discounts/",
            env!("CARGO_PKG_VERSION")
        ))
        .build()
        .map_err(SetupError::Client)
}

/// A platform's own words, kept short and without addresses: they are stored as `last_error`.
fn reason(platform: &str, text: &str) -> String {
    const MAX: usize = 500;
    let text = redact_addresses(text.trim());
    let cut = match text.char_indices().nth(MAX) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text,
    };
    format!("{platform}: {cut}")
}

/// The discount's amount as the platforms write it: a decimal string in the currency's exponent.
fn decimal_amount(platform: &str, discount: &NewDiscount) -> Result<String, PlatformError> {
    decimal(platform, discount.amount_cents, discount)
}

/// The smallest order subtotal the discount applies to, as the platform writes amounts; `None`
/// when any order will do.
fn decimal_minimum(
    platform: &str,
    discount: &NewDiscount,
) -> Result<Option<String>, PlatformError> {
    match discount.min_order_cents {
        0 => Ok(None),
        cents => decimal(platform, cents, discount).map(Some),
    }
}

fn decimal(platform: &str, cents: u64, discount: &NewDiscount) -> Result<String, PlatformError> {
    MinorUnits::new(cents)
        .and_then(|amount| amount.to_decimal(&discount.currency))
        .map_err(|e| PlatformError::Refused(reason(platform, &e.to_string())))
}

/// A transport failure: nothing was answered (refused connection, timeout).
fn unreachable(platform: &str, error: &reqwest::Error) -> PlatformError {
    let what = if error.is_timeout() {
        "no answer within 10 s"
    } else {
        "could not be reached"
    };
    // reqwest's own message names the URL, which holds no secret (credentials go in headers).
    PlatformError::Transient(reason(platform, &format!("{what} ({error})")))
}

/// HTTP statuses that retry on the schedule: throttling, the platform's own failures, and a
/// refused credential (a key being rotated); anything else the platform refused for good.
fn by_status(platform: &str, status: reqwest::StatusCode, body: &str) -> PlatformError {
    classify(
        status,
        reason(platform, &format!("HTTP {} {}", status.as_u16(), body)),
    )
}

/// `text` (the platform's own words) as the failure `status` makes it.
fn classify(status: reqwest::StatusCode, text: String) -> PlatformError {
    if status.is_server_error()
        || status == reqwest::StatusCode::TOO_MANY_REQUESTS
        || status == reqwest::StatusCode::UNAUTHORIZED
    {
        PlatformError::Transient(text)
    } else {
        PlatformError::Refused(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_short_and_without_addresses() {
        assert_eq!(
            reason("WooCommerce", "Invalid email anna@example.com "),
            "WooCommerce: Invalid email <address>"
        );
        let long = reason("Shopify", &"x".repeat(2000));
        assert_eq!(long.chars().count(), "Shopify: ".len() + 500 + 1);
    }
}
