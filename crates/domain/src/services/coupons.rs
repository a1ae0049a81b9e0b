use std::sync::Arc;

use crate::model::{Coupon, CouponCode, CouponState, OrderId, RewardStatus};
use crate::ports::{Clock, OrderStore, RedeemOutcome, StoreError};

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

/// Coupon lookups, redemption and refund clawback.
#[derive(Clone)]
pub struct CouponService {
    store: Arc<dyn OrderStore>,
    clock: Arc<dyn Clock>,
    events: Events,
}

impl CouponService {
    pub fn new(store: Arc<dyn OrderStore>, clock: Arc<dyn Clock>, events: Events) -> Self {
        Self {
            store,
            clock,
            events,
        }
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
