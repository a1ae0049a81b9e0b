//! WooCommerce's order webhooks (REST API v3 order shape): `order.created` and `order.updated`,
//! acted on by the order's status.

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};
use domain::model::{Currency, MinorUnits, OrderId, RefundId};
use domain::ports::PartialRefund;
use serde::Deserialize;

use crate::facts::{self, Buyer, Ignored, OrderFacts, PlatformRequest, ReferralSources};
use crate::ids::RawId;
use crate::{PayloadError, Reading, Receiver};
use domain::model::FingerprintKey;

#[derive(Debug, Deserialize)]
struct WooOrder {
    id: RawId,
    status: String,
    currency: Option<String>,
    total: Option<String>,
    customer_id: Option<RawId>,
    date_created_gmt: Option<String>,
    billing: Option<Billing>,
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
    total: Option<String>,
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

/// What a WooCommerce delivery on `topic` asks of `receiver`.
pub fn read(
    receiver: Receiver,
    topic: &str,
    body: &[u8],
    reading: &Reading,
    guests: &FingerprintKey,
) -> Result<PlatformRequest, PayloadError> {
    if !matches!(topic, "order.created" | "order.updated") {
        return Ok(Ignored::request("unhandled_topic", topic));
    }
    let order: WooOrder =
        serde_json::from_slice(body).map_err(|e| invalid(topic, e.to_string()))?;
    let order_id =
        OrderId::parse(&order.id.text()).map_err(|e| invalid(topic, format!("id {e}")))?;
    let status = order.status.trim();
    Ok(match (receiver, status) {
        (Receiver::Rewards, "processing" | "completed") => {
            match order_facts(&order, order_id, topic, reading, guests)? {
                Ok(facts) => PlatformRequest::Order(Box::new(facts)),
                Err(ignored) => ignored,
            }
        }
        (Receiver::Rewards, "refunded") => PlatformRequest::FullRefund { order_id },
        (Receiver::Surveys, "completed") => match buyer(&order, guests) {
            Ok(buyer) => PlatformRequest::Survey(Box::new(buyer.survey_request(order_id))),
            Err(ignored) => ignored,
        },
        _ => Ignored::request("order_status", format!("status {status}")),
    })
}

fn invalid(topic: &str, reason: impl Into<String>) -> PayloadError {
    PayloadError {
        platform: "woocommerce",
        topic: topic.to_owned(),
        reason: reason.into(),
    }
}

/// `Err(PlatformRequest)`: understood, nothing to act on.
type Understood<T> = Result<T, PlatformRequest>;

fn order_facts(
    order: &WooOrder,
    order_id: OrderId,
    topic: &str,
    reading: &Reading,
    guests: &FingerprintKey,
) -> Result<Understood<OrderFacts>, PayloadError> {
    let placed_at = order
        .date_created_gmt
        .as_deref()
        .and_then(gmt_time)
        .ok_or_else(|| invalid(topic, "date_created_gmt is not a timestamp"))?;
    let refunds = order
        .refunds
        .iter()
        .map(|refund| partial_refund(refund, order, topic))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((|| {
        let buyer = buyer(order, guests)?;
        let priced = facts::priced(order.currency.as_deref(), order.total.as_deref())?;
        let coupon_codes: Vec<String> = order.coupon_lines.iter().map(|c| c.code.clone()).collect();
        Ok(OrderFacts {
            order: buyer.order(order_id, priced, placed_at),
            referral: ReferralSources {
                attribute: meta(&order.meta_data, &reading.referral_attribute),
                discount_codes: coupon_codes.clone(),
                landing: None,
            },
            discount_codes: coupon_codes,
            refunds: refunds.into_iter().flatten().collect(),
        })
    })())
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

/// A listed refund in the order's currency; `None` when its amount is unusable (it is then left
/// out rather than counted wrong).
fn partial_refund(
    refund: &WooRefund,
    order: &WooOrder,
    topic: &str,
) -> Result<Option<PartialRefund>, PayloadError> {
    let refund_id =
        RefundId::parse(&refund.id.text()).map_err(|e| invalid(topic, format!("refund id {e}")))?;
    let currency = order
        .currency
        .as_deref()
        .and_then(|c| Currency::parse(c).ok());
    let amount = match (refund.total.as_deref(), currency) {
        (Some(total), Some(currency)) => {
            MinorUnits::parse_decimal(total.trim().trim_start_matches('-'), &currency).ok()
        }
        _ => None,
    };
    Ok(amount.map(|amount| PartialRefund { refund_id, amount }))
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
    fn gmt_times_are_utc() {
        assert_eq!(
            gmt_time("2017-03-22T19:28:02").map(|t| t.to_rfc3339()),
            Some("2017-03-22T19:28:02+00:00".to_owned())
        );
        assert_eq!(gmt_time("yesterday"), None);
    }
}
