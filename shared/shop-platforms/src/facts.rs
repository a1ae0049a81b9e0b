//! What a delivery asks of us, in the domain's terms, whichever platform sent it.

use chrono::{DateTime, Utc};
use domain::model::{
    Currency, CustomerId, CustomerName, Email, FingerprintKey, Locale, MinorUnits, Order, OrderId,
    OrderSignals, ShippingAddress, SurveyRequest,
};
use domain::ports::{PartialRefund, UndecidedOrder};

/// How many discount codes, and how many listed refunds, one delivery has examined at most: a
/// real order has a handful, and a signed body of 2 MiB could list tens of thousands, each a
/// store read or write, past the platform's 5-second answer limit.
pub const MAX_EXAMINED: usize = 100;

/// What one delivery asks of the function that received it: that function's own kind of
/// request (each function reads only its topics), or nothing to do.
#[derive(Debug, Clone)]
pub enum Delivery<T> {
    Act(T),
    /// Understood, and nothing to do: answered 200 so the platform does not retry.
    Ignored(Ignored),
}

impl<T> From<Ignored> for Delivery<T> {
    fn from(ignored: Ignored) -> Self {
        Self::Ignored(ignored)
    }
}

/// reward-referral's deliveries: orders, their cancellations and refunds.
#[derive(Debug, Clone)]
pub enum OrderEvent {
    /// A paid order that is not cancelled: recorded and its referral decided.
    Order(Box<OrderFacts>),
    /// An order not to decide now: reported before its payment (decided when it is paid) or
    /// closed before it. `reason` and `detail` say which, for the answer and the log.
    Undecided {
        order: Box<UndecidedOrder>,
        reason: &'static str,
        detail: String,
    },
    /// The platform cancelled the order: revoked like a full refund if it was decided, else
    /// closed so a late payment decides nothing. `undecided` is `None` when the order's buyer or
    /// total cannot be read (a decided order is still revoked).
    Cancellation {
        order_id: OrderId,
        undecided: Option<Box<UndecidedOrder>>,
        detail: String,
    },
    /// Part (or all) of the order's money given back, under the platform's refund id.
    Refund {
        order_id: OrderId,
        refund: PartialRefund,
    },
    /// The platform says the whole order was refunded, without amounts.
    FullRefund { order_id: OrderId },
}

/// customer-data's deliveries: Shopify's mandatory privacy topics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrivacyRequest {
    /// Erase everything held about a customer (`customers/redact`).
    Erase(DataRequest),
    /// A customer asked the shop for their data (`customers/data_request`).
    DataRequest(DataRequest),
    /// The shop uninstalled the app 48 hours ago and asks for its data to go (`shop/redact`).
    ShopRedact { shop_domain: String },
}

impl PrivacyRequest {
    /// The shop the payload names in its signed body, to compare with the configured one.
    pub fn shop_domain(&self) -> &str {
        match self {
            Self::Erase(request) | Self::DataRequest(request) => &request.shop_domain,
            Self::ShopRedact { shop_domain } => shop_domain,
        }
    }
}

/// Whose data a privacy delivery names: the platform's customer id and the address, either of
/// which may be missing, and the shop that asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataRequest {
    pub customer_id: Option<CustomerId>,
    pub email: Option<Email>,
    pub shop_domain: String,
}

/// An order as a platform reports it: the order without its referral code (which may need a
/// store lookup to tell from a discount code), where the code may be, and the coupons used.
#[derive(Debug, Clone)]
pub struct OrderFacts {
    pub order: Order,
    pub referral: ReferralSources,
    /// The distinct discount codes entered at checkout, the first [`MAX_EXAMINED`]: some may be
    /// our reward coupons.
    pub discount_codes: Vec<String>,
    /// Distinct discount codes beyond [`MAX_EXAMINED`], not looked at.
    pub codes_not_examined: usize,
    /// Refunds the platform lists inside the order (WooCommerce), the first [`MAX_EXAMINED`].
    pub refunds: Vec<ListedRefund>,
    /// Listed refunds beyond [`MAX_EXAMINED`], not looked at.
    pub refunds_not_examined: usize,
}

/// A refund as an order lists it: usable, or named with why not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListedRefund {
    Usable(PartialRefund),
    Unusable {
        refund_id: String,
        /// `unusable_total` (no amount we can count) or `repeated_refund` (its id was listed
        /// before in this delivery, and only the first counts).
        reason: &'static str,
        detail: String,
    },
}

/// The distinct codes in checkout order (case-insensitively, as codes are looked up), the
/// first [`MAX_EXAMINED`] of them, and how many more there were.
pub(crate) fn distinct_codes(codes: impl IntoIterator<Item = String>) -> (Vec<String>, usize) {
    let mut seen = std::collections::HashSet::new();
    let mut kept = Vec::new();
    let mut beyond = 0;
    for code in codes {
        let trimmed = code.trim();
        if trimmed.is_empty() || !seen.insert(trimmed.to_ascii_uppercase()) {
            continue;
        }
        if kept.len() < MAX_EXAMINED {
            kept.push(trimmed.to_owned());
        } else {
            beyond += 1;
        }
    }
    (kept, beyond)
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
    pub(crate) fn new(reason: &'static str, detail: impl Into<String>) -> Self {
        Self {
            reason,
            detail: detail.into(),
        }
    }
}

/// Who ordered, as both the order flow and the survey request need it.
pub(crate) struct Buyer {
    pub customer_id: CustomerId,
    pub email: Email,
    pub name: Option<CustomerName>,
    pub locale: Option<Locale>,
}

impl Buyer {
    /// A platform's customer id, or for a guest checkout the id derived from the keyed fingerprint
    /// of the canonical email;
    /// name and locale only when usable (they only choose a greeting and a language).
    pub(crate) fn new(
        guests: &FingerprintKey,
        platform_id: Option<String>,
        email: Email,
        first_name: Option<&str>,
        locale: Option<&str>,
    ) -> Self {
        Self {
            customer_id: platform_id
                .and_then(|id| CustomerId::parse(&id).ok())
                .unwrap_or_else(|| guests.guest_id(&email)),
            email,
            name: first_name.and_then(|raw| CustomerName::parse(raw).ok()),
            locale: locale.and_then(|raw| Locale::parse(raw).ok()),
        }
    }

    pub(crate) fn order(
        self,
        order_id: OrderId,
        (currency, total_cents): (Currency, MinorUnits),
        placed_at: DateTime<Utc>,
        signals: OrderSignals,
    ) -> Order {
        Order {
            order_id,
            customer_id: self.customer_id,
            email: self.email,
            name: self.name,
            locale: self.locale,
            total_cents,
            currency,
            referral_code: None,
            placed_at,
            placed_at_given: true,
            signals,
        }
    }

    /// The order as recorded before its payment (`closed_at`: or closed before it).
    pub(crate) fn undecided(
        &self,
        order_id: OrderId,
        (currency, total): (Currency, MinorUnits),
        placed_at: DateTime<Utc>,
        closed_at: Option<DateTime<Utc>>,
    ) -> UndecidedOrder {
        UndecidedOrder {
            order_id,
            customer_id: self.customer_id.clone(),
            placed_at,
            total,
            currency,
            closed_at,
        }
    }

    pub(crate) fn survey_request(self, order_id: OrderId) -> SurveyRequest {
        SurveyRequest {
            order_id,
            customer_id: self.customer_id,
            email: self.email,
            name: self.name,
            locale: self.locale,
            // The platforms name no segment the shop chose; the storefront's own
            // `POST /surveys` can.
            segment: None,
        }
    }
}

/// The first candidate address that is present; `Err` names what was wrong.
pub(crate) fn first_email<'a>(
    candidates: impl IntoIterator<Item = Option<&'a str>>,
) -> Result<Email, Ignored> {
    let present = candidates
        .into_iter()
        .flatten()
        .map(str::trim)
        .find(|raw| !raw.is_empty());
    match present {
        None => Err(Ignored::new(
            "no_email",
            "the order carries no email address",
        )),
        Some(raw) => Email::parse(raw)
            .map_err(|_| Ignored::new("invalid_email", "the order's email address is not usable")),
    }
}

/// The order's currency and total in its minor units, or why the order cannot be counted.
pub(crate) fn priced(
    currency: Option<&str>,
    total: Option<&str>,
) -> Result<(Currency, MinorUnits), Ignored> {
    let currency = currency
        .and_then(|c| Currency::parse(c).ok())
        .ok_or_else(|| Ignored::new("unusable_total", "the order has no currency"))?;
    let total = total.ok_or_else(|| Ignored::new("unusable_total", "the order has no total"))?;
    let amount = MinorUnits::parse_decimal(total, &currency)
        .map_err(|e| Ignored::new("unusable_total", format!("total {e}")))?;
    Ok((currency, amount))
}

/// A cart attribute's or order meta's value, where platforms allow strings and numbers.
pub(crate) fn attribute_text(value: Option<&serde_json::Value>) -> Option<String> {
    match value {
        Some(serde_json::Value::String(s)) => Some(s.clone()),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        _ => None,
    }
}

/// What an order's body tells about who placed it, for the review rules; a part that does not
/// parse is simply missing (a platform's odd value never refuses an order).
pub(crate) fn signals(
    ip: Option<&str>,
    ships_to: Option<ShippingParts<'_>>,
    full_name: Option<String>,
) -> OrderSignals {
    OrderSignals {
        ip: ip.and_then(|raw| raw.trim().parse().ok()),
        ships_to: ships_to.and_then(|parts| {
            ShippingAddress::new(parts.line1, parts.line2, parts.postcode, parts.country)
        }),
        full_name: full_name.and_then(|raw| CustomerName::parse(&raw).ok()),
    }
}

/// A platform's shipping address fields.
pub(crate) struct ShippingParts<'a> {
    pub line1: Option<&'a str>,
    pub line2: Option<&'a str>,
    pub postcode: Option<&'a str>,
    pub country: Option<&'a str>,
}

/// `first last`, from whichever parts are there.
pub(crate) fn joined_name(first: Option<&str>, last: Option<&str>) -> Option<String> {
    let name = [first, last]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    (!name.is_empty()).then_some(name)
}
