//! Shopify's mandatory privacy webhooks: `customers/redact`, `customers/data_request` and
//! `shop/redact`, which every app on the Shopify App Store must answer.

use domain::model::{CustomerId, Email};
use serde::Deserialize;

use crate::facts::{DataRequest, Delivery, Ignored, PrivacyRequest};
use crate::ids::RawId;
use crate::shopify::{invalid, parse};
use crate::PayloadError;

// Each topic's documented payload and nothing else: Shopify signs the body, not the topic
// header, so a signed order body sent under `customers/redact` must not erase its customer.
// Unknown fields are refused, which refuses every order and refund body.

/// `customers/redact`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Redact {
    #[allow(
        dead_code,
        reason = "part of the documented payload; the shop is checked by its domain"
    )]
    shop_id: RawId,
    shop_domain: String,
    customer: Customer,
    #[allow(
        dead_code,
        reason = "the customer's orders are found by the customer's id"
    )]
    orders_to_redact: Vec<RawId>,
}

/// `customers/data_request`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DataRequestPayload {
    #[allow(
        dead_code,
        reason = "part of the documented payload; the shop is checked by its domain"
    )]
    shop_id: RawId,
    shop_domain: String,
    customer: Customer,
    #[serde(default)]
    #[allow(dead_code, reason = "the export covers every order of the customer")]
    orders_requested: Vec<RawId>,
    #[allow(
        dead_code,
        reason = "Shopify's id of the request; the export answers it"
    )]
    data_request: DataRequestId,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DataRequestId {
    #[allow(dead_code, reason = "part of the documented payload")]
    id: RawId,
}

/// `shop/redact`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ShopRedactPayload {
    #[allow(
        dead_code,
        reason = "part of the documented payload; the shop is checked by its domain"
    )]
    shop_id: RawId,
    shop_domain: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Customer {
    id: Option<RawId>,
    email: Option<String>,
    #[allow(dead_code, reason = "no phone number is stored")]
    phone: Option<String>,
}

/// What a privacy delivery on `topic` asks for.
pub(crate) fn read(topic: &str, body: &[u8]) -> Result<Delivery<PrivacyRequest>, PayloadError> {
    match topic {
        "customers/redact" => {
            let payload: Redact = parse(topic, body)?;
            Ok(Delivery::Act(PrivacyRequest::Erase(subject(
                topic,
                payload.customer,
                payload.shop_domain,
            )?)))
        }
        "customers/data_request" => {
            let payload: DataRequestPayload = parse(topic, body)?;
            Ok(Delivery::Act(PrivacyRequest::DataRequest(subject(
                topic,
                payload.customer,
                payload.shop_domain,
            )?)))
        }
        "shop/redact" => {
            let payload: ShopRedactPayload = parse(topic, body)?;
            Ok(Delivery::Act(PrivacyRequest::ShopRedact {
                shop_domain: shop_domain(topic, payload.shop_domain)?,
            }))
        }
        _ => Ok(Ignored::new("unhandled_topic", topic).into()),
    }
}

fn shop_domain(topic: &str, raw: String) -> Result<String, PayloadError> {
    let domain = raw.trim().to_ascii_lowercase();
    if domain.is_empty() {
        return Err(invalid(topic, "shop_domain is empty"));
    }
    Ok(domain)
}

/// The customer's id and address, where present and well-formed; a delivery naming neither
/// still succeeds (there is nothing of theirs to find).
fn subject(topic: &str, customer: Customer, shop: String) -> Result<DataRequest, PayloadError> {
    Ok(DataRequest {
        customer_id: customer
            .id
            .as_ref()
            .and_then(|id| CustomerId::parse(&id.text()).ok()),
        email: customer
            .email
            .as_deref()
            .and_then(|raw| Email::parse(raw).ok()),
        shop_domain: shop_domain(topic, shop)?,
    })
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
            shop_domain: "{shop}.myshopify.com".into(),
        }
    }

    #[test]
    fn reads_the_documented_payloads() {
        assert!(matches!(
            read("customers/redact", REDACT.as_bytes()),
            Ok(Delivery::Act(PrivacyRequest::Erase(subject))) if subject == john()
        ));
        assert!(matches!(
            read("customers/data_request", DATA_REQUEST.as_bytes()),
            Ok(Delivery::Act(PrivacyRequest::DataRequest(subject))) if subject == john()
        ));
        assert!(matches!(
            read("shop/redact", SHOP_REDACT.as_bytes()),
            Ok(Delivery::Act(PrivacyRequest::ShopRedact { shop_domain })) if shop_domain == "{shop}.myshopify.com"
        ));
    }

    #[test]
    fn a_customer_without_id_or_address_names_nobody() {
        assert!(matches!(
            read(
                "customers/redact",
                br#"{"shop_id":1,"shop_domain":"a.myshopify.com","customer":{"id":null,"email":"not an address"},"orders_to_redact":[]}"#
            ),
            Ok(Delivery::Act(PrivacyRequest::Erase(DataRequest {
                customer_id: None,
                email: None,
                ..
            })))
        ));
        assert!(read("customers/redact", b"[]").is_err());
    }

    #[test]
    fn a_body_that_is_not_the_topics_documented_payload_is_refused() {
        let order = include_str!("../../../tests/fixtures/shopify/order.json");
        let refund = include_str!("../../../tests/fixtures/shopify/refund.json");
        for topic in ["customers/redact", "customers/data_request", "shop/redact"] {
            for body in [order, refund] {
                assert!(read(topic, body.as_bytes()).is_err(), "{topic}");
            }
        }
        assert!(read("customers/redact", DATA_REQUEST.as_bytes()).is_err());
        assert!(read("customers/data_request", REDACT.as_bytes()).is_err());
        assert!(read("shop/redact", REDACT.as_bytes()).is_err());
        assert!(read("customers/redact", br#"{"shop_id":1,"customer":{"id":1}}"#).is_err());
    }

    #[test]
    fn other_topics_are_not_ours() {
        assert!(matches!(
            read("orders/create", b"{}"),
            Ok(Delivery::Ignored(_))
        ));
    }
}
