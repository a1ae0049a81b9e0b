//! Shopify's order webhooks (Admin API REST shapes): `orders/create`, `orders/paid`,
//! `refunds/create` for rewards, `orders/fulfilled` for surveys; the privacy topics are in
//! `shopify_privacy`.

use chrono::{DateTime, SubsecRound, Utc};
use domain::model::{Currency, MinorUnits, OrderId, RefundId};
use domain::ports::PartialRefund;
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::facts::{self, Buyer, Ignored, OrderFacts, PlatformRequest, ReferralSources};
use crate::ids::RawId;
use crate::{PayloadError, Reading, Receiver};
use domain::model::FingerprintKey;

#[derive(Debug, Deserialize)]
struct ShopifyOrder {
    id: RawId,
    email: Option<String>,
    contact_email: Option<String>,
    customer: Option<Customer>,
    customer_locale: Option<String>,
    currency: Option<String>,
    current_total_price: Option<String>,
    total_price: Option<String>,
    created_at: String,
    #[serde(default)]
    note_attributes: Vec<NoteAttribute>,
    #[serde(default)]
    discount_codes: Vec<DiscountCode>,
    landing_site: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Customer {
    id: Option<RawId>,
    email: Option<String>,
    first_name: Option<String>,
}

#[derive(Debug, Deserialize)]
struct NoteAttribute {
    name: String,
    value: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
struct DiscountCode {
    code: String,
}

#[derive(Debug, Deserialize)]
struct ShopifyRefund {
    id: RawId,
    order_id: RawId,
    #[serde(default)]
    transactions: Vec<Transaction>,
}

#[derive(Debug, Deserialize)]
struct Transaction {
    kind: Option<String>,
    status: Option<String>,
    amount: Option<String>,
    currency: Option<String>,
}

/// What a Shopify delivery on `topic` asks of `receiver`.
pub fn read(
    receiver: Receiver,
    topic: &str,
    body: &[u8],
    reading: &Reading,
    guests: &FingerprintKey,
) -> Result<PlatformRequest, PayloadError> {
    match (receiver, topic) {
        (Receiver::Rewards, "orders/create" | "orders/paid") => {
            let order: ShopifyOrder = parse(topic, body)?;
            Ok(order_facts(order, topic, reading, guests)?)
        }
        (Receiver::Rewards, "refunds/create") => refund(parse(topic, body)?, topic),
        (Receiver::Surveys, "orders/fulfilled") => {
            let order: ShopifyOrder = parse(topic, body)?;
            survey_request(order, topic, guests)
        }
        (Receiver::Privacy, _) => crate::shopify_privacy::read(topic, body),
        _ => Ok(Ignored::request("unhandled_topic", topic)),
    }
}

pub(crate) fn parse<T: DeserializeOwned>(topic: &str, body: &[u8]) -> Result<T, PayloadError> {
    serde_json::from_slice(body).map_err(|e| invalid(topic, e.to_string()))
}

fn invalid(topic: &str, reason: impl Into<String>) -> PayloadError {
    PayloadError {
        platform: "shopify",
        topic: topic.to_owned(),
        reason: reason.into(),
    }
}

fn order_id(id: &RawId, topic: &str) -> Result<OrderId, PayloadError> {
    OrderId::parse(&id.text()).map_err(|e| invalid(topic, format!("order id {e}")))
}

fn placed_at(raw: &str, topic: &str) -> Result<DateTime<Utc>, PayloadError> {
    DateTime::parse_from_rfc3339(raw.trim())
        .map(|t| t.with_timezone(&Utc).trunc_subsecs(3))
        .map_err(|_| invalid(topic, "created_at is not an RFC 3339 timestamp"))
}

/// `Err(PlatformRequest)` is an order we understood and cannot act on (no email, no usable
/// total): answered as ignored, not refused.
type Understood<T> = Result<T, PlatformRequest>;

fn order_facts(
    order: ShopifyOrder,
    topic: &str,
    reading: &Reading,
    guests: &FingerprintKey,
) -> Result<PlatformRequest, PayloadError> {
    let order_id = order_id(&order.id, topic)?;
    let placed_at = placed_at(&order.created_at, topic)?;
    let facts = (|| -> Understood<OrderFacts> {
        let buyer = buyer(&order, guests)?;
        let total = order
            .current_total_price
            .as_deref()
            .or(order.total_price.as_deref());
        let priced = facts::priced(order.currency.as_deref(), total)?;
        let discount_codes: Vec<String> = order
            .discount_codes
            .iter()
            .map(|d| d.code.clone())
            .collect();
        Ok(OrderFacts {
            order: buyer.order(order_id, priced, placed_at),
            referral: ReferralSources {
                attribute: note_attribute(&order.note_attributes, &reading.referral_attribute),
                discount_codes: discount_codes.clone(),
                landing: order
                    .landing_site
                    .as_deref()
                    .and_then(|site| query_parameter(site, &reading.referral_attribute)),
            },
            discount_codes,
            refunds: Vec::new(),
        })
    })();
    Ok(match facts {
        Ok(facts) => PlatformRequest::Order(Box::new(facts)),
        Err(ignored) => ignored,
    })
}

/// The address from `email`, else `contact_email`, else the customer's.
fn buyer(order: &ShopifyOrder, guests: &FingerprintKey) -> Understood<Buyer> {
    let customer = order.customer.as_ref();
    let email = facts::first_email([
        order.email.as_deref(),
        order.contact_email.as_deref(),
        customer.and_then(|c| c.email.as_deref()),
    ])?;
    Ok(Buyer::new(
        guests,
        customer.and_then(|c| c.id.as_ref()).map(RawId::text),
        email,
        customer.and_then(|c| c.first_name.as_deref()),
        order.customer_locale.as_deref(),
    ))
}

fn survey_request(
    order: ShopifyOrder,
    topic: &str,
    guests: &FingerprintKey,
) -> Result<PlatformRequest, PayloadError> {
    let order_id = order_id(&order.id, topic)?;
    Ok(match buyer(&order, guests) {
        Ok(buyer) => PlatformRequest::Survey(Box::new(buyer.survey_request(order_id))),
        Err(ignored) => ignored,
    })
}

/// The money a refund gave back: its successful `refund` transactions. A refund without any
/// (a restock, a refund to store credit outside payments) gives back nothing.
fn refund(refund: ShopifyRefund, topic: &str) -> Result<PlatformRequest, PayloadError> {
    let order_id = order_id(&refund.order_id, topic)?;
    let refund_id =
        RefundId::parse(&refund.id.text()).map_err(|e| invalid(topic, format!("id {e}")))?;
    let mut returned: u64 = 0;
    for transaction in &refund.transactions {
        let counts = transaction.kind.as_deref() == Some("refund")
            && transaction.status.as_deref() == Some("success");
        if !counts {
            continue;
        }
        let amount = transaction
            .currency
            .as_deref()
            .and_then(|c| Currency::parse(c).ok())
            .ok_or_else(|| "the refund transaction has no currency".to_owned())
            .and_then(|currency| {
                MinorUnits::parse_decimal(transaction.amount.as_deref().unwrap_or(""), &currency)
                    .map_err(|e| format!("refund amount {e}"))
            });
        match amount {
            Ok(amount) => returned = returned.saturating_add(amount.get()),
            Err(detail) => return Ok(Ignored::request("unusable_total", detail)),
        }
    }
    let Ok(amount) = MinorUnits::new(returned) else {
        return Ok(Ignored::request(
            "unusable_total",
            "refund total out of range",
        ));
    };
    Ok(PlatformRequest::Refund {
        order_id,
        refund: PartialRefund { refund_id, amount },
    })
}

fn note_attribute(attributes: &[NoteAttribute], name: &str) -> Option<String> {
    attributes
        .iter()
        .find(|a| a.name.trim().eq_ignore_ascii_case(name))
        .and_then(|a| facts::attribute_text(a.value.as_ref()))
}

/// The named parameter of a URL or path's query string ("/?ref=X", "https://shop/p?a=1&ref=X").
pub(crate) fn query_parameter(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    let query = query.split('#').next().unwrap_or(query);
    form_urlencoded::parse(query.as_bytes())
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_parameter_in_paths_and_urls() {
        assert_eq!(
            query_parameter("/?ref=ABCD2345", "ref").as_deref(),
            Some("ABCD2345")
        );
        assert_eq!(
            query_parameter("https://shop.example/p/x?utm=a&ref=AB%20CD#top", "ref").as_deref(),
            Some("AB CD")
        );
        assert_eq!(query_parameter("/products/x", "ref"), None);
        assert_eq!(query_parameter("/?referrer=x", "ref"), None);
    }
}
