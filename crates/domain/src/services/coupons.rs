use std::sync::Arc;

use crate::model::{Coupon, CouponCode, CouponState, MinorUnits, OrderId, RewardStatus};
use crate::ports::{Clock, OrderStore, PartialRefund, RedeemOutcome, StoreError};

use super::Events;

#[derive(Debug, thiserror::Error)]
pub enum CouponError {
    #[error("no such coupon")]
    NotFound,
    #[error("coupon already redeemed with another order")]
    AlreadyRedeemed,
    #[error("coupon is still in its hold period")]
    Pending,
    #[error("coupon was revoked")]
    Revoked,
    #[error("no such order")]
    UnknownOrder,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a partial refund did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartialRefundOutcome {
    /// The net total fell below the minimum (or to zero): the order counts as refunded.
    Revoked(Vec<RewardStatus>),
    /// Recorded; the order still qualifies, so its rewards stand. `net` is `None` for orders
    /// recorded before totals were kept with them.
    Kept { net: Option<MinorUnits> },
}

/// Coupon lookups, redemption and refund clawback.
#[derive(Clone)]
pub struct CouponService {
    store: Arc<dyn OrderStore>,
    clock: Arc<dyn Clock>,
    events: Events,
    min_order_cents: u64,
}

impl CouponService {
    pub fn new(store: Arc<dyn OrderStore>, clock: Arc<dyn Clock>, events: Events) -> Self {
        Self {
            store,
            clock,
            events,
            min_order_cents: 0,
        }
    }

    /// MIN_ORDER_CENTS: an order refunded below it no longer earns its rewards.
    pub fn with_minimum_order(mut self, min_order_cents: u64) -> Self {
        self.min_order_cents = min_order_cents;
        self
    }

    /// The coupon's reward and where it stands now.
    pub async fn coupon(&self, code: &CouponCode) -> Result<RewardStatus, CouponError> {
        let coupon = self
            .store
            .coupon(code)
            .await?
            .ok_or(CouponError::NotFound)?;
        Ok(coupon.status_at(self.clock.now()))
    }

    /// Redeems once; the same order redeeming again gets the same success (checkout retries).
    pub async fn redeem(
        &self,
        code: &CouponCode,
        order_id: &OrderId,
    ) -> Result<Coupon, CouponError> {
        let now = self.clock.now();
        // The event names the coupon's owner, which only the coupon knows: with events on, a
        // redemption reads it first (one GetItem) so the event commits with the redemption.
        let message = if self.events.enabled() {
            match self.store.coupon(code).await? {
                Some(coupon) => self.events.coupon_redeemed(&coupon, order_id, now),
                None => return Err(CouponError::NotFound),
            }
        } else {
            None
        };
        match self
            .store
            .redeem_coupon(code, order_id, now, message)
            .await?
        {
            RedeemOutcome::Redeemed(coupon) => Ok(coupon),
            RedeemOutcome::NotFound => Err(CouponError::NotFound),
            RedeemOutcome::Refused(coupon) => match &coupon.state {
                CouponState::Redeemed { order_id: by } if by == order_id => Ok(coupon),
                CouponState::Redeemed { .. } => Err(CouponError::AlreadyRedeemed),
                CouponState::Revoked => Err(CouponError::Revoked),
                CouponState::Issued => Err(CouponError::Pending),
            },
        }
    }

    /// Records part of the order's money given back (once per refund id) and revokes its rewards
    /// once the net total is below the minimum order, or nothing is left; safe to call again,
    /// so a platform's retry after a failure half-way finishes the work.
    pub async fn refund_part(
        &self,
        order_id: &OrderId,
        refund: &PartialRefund,
    ) -> Result<PartialRefundOutcome, CouponError> {
        let tally = self
            .store
            .record_refund(order_id, refund)
            .await?
            .ok_or(CouponError::UnknownOrder)?;
        let net = tally
            .total
            .map(|total| total.saturating_sub(tally.refunded));
        match net {
            Some(net) if net.get() == 0 || net.get() < self.min_order_cents => {
                Ok(PartialRefundOutcome::Revoked(self.refund(order_id).await?))
            }
            _ => Ok(PartialRefundOutcome::Kept { net }),
        }
    }

    /// Revokes what the order earned and is not yet redeemed; safe to call again.
    pub async fn refund(&self, order_id: &OrderId) -> Result<Vec<RewardStatus>, CouponError> {
        let now = self.clock.now();
        let coupons = self
            .store
            .refund_order(order_id, now, &|coupon| {
                self.events.reward_revoked(order_id, coupon, now)
            })
            .await?
            .ok_or(CouponError::UnknownOrder)?;
        Ok(coupons.iter().map(|c| c.status_at(now)).collect())
    }
}
