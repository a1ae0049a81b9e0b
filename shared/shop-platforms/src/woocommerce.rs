//! WooCommerce's order webhooks (REST API v3 order shape): `order.created` and `order.updated`,
//! acted on by the order's status: `processing` or `completed` with `date_paid` set is a paid
//! order, `pending` and `on-hold` (or a paid status without a payment date: cash on delivery)
//! await their payment, `cancelled` and `failed` revoke like a full refund, `refunded` is one.

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};
use domain::model::{Currency, MinorUnits, OrderId, OrderSignals, RefundId, SurveyRequest};
use domain::ports::PartialRefund;
use serde::Deserialize;

use crate::facts::{
    self, Buyer, Delivery, Ignored, ListedRefund, OrderEvent, OrderFacts, ReferralSources,
    MAX_EXAMINED,
};
use crate::ids::RawId;
use crate::{PayloadError, Reading};
use domain::model::FingerprintKey;

#[derive(Debug, Deserialize)]
struct WooOrder {
    id: RawId,
    status: String,
    currency: Option<String>,
    total: Option<String>,
    customer_id: Option<RawId>,
    date_created_gmt: Option<String>,
    date_modified_gmt: Option<String>,
    /// Set when WooCommerce took the payment (`payment_complete`, or a paid status reached).
    date_paid_gmt: Option<String>,
    billing: Option<Billing>,
    shipping: Option<Shipping>,
    /// The checkout's client IP, as WooCommerce records it.
    customer_ip_address: Option<String>,
    #[serde(default)]
    meta_data: Vec<Meta>,
    #[serde(default)]
    coupon_lines: Vec<CouponLine>,
    #[serde(default)]
    refunds: Vec<WooRefund>,
}

#[derive(Debug, Deserialize)]
struct Billing {
    email: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Shipping {
    first_name: Option<String>,
    last_name: Option<String>,
    address_1: Option<String>,
    address_2: Option<String>,
    postcode: Option<String>,
    country: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Meta {
    key: String,
    value: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
struct CouponLine {
    code: String,
}

/// A refund as listed inside the order; its `total` is negative ("-10.00").
#[derive(Debug, Deserialize)]
struct WooRefund {
    id: RawId,
    total: Option<serde_json::Value>,
}

/// The form body WooCommerce posts, unsigned, when a webhook is saved: `webhook_id=<n>`.
pub fn is_ping(body: &[u8]) -> bool {
    let mut pairs = form_urlencoded::parse(body);
    matches!(
        (pairs.next(), pairs.next()),
        (Some((key, value)), None)
            if key == "webhook_id" && !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit())
    )
}

/// An order delivery's order, id and status, and whether it was paid; `None` for any other
/// topic, which no function acts on.
fn order_delivery(
    topic: &str,
    body: &[u8],
) -> Result<Option<(WooOrder, OrderId, bool)>, PayloadError> {
    if !matches!(topic, "order.created" | "order.updated") {
        return Ok(None);
    }
    let order: WooOrder =
        serde_json::from_slice(body).map_err(|e| invalid(topic, e.to_string()))?;
    let order_id =
        OrderId::parse(&order.id.text()).map_err(|e| invalid(topic, format!("id {e}")))?;
    let paid = order.date_paid_gmt.as_deref().and_then(gmt_time).is_some();
    Ok(Some((order, order_id, paid)))
}

/// What a WooCommerce delivery on `topic` asks of reward-referral, by the order's status.
pub fn read_orders(
    topic: &str,
    body: &[u8],
    reading: &Reading,
    guests: &FingerprintKey,
) -> Result<Delivery<OrderEvent>, PayloadError> {
    let Some((order, order_id, paid)) = order_delivery(topic, body)? else {
        return Ok(Ignored::new("unhandled_topic", topic).into());
    };
    let status = order.status.trim();
    Ok(match status {
        "processing" | "completed" if paid => {
            match order_facts(&order, order_id, topic, reading, guests)? {
                Ok(facts) => Delivery::Act(OrderEvent::Order(Box::new(facts))),
                Err(ignored) => Delivery::Ignored(ignored),
            }
        }
        "pending" | "on-hold" | "processing" | "completed" => {
            match undecided(&order, order_id, topic, guests, None)? {
                Ok(undecided) => Delivery::Act(OrderEvent::Undecided {
                    order: Box::new(undecided),
                    reason: "not_paid",
                    detail: format!(
                        "status {status} without a payment date: decided when WooCommerce reports it paid"
                    ),
                }),
                Err(ignored) => Delivery::Ignored(ignored),
            }
        }
        "cancelled" | "failed" => {
            // When the order last changed: when it was cancelled, as near as the order says.
            let closed_at = match order.date_modified_gmt.as_deref().and_then(gmt_time) {
                Some(modified) => modified,
                None => placed_at(&order, topic)?,
            };
            Delivery::Act(OrderEvent::Cancellation {
                undecided: undecided(&order, order_id.clone(), topic, guests, Some(closed_at))?
                    .ok()
                    .map(Box::new),
                order_id,
                detail: format!("status {status}"),
            })
        }
        "refunded" => Delivery::Act(OrderEvent::FullRefund { order_id }),
        _ => Ignored::new("order_status", format!("status {status}")).into(),
    })
}

/// What a WooCommerce delivery on `topic` asks of collect-survey: a completed order asks for
/// its survey.
pub fn read_surveys(
    topic: &str,
    body: &[u8],
    guests: &FingerprintKey,
) -> Result<Delivery<SurveyRequest>, PayloadError> {
    let Some((order, order_id, _)) = order_delivery(topic, body)? else {
        return Ok(Ignored::new("unhandled_topic", topic).into());
    };
    Ok(match order.status.trim() {
        "completed" => match buyer(&order, guests) {
            Ok(buyer) => Delivery::Act(buyer.survey_request(order_id)),
            Err(ignored) => Delivery::Ignored(ignored),
        },
        status => Ignored::new("order_status", format!("status {status}")).into(),
    })
}

/// The order as recorded before its payment, or closed at `closed_at`.
fn undecided(
    order: &WooOrder,
    order_id: OrderId,
    topic: &str,
    guests: &FingerprintKey,
    closed_at: Option<DateTime<Utc>>,
) -> Result<Understood<domain::ports::UndecidedOrder>, PayloadError> {
    let placed_at = placed_at(order, topic)?;
    Ok((|| {
        let buyer = buyer(order, guests)?;
        let priced = facts::priced(order.currency.as_deref(), order.total.as_deref())?;
        Ok(buyer.undecided(order_id, priced, placed_at, closed_at))
    })())
}

fn placed_at(order: &WooOrder, topic: &str) -> Result<DateTime<Utc>, PayloadError> {
    order
        .date_created_gmt
        .as_deref()
        .and_then(gmt_time)
        .ok_or_else(|| invalid(topic, "date_created_gmt is not a timestamp"))
}

fn invalid(topic: &str, reason: impl Into<String>) -> PayloadError {
    PayloadError {
        platform: "woocommerce",
        topic: topic.to_owned(),
        reason: reason.into(),
    }
}

/// `Err(Ignored)`: understood, nothing to act on.
type Understood<T> = Result<T, Ignored>;

fn order_facts(
    order: &WooOrder,
    order_id: OrderId,
    topic: &str,
    reading: &Reading,
    guests: &FingerprintKey,
) -> Result<Understood<OrderFacts>, PayloadError> {
    let placed_at = placed_at(order, topic)?;
    let refunds = listed_refunds(order, topic)?;
    let refunds_not_examined = order.refunds.len().saturating_sub(MAX_EXAMINED);
    Ok((|| {
        let buyer = buyer(order, guests)?;
        let priced = facts::priced(order.currency.as_deref(), order.total.as_deref())?;
        let (coupon_codes, codes_not_examined) =
            facts::distinct_codes(order.coupon_lines.iter().map(|c| c.code.clone()));
        Ok(OrderFacts {
            order: buyer.order(order_id, priced, placed_at, signals(order)),
            referral: ReferralSources {
                attribute: meta(&order.meta_data, &reading.referral_attribute),
                discount_codes: coupon_codes.clone(),
                landing: None,
            },
            discount_codes: coupon_codes,
            codes_not_examined,
            refunds,
            refunds_not_examined,
        })
    })())
}

/// The client IP, where it ships and the shipping (else billing) name.
fn signals(order: &WooOrder) -> OrderSignals {
    let shipping = order.shipping.as_ref();
    let billing = order.billing.as_ref();
    let name = shipping
        .and_then(|s| facts::joined_name(s.first_name.as_deref(), s.last_name.as_deref()))
        .or_else(|| {
            billing
                .and_then(|b| facts::joined_name(b.first_name.as_deref(), b.last_name.as_deref()))
        });
    facts::signals(
        order.customer_ip_address.as_deref(),
        shipping.map(|s| facts::ShippingParts {
            line1: s.address_1.as_deref(),
            line2: s.address_2.as_deref(),
            postcode: s.postcode.as_deref(),
            country: s.country.as_deref(),
        }),
        name,
    )
}

/// The first [`MAX_EXAMINED`] refunds the order lists, each usable or named with why not; an
/// id listed twice counts once (the first).
fn listed_refunds(order: &WooOrder, topic: &str) -> Result<Vec<ListedRefund>, PayloadError> {
    let mut seen = std::collections::HashSet::new();
    let mut listed = Vec::new();
    for refund in order.refunds.iter().take(MAX_EXAMINED) {
        let refund_id = RefundId::parse(&refund.id.text())
            .map_err(|e| invalid(topic, format!("refund id {e}")))?;
        if !seen.insert(refund_id.clone()) {
            listed.push(ListedRefund::Unusable {
                refund_id: refund_id.as_ref().to_owned(),
                reason: "repeated_refund",
                detail: "listed twice in this delivery; the first counts".into(),
            });
            continue;
        }
        listed.push(match partial_refund(refund, refund_id.clone(), order) {
            Ok(refund) => ListedRefund::Usable(refund),
            Err(detail) => ListedRefund::Unusable {
                refund_id: refund_id.as_ref().to_owned(),
                reason: "unusable_total",
                detail,
            },
        });
    }
    Ok(listed)
}

/// The billing address; WooCommerce knows no customer locale.
fn buyer(order: &WooOrder, guests: &FingerprintKey) -> Understood<Buyer> {
    let billing = order.billing.as_ref();
    let email = facts::first_email([billing.and_then(|b| b.email.as_deref())])?;
    Ok(Buyer::new(
        guests,
        customer_account(order),
        email,
        billing.and_then(|b| b.first_name.as_deref()),
        None,
    ))
}

/// The customer's account id; 0 means a guest checkout.
fn customer_account(order: &WooOrder) -> Option<String> {
    order
        .customer_id
        .as_ref()
        .filter(|id| !id.is_zero())
        .map(RawId::text)
}

/// A listed refund in the order's currency (WooCommerce lists refunds in it), its `total` a
/// negative decimal string; `Err` says why its amount cannot be counted.
fn partial_refund(
    refund: &WooRefund,
    refund_id: RefundId,
    order: &WooOrder,
) -> Result<PartialRefund, String> {
    let currency = order
        .currency
        .as_deref()
        .and_then(|c| Currency::parse(c).ok())
        .ok_or("the order has no currency")?;
    let total = match &refund.total {
        Some(serde_json::Value::String(total)) => total.trim(),
        Some(_) => return Err("the refund's total is not a decimal string".into()),
        None => return Err("the refund has no total".into()),
    };
    let magnitude = total.strip_prefix('-').unwrap_or(total);
    let amount =
        MinorUnits::parse_decimal(magnitude, &currency).map_err(|e| format!("refund total {e}"))?;
    Ok(PartialRefund {
        refund_id,
        amount,
        currency: Some(currency),
    })
}

fn meta(entries: &[Meta], key: &str) -> Option<String> {
    entries
        .iter()
        .find(|m| m.key.trim() == key)
        .and_then(|m| facts::attribute_text(m.value.as_ref()))
}

/// WooCommerce's `*_gmt` timestamps carry no offset: they are UTC by definition.
fn gmt_time(raw: &str) -> Option<DateTime<Utc>> {
    NaiveDateTime::parse_from_str(raw.trim(), "%Y-%m-%dT%H:%M:%S")
        .ok()
        .map(|t| t.and_utc().trunc_subsecs(3))
        .or_else(|| {
            DateTime::parse_from_rfc3339(raw.trim())
                .ok()
                .map(|t| t.with_timezone(&Utc))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ping_is_exactly_one_numeric_webhook_id() {
        assert!(is_ping(b"webhook_id=15"));
        assert!(!is_ping(b"webhook_id="));
        assert!(!is_ping(b"webhook_id=15&x=1"));
        assert!(!is_ping(b"{\"webhook_id\":15}"));
    }

    #[test]
    fn an_order_tells_its_client_ip_where_it_ships_and_the_full_name() {
        let order: WooOrder = serde_json::from_str(include_str!(
            "../../../tests/fixtures/woocommerce/order.json"
        ))
        .expect("fixture");
        let signals = signals(&order);
        assert_eq!(signals.ip, Some("198.51.100.23".parse().expect("ip")));
        assert_eq!(
            signals.ships_to,
            domain::model::ShippingAddress::new(
                Some("Lindenweg 5"),
                Some(""),
                Some("80331"),
                Some("DE")
            )
        );
        assert_eq!(
            signals.full_name.as_ref().map(AsRef::as_ref),
            Some("Bernd Meier")
        );
    }

    #[test]
    fn gmt_times_are_utc() {
        assert_eq!(
            gmt_time("2017-03-22T19:28:02").map(|t| t.to_rfc3339()),
            Some("2017-03-22T19:28:02+00:00".to_owned())
        );
        assert_eq!(gmt_time("yesterday"), None);
    }
}
