use std::sync::Arc;

use crate::model::{Coupon, CouponCode, CouponState, Currency, MinorUnits, OrderId, RewardStatus};
use crate::ports::{
    Clock, ExistingOrder, OrderStore, PartialRefund, RedeemOutcome, RefundsRecorded, StoreError,
    UndecidedOrder,
};

use super::{Discounts, Events};

#[derive(Debug, thiserror::Error)]
pub enum CouponError {
    #[error("no such coupon")]
    NotFound,
    #[error("coupon already redeemed with another order")]
    AlreadyRedeemed,
    #[error("coupon is still in its hold period")]
    Pending,
    #[error("coupon is held for review")]
    InReview,
    #[error("coupon was revoked")]
    Revoked,
    #[error("coupon has expired")]
    Expired,
    #[error("no such order")]
    UnknownOrder,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What recording a delivery's refunds did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundsOutcome {
    UnknownOrder,
    /// The refunds are in another currency than the order: nothing recorded.
    OtherCurrency {
        order_currency: Currency,
        refund_currency: Option<Currency>,
    },
    /// The refunds name two currencies: nothing recorded, since they cannot be added.
    MixedCurrencies,
    Recorded {
        /// Per refund, in order: recorded now (else its id was recorded before).
        new: Vec<bool>,
        effect: RefundEffect,
    },
}

/// What the order's refunds, all told, do to its rewards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundEffect {
    /// The net total fell below the minimum (or to zero): the order counts as refunded.
    Revoked(Vec<RewardStatus>),
    /// The order still qualifies, so its rewards stand. `net` is `None` for orders recorded
    /// before totals were kept with them.
    Kept { net: Option<MinorUnits> },
}

/// What a cancellation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CancelOutcome {
    /// The order was decided: its unredeemed rewards are revoked, as by a full refund.
    Revoked(Vec<RewardStatus>),
    /// It was not decided (or not known): now it never will be.
    Closed,
}

/// Coupon lookups, redemption and refund clawback.
#[derive(Clone)]
pub struct CouponService {
    store: Arc<dyn OrderStore>,
    clock: Arc<dyn Clock>,
    events: Events,
    discounts: Discounts,
    min_order_cents: u64,
}

impl CouponService {
    pub fn new(store: Arc<dyn OrderStore>, clock: Arc<dyn Clock>, events: Events) -> Self {
        Self {
            store,
            clock,
            events,
            discounts: Discounts::default(),
            min_order_cents: 0,
        }
    }

    /// DISCOUNT_PLATFORM: a revoked coupon's discount is ended there too.
    pub fn with_discounts(mut self, discounts: Discounts) -> Self {
        self.discounts = discounts;
        self
    }

    /// MIN_ORDER_CENTS: an order refunded below it no longer earns its rewards.
    pub fn with_minimum_order(mut self, min_order_cents: u64) -> Self {
        self.min_order_cents = min_order_cents;
        self
    }

    /// The coupon's reward and where it stands now; an unused coupon past its validity is
    /// `Expired`, at the instant its platform discount ends.
    pub async fn coupon(&self, code: &CouponCode) -> Result<RewardStatus, CouponError> {
        let coupon = self
            .store
            .coupon(code)
            .await?
            .ok_or(CouponError::NotFound)?;
        let now = self.clock.now();
        if coupon.expired_at(now) {
            return Err(CouponError::Expired);
        }
        Ok(coupon.status_at(now))
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
                CouponState::Issued if coupon.expired_at(now) => Err(CouponError::Expired),
                CouponState::Issued => Err(CouponError::Pending),
                CouponState::Review => Err(CouponError::InReview),
            },
        }
    }

    /// Records parts of the order's money given back (once per refund id, all in one atomic
    /// step, only in the order's currency) and revokes its rewards once the net total is below
    /// the minimum order, or nothing is left; safe to call again, so a platform's retry after a
    /// failure half-way finishes the work.
    pub async fn record_refunds(
        &self,
        order_id: &OrderId,
        refunds: &[PartialRefund],
    ) -> Result<RefundsOutcome, CouponError> {
        let mut currencies = refunds.iter().filter_map(|r| r.currency.as_ref());
        let currency = currencies.next();
        if currencies.any(|other| Some(other) != currency) {
            return Ok(RefundsOutcome::MixedCurrencies);
        }
        let (tally, new) = match self
            .store
            .record_refunds(order_id, currency, refunds)
            .await?
        {
            RefundsRecorded::UnknownOrder => return Ok(RefundsOutcome::UnknownOrder),
            RefundsRecorded::OtherCurrency { order_currency } => {
                return Ok(RefundsOutcome::OtherCurrency {
                    order_currency,
                    refund_currency: currency.cloned(),
                })
            }
            RefundsRecorded::Recorded { tally, new } => (tally, new),
        };
        let net = tally
            .total
            .map(|total| total.saturating_sub(tally.refunded));
        let effect = match net {
            Some(net) if net.get() == 0 || net.get() < self.min_order_cents => {
                RefundEffect::Revoked(self.refund(order_id).await?)
            }
            _ => RefundEffect::Kept { net },
        };
        Ok(RefundsOutcome::Recorded { new, effect })
    }

    /// A platform cancelled the order: a decided one loses its unredeemed rewards as by a full
    /// refund; one not decided yet, or not known yet (`undecided` describes it), is recorded
    /// closed, so a payment reported later decides nothing. Without `undecided` (the platform's
    /// order could not be read) an unknown order is left unknown.
    pub async fn cancel(
        &self,
        order_id: &OrderId,
        undecided: Option<&UndecidedOrder>,
    ) -> Result<CancelOutcome, CouponError> {
        let decided = match undecided {
            Some(order) => matches!(
                self.store.record_undecided(order).await?,
                Some(ExistingOrder::Decided(_))
            ),
            None => true,
        };
        if !decided {
            return Ok(CancelOutcome::Closed);
        }
        self.refund(order_id).await.map(CancelOutcome::Revoked)
    }

    /// Revokes what the order earned and is not yet redeemed; safe to call again.
    pub async fn refund(&self, order_id: &OrderId) -> Result<Vec<RewardStatus>, CouponError> {
        let now = self.clock.now();
        let coupons = self
            .store
            .refund_order(order_id, now, &|coupon| {
                self.events
                    .reward_revoked(order_id, coupon, now)
                    .into_iter()
                    .chain(self.discounts.deactivate(coupon, now))
                    .collect()
            })
            .await?
            .ok_or(CouponError::UnknownOrder)?;
        Ok(coupons.iter().map(|c| c.status_at(now)).collect())
    }
}
