use std::sync::Arc;

use crate::model::{CouponCode, OrderId};
use crate::ports::{Clock, CouponState, OrderStore, RedeemOutcome, StoreError, StoredCoupon};

use super::order_outcome::RewardBody;

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
}

impl CouponService {
    pub fn new(store: Arc<dyn OrderStore>, clock: Arc<dyn Clock>) -> Self {
        Self { store, clock }
    }

    pub async fn coupon(
        &self,
        code: &CouponCode,
    ) -> Result<(StoredCoupon, &'static str), CouponError> {
        let coupon = self
            .store
            .coupon(code)
            .await?
            .ok_or(CouponError::NotFound)?;
        let status = super::order_outcome::coupon_status(
            &coupon.state,
            coupon.reward.available_from,
            self.clock.now(),
        );
        Ok((coupon, status))
    }

    /// Redeems once; the same order redeeming again gets the same success (checkout retries).
    pub async fn redeem(
        &self,
        code: &CouponCode,
        order_id: &OrderId,
    ) -> Result<StoredCoupon, CouponError> {
        match self
            .store
            .redeem_coupon(code, order_id, self.clock.now())
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
    pub async fn refund(&self, order_id: &OrderId) -> Result<Vec<RewardBody>, CouponError> {
        let now = self.clock.now();
        let coupons = self
            .store
            .refund_order(order_id, now)
            .await?
            .ok_or(CouponError::UnknownOrder)?;
        Ok(coupons
            .iter()
            .map(|c| RewardBody::of_coupon(c, now))
            .collect())
    }
}
