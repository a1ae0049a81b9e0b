//! Asking for a survey after a purchase, and what was decided.

use super::{CustomerId, CustomerName, Email, Locale, OrderId, Segment, SurveyToken};

/// What the storefront asks for after a purchase.
#[derive(Debug, Clone)]
pub struct SurveyRequest {
    pub order_id: OrderId,
    pub customer_id: CustomerId,
    pub email: Email,
    pub name: Option<CustomerName>,
    pub locale: Option<Locale>,
    /// Where the order came from, for NPS by segment.
    pub segment: Option<Segment>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkipReason {
    Throttled,
    Unsubscribed,
}

impl SkipReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Throttled => "throttled",
            Self::Unsubscribed => "unsubscribed",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "throttled" => Some(Self::Throttled),
            "unsubscribed" => Some(Self::Unsubscribed),
            _ => None,
        }
    }
}

/// The decision for one order, stored so replays get the same answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SurveyDecision {
    Sent(SurveyToken),
    Skipped(SkipReason),
}
