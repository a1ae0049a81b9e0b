//! The deliverer's view of coupons as platform discounts (docs/architecture.md#platform-discounts):
//! the shop platform's admin API, and the coupon's record of what was created there.

use std::time::Duration;

use async_trait::async_trait;

use super::StoreError;
use crate::model::{CouponCode, NewDiscount, PlatformDiscountId};

/// Why a platform did not do what it was asked. The reason is the platform's own words (never a
/// token, secret or address), stored as the message's `last_error`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlatformError {
    /// Worth retrying on the schedule: an outage, a timeout, HTTP 429 or 5xx, a refused token
    /// that a fresh one did not fix.
    #[error("{0}")]
    Transient(String),
    /// The platform refused the request itself (a user error, a currency that is not the
    /// shop's): the message fails, for staff to look at and requeue.
    #[error("{0}")]
    Refused(String),
    /// The platform's rate limit is spent: try again after `wait`, which is no failure.
    #[error("throttled: {reason}")]
    Throttled { wait: Duration, reason: String },
}

/// A shop platform's admin API, as far as coupons go. Both calls are safe to repeat.
#[async_trait]
pub trait PlatformDiscounts: Send + Sync {
    /// Creates the discount, or finds the one an earlier attempt created with this code.
    async fn create(&self, discount: &NewDiscount) -> Result<PlatformDiscountId, PlatformError>;

    /// The discount with this code, if the platform has one: after an attempt that may have
    /// created it without its id being recorded.
    async fn find(&self, code: &CouponCode) -> Result<Option<PlatformDiscountId>, PlatformError>;

    /// Ends the discount; one that is already gone counts as ended.
    async fn deactivate(&self, id: &PlatformDiscountId) -> Result<(), PlatformError>;
}

/// A coupon as its discount's delivery needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CouponDiscount {
    pub revoked: bool,
    /// The platform's id, once a create was delivered.
    pub discount_id: Option<PlatformDiscountId>,
}

/// Where the deliverer reads a coupon's state and records its platform discount.
#[async_trait]
pub trait DiscountLedger: Send + Sync {
    /// `None` for an unknown coupon.
    async fn coupon_discount(
        &self,
        coupon: &CouponCode,
    ) -> Result<Option<CouponDiscount>, StoreError>;

    /// Records the platform's id on the coupon and returns the coupon as it stands after, so a
    /// revocation that landed while the platform was creating is seen.
    async fn record_discount(
        &self,
        coupon: &CouponCode,
        id: &PlatformDiscountId,
    ) -> Result<Option<CouponDiscount>, StoreError>;
}
