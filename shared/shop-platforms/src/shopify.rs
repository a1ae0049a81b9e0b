//! Shopify's order webhooks (Admin API REST shapes): `orders/create`, `orders/paid`,
//! `orders/cancelled` and `refunds/create` for rewards, `orders/fulfilled` for surveys; the
//! privacy topics are in `shopify_privacy`.
//!
//! The topic header is not signed (Shopify signs the body only), so a topic never makes a body
//! mean more than it says: an order is decided only when its body says it is paid and not
//! cancelled, revoked only when its body says it was cancelled, and surveyed only when its body
//! says it was fulfilled. A signed body replayed under another topic changes nothing.

use chrono::{DateTime, SubsecRound, Utc};
use domain::model::{Currency, MinorUnits, OrderId, OrderSignals, RefundId, SurveyRequest};
use domain::ports::PartialRefund;
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::facts::{self, Buyer, Delivery, Ignored, OrderEvent, OrderFacts, ReferralSources};
use crate::ids::RawId;
use crate::{PayloadError, Reading};
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
    updated_at: Option<String>,
    /// `pending`, `authorized`, `partially_paid`, `paid`, `partially_refunded`, `refunded`,
    /// `voided` (Shopify's `Order.financial_status`).
    financial_status: Option<String>,
    cancelled_at: Option<String>,
    /// `fulfilled`, `partial`, `restocked` or null (unfulfilled).
    fulfillment_status: Option<String>,
    #[serde(default)]
    note_attributes: Vec<NoteAttribute>,
    #[serde(default)]
    discount_codes: Vec<DiscountCode>,
    landing_site: Option<String>,
    /// The checkout's client IP (deprecated at the top level in favour of `client_details`).
    browser_ip: Option<String>,
    client_details: Option<ClientDetails>,
    shipping_address: Option<Address>,
    billing_address: Option<Address>,
    /// Every order has its lines (perhaps none); a refund or a privacy payload has none, so
    /// requiring them tells an order body from the others.
    #[allow(
        dead_code,
        reason = "required to tell an order from other payloads; not read"
    )]
    line_items: Vec<serde::de::IgnoredAny>,
}

#[derive(Debug, Deserialize)]
struct Customer {
    id: Option<RawId>,
    email: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
}

#[derive(Debug, Deserialize)]
struct ClientDetails {
    browser_ip: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Address {
    name: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    address1: Option<String>,
    address2: Option<String>,
    zip: Option<String>,
    country_code: Option<String>,
}

impl Address {
    fn full_name(&self) -> Option<String> {
        self.name
            .clone()
            .filter(|name| !name.trim().is_empty())
            .or_else(|| facts::joined_name(self.first_name.as_deref(), self.last_name.as_deref()))
    }
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
    /// Multi-currency orders: the amount in the shop's currency and in the buyer's.
    amount_set: Option<MoneyBag>,
}

#[derive(Debug, Deserialize)]
struct MoneyBag {
    shop_money: Option<Money>,
}

#[derive(Debug, Deserialize)]
struct Money {
    amount: Option<String>,
    currency_code: Option<String>,
}

/// Financial states in which the order's money has arrived.
const PAID: &[&str] = &["paid", "partially_refunded"];
/// Financial states in which it never will: the authorization voided, or everything refunded
/// before the order was decided.
const NEVER_PAID: &[&str] = &["voided", "refunded"];

/// What a Shopify delivery on `topic` asks of reward-referral: `orders/create`, `orders/paid`,
/// `orders/cancelled` and `refunds/create`.
pub fn read_orders(
    topic: &str,
    body: &[u8],
    reading: &Reading,
    guests: &FingerprintKey,
) -> Result<Delivery<OrderEvent>, PayloadError> {
    match topic {
        "orders/create" | "orders/paid" | "orders/cancelled" => {
            let order: ShopifyOrder = parse(topic, body)?;
            order_event(order, topic, reading, guests)
        }
        "refunds/create" => refund(parse(topic, body)?, topic),
        _ => Ok(Ignored::new("unhandled_topic", topic).into()),
    }
}

/// What a Shopify delivery on `topic` asks of collect-survey: `orders/fulfilled`.
pub fn read_surveys(
    topic: &str,
    body: &[u8],
    guests: &FingerprintKey,
) -> Result<Delivery<SurveyRequest>, PayloadError> {
    match topic {
        "orders/fulfilled" => survey_request(parse(topic, body)?, topic, guests),
        _ => Ok(Ignored::new("unhandled_topic", topic).into()),
    }
}

pub(crate) fn parse<T: DeserializeOwned>(topic: &str, body: &[u8]) -> Result<T, PayloadError> {
    serde_json::from_slice(body).map_err(|e| invalid(topic, e.to_string()))
}

pub(crate) fn invalid(topic: &str, reason: impl Into<String>) -> PayloadError {
    PayloadError {
        platform: "shopify",
        topic: topic.to_owned(),
        reason: reason.into(),
    }
}

fn order_id(id: &RawId, topic: &str) -> Result<OrderId, PayloadError> {
    OrderId::parse(&id.text()).map_err(|e| invalid(topic, format!("order id {e}")))
}

fn timestamp(raw: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(raw.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc).trunc_subsecs(3))
}

fn placed_at(raw: &str, topic: &str) -> Result<DateTime<Utc>, PayloadError> {
    timestamp(raw).ok_or_else(|| invalid(topic, "created_at is not an RFC 3339 timestamp"))
}

/// `Err(Ignored)` is an order we understood and cannot act on (no email, no usable total):
/// answered as ignored, not refused.
type Understood<T> = Result<T, Ignored>;

/// What the order's own state asks for, whichever order topic carried it.
fn order_event(
    order: ShopifyOrder,
    topic: &str,
    reading: &Reading,
    guests: &FingerprintKey,
) -> Result<Delivery<OrderEvent>, PayloadError> {
    let order_id = order_id(&order.id, topic)?;
    let placed_at = placed_at(&order.created_at, topic)?;
    let status = order.financial_status.as_deref().map(str::trim);
    let cancelled_at = order
        .cancelled_at
        .as_deref()
        .filter(|c| !c.trim().is_empty());
    if let Some(cancelled_at) = cancelled_at {
        let closed_at = timestamp(cancelled_at).unwrap_or(placed_at);
        let undecided = buyer(&order, guests)
            .and_then(|buyer| Ok((buyer, priced(&order)?)))
            .ok()
            .map(|(buyer, priced)| {
                Box::new(buyer.undecided(order_id.clone(), priced, placed_at, Some(closed_at)))
            });
        return Ok(Delivery::Act(OrderEvent::Cancellation {
            order_id,
            undecided,
            detail: format!("cancelled at {}", domain::model::rfc3339(closed_at)),
        }));
    }
    if topic == "orders/cancelled" {
        return Ok(Ignored::new(
            "not_cancelled",
            "an orders/cancelled delivery whose order has no cancelled_at",
        )
        .into());
    }
    let paid = match status {
        Some(status) => PAID.contains(&status),
        // Every order payload names it; without one, only the payment topic says so.
        None => topic == "orders/paid",
    };
    let event = (|| -> Understood<OrderEvent> {
        let buyer = buyer(&order, guests)?;
        let priced = priced(&order)?;
        if paid {
            return Ok(OrderEvent::Order(Box::new(order_facts(
                &order, buyer, order_id, priced, placed_at, reading,
            ))));
        }
        let status = status.unwrap_or("unknown");
        if topic == "orders/paid" {
            return Err(Ignored::new(
                "not_paid",
                format!("an orders/paid delivery whose order is {status}"),
            ));
        }
        if NEVER_PAID.contains(&status) {
            let closed_at = order
                .updated_at
                .as_deref()
                .and_then(timestamp)
                .unwrap_or(placed_at);
            return Ok(OrderEvent::Undecided {
                order: Box::new(buyer.undecided(order_id, priced, placed_at, Some(closed_at))),
                reason: "order_closed",
                detail: format!("financial_status {status}: never paid, never decided"),
            });
        }
        Ok(OrderEvent::Undecided {
            order: Box::new(buyer.undecided(order_id, priced, placed_at, None)),
            reason: "not_paid",
            detail: format!("financial_status {status}: decided when Shopify reports it paid"),
        })
    })();
    Ok(event.map_or_else(Delivery::Ignored, Delivery::Act))
}

fn priced(order: &ShopifyOrder) -> Understood<(Currency, MinorUnits)> {
    let total = order
        .current_total_price
        .as_deref()
        .or(order.total_price.as_deref());
    facts::priced(order.currency.as_deref(), total)
}

fn order_facts(
    order: &ShopifyOrder,
    buyer: Buyer,
    order_id: OrderId,
    priced: (Currency, MinorUnits),
    placed_at: DateTime<Utc>,
    reading: &Reading,
) -> OrderFacts {
    let (discount_codes, codes_not_examined) =
        facts::distinct_codes(order.discount_codes.iter().map(|d| d.code.clone()));
    OrderFacts {
        order: buyer.order(order_id, priced, placed_at, signals(order)),
        referral: ReferralSources {
            attribute: note_attribute(&order.note_attributes, &reading.referral_attribute),
            discount_codes: discount_codes.clone(),
            landing: order
                .landing_site
                .as_deref()
                .and_then(|site| query_parameter(site, &reading.referral_attribute)),
        },
        discount_codes,
        codes_not_examined,
        refunds: Vec::new(),
        refunds_not_examined: 0,
    }
}

/// The client IP (`client_details.browser_ip`, else `browser_ip`), where it ships, and the full
/// name on the shipping address, else the billing address, else the customer's.
fn signals(order: &ShopifyOrder) -> OrderSignals {
    let ip = order
        .client_details
        .as_ref()
        .and_then(|details| details.browser_ip.as_deref())
        .or(order.browser_ip.as_deref());
    let name = order
        .shipping_address
        .as_ref()
        .and_then(Address::full_name)
        .or_else(|| order.billing_address.as_ref().and_then(Address::full_name))
        .or_else(|| {
            order
                .customer
                .as_ref()
                .and_then(|c| facts::joined_name(c.first_name.as_deref(), c.last_name.as_deref()))
        });
    facts::signals(
        ip,
        order
            .shipping_address
            .as_ref()
            .map(|a| facts::ShippingParts {
                line1: a.address1.as_deref(),
                line2: a.address2.as_deref(),
                postcode: a.zip.as_deref(),
                country: a.country_code.as_deref(),
            }),
        name,
    )
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

/// A survey only for an order whose body says it was fulfilled and not cancelled.
fn survey_request(
    order: ShopifyOrder,
    topic: &str,
    guests: &FingerprintKey,
) -> Result<Delivery<SurveyRequest>, PayloadError> {
    let order_id = order_id(&order.id, topic)?;
    if order
        .cancelled_at
        .as_deref()
        .is_some_and(|c| !c.trim().is_empty())
    {
        return Ok(Ignored::new("order_cancelled", "a cancelled order asks for no survey").into());
    }
    let fulfillment = order.fulfillment_status.as_deref().map(str::trim);
    if fulfillment != Some("fulfilled") {
        let detail = format!(
            "fulfillment_status {}: a survey follows a fulfilled order",
            fulfillment.unwrap_or("null")
        );
        return Ok(Ignored::new("not_fulfilled", detail).into());
    }
    Ok(match buyer(&order, guests) {
        Ok(buyer) => Delivery::Act(buyer.survey_request(order_id)),
        Err(ignored) => Delivery::Ignored(ignored),
    })
}

/// The money a refund gave back: its successful `refund` transactions, each in the shop's
/// currency where Shopify gives it (`amount_set.shop_money`), else as the transaction states
/// it. Amounts of different currencies are never added; a refund without any transaction (a
/// restock, store credit outside payments) gives back nothing.
fn refund(refund: ShopifyRefund, topic: &str) -> Result<Delivery<OrderEvent>, PayloadError> {
    let order_id = order_id(&refund.order_id, topic)?;
    let refund_id =
        RefundId::parse(&refund.id.text()).map_err(|e| invalid(topic, format!("id {e}")))?;
    let mut currency: Option<Currency> = None;
    let mut returned: u64 = 0;
    for transaction in &refund.transactions {
        let counts = transaction.kind.as_deref() == Some("refund")
            && transaction.status.as_deref() == Some("success");
        if !counts {
            continue;
        }
        let (amount, code) = match transaction
            .amount_set
            .as_ref()
            .and_then(|set| set.shop_money.as_ref())
        {
            Some(shop) => (shop.amount.as_deref(), shop.currency_code.as_deref()),
            None => (
                transaction.amount.as_deref(),
                transaction.currency.as_deref(),
            ),
        };
        let Some(this_currency) = code.and_then(|c| Currency::parse(c).ok()) else {
            return Ok(
                Ignored::new("unusable_total", "a refund transaction has no currency").into(),
            );
        };
        if currency.as_ref().is_some_and(|c| *c != this_currency) {
            return Ok(Ignored::new(
                "unusable_total",
                "the refund's transactions are in several currencies",
            )
            .into());
        }
        match MinorUnits::parse_decimal(amount.unwrap_or(""), &this_currency) {
            Ok(amount) => returned = returned.saturating_add(amount.get()),
            Err(e) => {
                return Ok(Ignored::new("unusable_total", format!("refund amount {e}")).into())
            }
        }
        currency = Some(this_currency);
    }
    let Ok(amount) = MinorUnits::new(returned) else {
        return Ok(Ignored::new("unusable_total", "refund total out of range").into());
    };
    Ok(Delivery::Act(OrderEvent::Refund {
        order_id,
        refund: PartialRefund {
            refund_id,
            amount,
            currency,
        },
    }))
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

    const ORDER: &str = include_str!("../../../tests/fixtures/shopify/order.json");
    const REFUND: &str = include_str!("../../../tests/fixtures/shopify/refund.json");

    fn key() -> FingerprintKey {
        FingerprintKey::parse("shop-platforms-unit-test-key-0123456789").expect("key")
    }

    fn order_with(changes: serde_json::Value) -> Vec<u8> {
        let mut order: serde_json::Value = serde_json::from_str(ORDER).expect("fixture");
        for (name, value) in changes.as_object().expect("changes") {
            order[name] = value.clone();
        }
        order.to_string().into_bytes()
    }

    fn rewards(topic: &str, body: &[u8]) -> Delivery<OrderEvent> {
        read_orders(topic, body, &Reading::default(), &key()).expect("readable")
    }

    /// What the delivery asks, when it asks something.
    fn event(delivery: Delivery<OrderEvent>) -> Option<OrderEvent> {
        match delivery {
            Delivery::Act(event) => Some(event),
            Delivery::Ignored(_) => None,
        }
    }

    fn ignored_reason<T>(delivery: &Delivery<T>) -> Option<&'static str> {
        match delivery {
            Delivery::Ignored(why) => Some(why.reason),
            Delivery::Act(_) => None,
        }
    }

    #[test]
    fn an_order_tells_its_client_ip_where_it_ships_and_the_full_name() {
        let Some(OrderEvent::Order(facts)) = event(rewards("orders/paid", ORDER.as_bytes())) else {
            panic!("an order");
        };
        let signals = &facts.order.signals;
        assert_eq!(signals.ip, Some("203.0.113.17".parse().expect("ip")));
        let expected = domain::model::ShippingAddress::new(
            Some("Hauptstr. 12"),
            None,
            Some("10115"),
            Some("DE"),
        );
        assert_eq!(signals.ships_to, expected);
        assert_eq!(
            signals.full_name.as_ref().map(AsRef::as_ref),
            Some("Anna Schmidt")
        );
        // `client_details.browser_ip` first; the deprecated top-level field when it is missing;
        // garbage is no IP, and the order is still read.
        let body = order_with(serde_json::json!({"client_details": null, "browser_ip": "x"}));
        let Some(OrderEvent::Order(facts)) = event(rewards("orders/paid", &body)) else {
            panic!("an order");
        };
        assert_eq!(facts.order.signals.ip, None);
        let body = order_with(serde_json::json!({"client_details": null}));
        let Some(OrderEvent::Order(facts)) = event(rewards("orders/paid", &body)) else {
            panic!("an order");
        };
        assert_eq!(
            facts.order.signals.ip,
            Some("203.0.113.17".parse().expect("ip"))
        );
    }

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

    #[test]
    fn only_a_paid_uncancelled_order_is_decided() {
        assert!(matches!(
            event(rewards("orders/create", ORDER.as_bytes())),
            Some(OrderEvent::Order(_))
        ));
        for status in ["pending", "authorized", "partially_paid"] {
            let body = order_with(serde_json::json!({"financial_status": status}));
            assert!(
                matches!(event(rewards("orders/create", &body)), Some(OrderEvent::Undecided { reason: "not_paid", ref order, .. }) if order.closed_at.is_none()),
                "{status}"
            );
            assert_eq!(
                ignored_reason(&rewards("orders/paid", &body)),
                Some("not_paid")
            );
        }
        let voided = order_with(serde_json::json!({"financial_status": "voided"}));
        assert!(matches!(
            event(rewards("orders/create", &voided)),
            Some(OrderEvent::Undecided { reason: "order_closed", ref order, .. }) if order.closed_at.is_some()
        ));
        let cancelled =
            order_with(serde_json::json!({"cancelled_at": "2026-11-21T10:00:00+01:00"}));
        assert!(matches!(
            event(rewards("orders/create", &cancelled)),
            Some(OrderEvent::Cancellation {
                undecided: Some(_),
                ..
            })
        ));
    }

    #[test]
    fn a_body_under_a_topic_it_does_not_fit_changes_nothing() {
        assert_eq!(
            ignored_reason(&rewards("orders/cancelled", ORDER.as_bytes())),
            Some("not_cancelled")
        );
        assert!(read_orders(
            "refunds/create",
            ORDER.as_bytes(),
            &Reading::default(),
            &key()
        )
        .is_err());
        assert!(read_orders(
            "orders/create",
            REFUND.as_bytes(),
            &Reading::default(),
            &key()
        )
        .is_err());
        let unfulfilled =
            read_surveys("orders/fulfilled", ORDER.as_bytes(), &key()).expect("readable");
        assert_eq!(ignored_reason(&unfulfilled), Some("not_fulfilled"));
    }

    #[test]
    fn refunds_are_counted_in_one_currency_only() {
        let mut refund: serde_json::Value = serde_json::from_str(REFUND).expect("fixture");
        let read_refund =
            |refund: &serde_json::Value| rewards("refunds/create", refund.to_string().as_bytes());
        assert!(matches!(
            event(read_refund(&refund)),
            Some(OrderEvent::Refund { refund: PartialRefund { amount, currency: Some(ref c), .. }, .. })
                if amount.get() == 1000 && c.as_ref() == "EUR"
        ));
        refund["transactions"][0]["currency"] = "JPY".into();
        refund["transactions"][0]["amount"] = "4000".into();
        assert!(matches!(
            event(read_refund(&refund)),
            Some(OrderEvent::Refund { refund: PartialRefund { amount, currency: Some(ref c), .. }, .. })
                if amount.get() == 4000 && c.as_ref() == "JPY"
        ));
        refund["transactions"][0]["amount_set"] = serde_json::json!({
            "shop_money": {"amount": "25.10", "currency_code": "EUR"},
            "presentment_money": {"amount": "4000", "currency_code": "JPY"}
        });
        assert!(matches!(
            event(read_refund(&refund)),
            Some(OrderEvent::Refund { refund: PartialRefund { amount, currency: Some(ref c), .. }, .. })
                if amount.get() == 2510 && c.as_ref() == "EUR"
        ));
        let mut second = refund["transactions"][0].clone();
        second["amount_set"] = serde_json::Value::Null;
        refund["transactions"]
            .as_array_mut()
            .expect("list")
            .push(second);
        assert_eq!(
            ignored_reason(&read_refund(&refund)),
            Some("unusable_total")
        );
    }

    #[test]
    fn discount_codes_are_examined_once_each_and_at_most_a_hundred() {
        let codes: Vec<serde_json::Value> = (0..250)
            .map(|n| serde_json::json!({"code": format!("CODE{}", n % 150), "amount": "1.00", "type": "fixed_amount"}))
            .collect();
        let body = order_with(serde_json::json!({"discount_codes": codes}));
        let Some(OrderEvent::Order(facts)) = event(rewards("orders/create", &body)) else {
            panic!("a paid order");
        };
        assert_eq!(
            (facts.discount_codes.len(), facts.codes_not_examined),
            (100, 50)
        );
    }
}
