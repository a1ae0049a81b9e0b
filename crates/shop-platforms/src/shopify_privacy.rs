//! Shopify's mandatory privacy webhooks: `customers/redact`, `customers/data_request` and
//! `shop/redact`, which every app on the Shopify App Store must answer.

use domain::model::{CustomerId, Email};
use serde::Deserialize;

use crate::facts::{DataRequest, Ignored, PlatformRequest};
use crate::ids::RawId;
use crate::shopify::parse;
use crate::PayloadError;

#[derive(Debug, Deserialize)]
struct CustomerPayload {
    customer: Option<Customer>,
}

#[derive(Debug, Deserialize)]
struct Customer {
    id: Option<RawId>,
    email: Option<String>,
}

/// What a privacy delivery on `topic` asks for.
pub(crate) fn read(topic: &str, body: &[u8]) -> Result<PlatformRequest, PayloadError> {
    match topic {
        "customers/redact" => Ok(PlatformRequest::Erase(subject(parse(topic, body)?))),
        "customers/data_request" => Ok(PlatformRequest::DataRequest(subject(parse(topic, body)?))),
        "shop/redact" => Ok(PlatformRequest::ShopRedact),
        _ => Ok(Ignored::request("unhandled_topic", topic)),
    }
}

/// The customer's id and address, where present and well-formed; a delivery naming neither
/// still succeeds (there is nothing of theirs to find).
fn subject(payload: CustomerPayload) -> DataRequest {
    let customer = payload.customer;
    DataRequest {
        customer_id: customer
            .as_ref()
            .and_then(|c| c.id.as_ref())
            .and_then(|id| CustomerId::parse(&id.text()).ok()),
        email: customer
            .as_ref()
            .and_then(|c| c.email.as_deref())
            .and_then(|raw| Email::parse(raw).ok()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The examples of Shopify's documentation on privacy law compliance webhooks.
    const REDACT: &str = r#"{"shop_id":954889,"shop_domain":"{shop}.myshopify.com","customer":{"id":191167,"email":"john@example.com","phone":"555-625-1199"},"orders_to_redact":[299938,280263,220458]}"#;
    const DATA_REQUEST: &str = r#"{"shop_id":954889,"shop_domain":"{shop}.myshopify.com","orders_requested":[299938,280263,220458],"customer":{"id":191167,"email":"john@example.com","phone":"555-625-1199"},"data_request":{"id":9999}}"#;
    const SHOP_REDACT: &str = r#"{"shop_id":954889,"shop_domain":"{shop}.myshopify.com"}"#;

    fn john() -> DataRequest {
        DataRequest {
            customer_id: Some(CustomerId::parse("191167").expect("id")),
            email: Some(Email::parse("john@example.com").expect("email")),
        }
    }

    #[test]
    fn reads_the_documented_payloads() {
        assert!(matches!(
            read("customers/redact", REDACT.as_bytes()),
            Ok(PlatformRequest::Erase(subject)) if subject == john()
        ));
        assert!(matches!(
            read("customers/data_request", DATA_REQUEST.as_bytes()),
            Ok(PlatformRequest::DataRequest(subject)) if subject == john()
        ));
        assert!(matches!(
            read("shop/redact", SHOP_REDACT.as_bytes()),
            Ok(PlatformRequest::ShopRedact)
        ));
    }

    #[test]
    fn a_customer_without_id_or_address_names_nobody() {
        assert!(matches!(
            read(
                "customers/redact",
                br#"{"shop_id":1,"customer":{"id":null,"email":"not an address"}}"#
            ),
            Ok(PlatformRequest::Erase(DataRequest {
                customer_id: None,
                email: None
            }))
        ));
        assert!(read("customers/redact", b"[]").is_err());
    }

    #[test]
    fn other_topics_are_not_ours() {
        assert!(matches!(
            read("orders/create", b"{}"),
            Ok(PlatformRequest::Ignored(_))
        ));
    }
}
