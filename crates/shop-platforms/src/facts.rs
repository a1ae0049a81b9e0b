//! What a delivery asks of us, in the domain's terms, whichever platform sent it.

use domain::model::{
    CustomerId, CustomerName, Email, Locale, MinorUnits, Order, OrderId, SurveyRequest,
};
use domain::ports::PartialRefund;

/// What one delivery asks the receiving function to do.
#[derive(Debug, Clone)]
pub enum PlatformRequest {
    Order(Box<OrderFacts>),
    /// Part (or all) of the order's money given back, under the platform's refund id.
    Refund {
        order_id: OrderId,
        refund: PartialRefund,
    },
    /// The platform says the whole order was refunded, without amounts.
    FullRefund {
        order_id: OrderId,
    },
    Survey(SurveyRequest),
    /// Understood, and nothing to do: answered 200 so the platform does not retry.
    Ignored(Ignored),
}

/// An order as a platform reports it: the order without its referral code (which may need a
/// store lookup to tell from a discount code), where the code may be, and the coupons used.
#[derive(Debug, Clone)]
pub struct OrderFacts {
    pub order: Order,
    pub referral: ReferralSources,
    /// Every discount code entered at checkout: some may be our reward coupons.
    pub discount_codes: Vec<String>,
    /// Refunds the platform lists inside the order (WooCommerce).
    pub refunds: Vec<PartialRefund>,
}

/// Where a referral code can come from, in order of precedence.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReferralSources {
    /// The cart attribute / order meta the storefront snippet set.
    pub attribute: Option<String>,
    /// Discount codes that may be referral codes (only a known one counts).
    pub discount_codes: Vec<String>,
    /// The referral parameter of the page the customer landed on (Shopify `landing_site`).
    pub landing: Option<String>,
}

/// Why a delivery changes nothing. `detail` never holds personal data: it is logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ignored {
    pub reason: &'static str,
    pub detail: String,
}

impl Ignored {
    pub(crate) fn request(reason: &'static str, detail: impl Into<String>) -> PlatformRequest {
        PlatformRequest::Ignored(Self {
            reason,
            detail: detail.into(),
        })
    }
}

/// The customer of an order: a platform's customer id, or for a guest checkout the id derived
/// from the canonical email.
pub(crate) fn customer_id(platform_id: Option<String>, email: &Email) -> CustomerId {
    platform_id
        .and_then(|id| CustomerId::parse(&id).ok())
        .unwrap_or_else(|| CustomerId::guest(email))
}

/// The first candidate address that is present; `Err` names what was wrong.
pub(crate) fn first_email<'a>(
    candidates: impl IntoIterator<Item = Option<&'a str>>,
) -> Result<Email, PlatformRequest> {
    let present = candidates
        .into_iter()
        .flatten()
        .map(str::trim)
        .find(|raw| !raw.is_empty());
    match present {
        None => Err(Ignored::request(
            "no_email",
            "the order carries no email address",
        )),
        Some(raw) => Email::parse(raw).map_err(|_| {
            Ignored::request("invalid_email", "the order's email address is not usable")
        }),
    }
}

pub(crate) fn name(first_name: Option<&str>) -> Option<CustomerName> {
    first_name.and_then(|raw| CustomerName::parse(raw).ok())
}

pub(crate) fn locale(raw: Option<&str>) -> Option<Locale> {
    raw.and_then(|raw| Locale::parse(raw).ok())
}

/// A decimal amount in the order's currency, or why the order cannot be counted.
pub(crate) fn amount(
    raw: Option<&str>,
    currency: &domain::model::Currency,
) -> Result<MinorUnits, PlatformRequest> {
    let raw = raw.ok_or_else(|| Ignored::request("unusable_total", "the order has no total"))?;
    MinorUnits::parse_decimal(raw, currency)
        .map_err(|e| Ignored::request("unusable_total", format!("total {e}")))
}
