use chrono::{DateTime, Utc};

use super::{CustomerId, CustomerName, Email, Locale, ReferralCode};

/// What the storefront tells us about a customer when asking for their code.
#[derive(Debug, Clone)]
pub struct ReferralRequest {
    pub customer_id: CustomerId,
    pub email: Email,
    pub name: Option<CustomerName>,
    pub locale: Option<Locale>,
}

/// The code a customer owns and when it was issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedCode {
    pub customer_id: CustomerId,
    pub code: ReferralCode,
    pub created_at: DateTime<Utc>,
}

/// A customer's code with how it has performed so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralStats {
    pub issued: IssuedCode,
    pub clicks: u64,
    pub conversions: u64,
}

/// Whether a get-or-create call made the code or found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Creation {
    Created,
    Existing,
}
