//! A reward's coupon and where it stands in its lifecycle.

use chrono::{DateTime, Utc};

use super::{OrderId, Reward};

/// What has happened to a coupon since it was issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CouponState {
    /// Held by a review rule: not usable, no platform discount, until approved.
    Review,
    Issued,
    Redeemed {
        order_id: OrderId,
    },
    Revoked,
}

/// A reward's coupon: the reward, and what has happened to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coupon {
    pub reward: Reward,
    pub state: CouponState,
}

impl Coupon {
    /// An issued coupon can no longer be used from its `valid_until` on; a redeemed or revoked
    /// one keeps saying so.
    pub fn expired_at(&self, now: DateTime<Utc>) -> bool {
        self.state == CouponState::Issued && self.reward.valid_until.is_some_and(|end| now >= end)
    }

    pub fn status_at(&self, now: DateTime<Utc>) -> RewardStatus {
        RewardStatus {
            reward: self.reward.clone(),
            status: CouponStatus::at(&self.state, self.reward.available_from, now),
        }
    }
}

/// Where a coupon stands at a moment: an issued coupon is pending until its hold has passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CouponStatus {
    Review,
    Pending,
    Available,
    Redeemed,
    Revoked,
}

impl CouponStatus {
    pub fn at(state: &CouponState, available_from: DateTime<Utc>, now: DateTime<Utc>) -> Self {
        match state {
            CouponState::Redeemed { .. } => Self::Redeemed,
            CouponState::Revoked => Self::Revoked,
            CouponState::Review => Self::Review,
            CouponState::Issued if now < available_from => Self::Pending,
            CouponState::Issued => Self::Available,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Review => "review",
            Self::Pending => "pending",
            Self::Available => "available",
            Self::Redeemed => "redeemed",
            Self::Revoked => "revoked",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [
            Self::Review,
            Self::Pending,
            Self::Available,
            Self::Redeemed,
            Self::Revoked,
        ]
        .into_iter()
        .find(|status| status.as_str() == raw)
    }
}

/// A reward with its coupon's status at one moment: what an answer about rewards shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RewardStatus {
    pub reward: Reward,
    pub status: CouponStatus,
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;

    #[test]
    fn an_issued_coupon_is_pending_until_its_hold_has_passed() {
        let from = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
        let status = |state, now| CouponStatus::at(state, from, now);
        assert_eq!(
            status(&CouponState::Issued, from - Duration::milliseconds(1)),
            CouponStatus::Pending
        );
        assert_eq!(status(&CouponState::Issued, from), CouponStatus::Available);
        assert_eq!(status(&CouponState::Revoked, from), CouponStatus::Revoked);
        let order_id = OrderId::parse("o-1").expect("id");
        assert_eq!(
            status(&CouponState::Redeemed { order_id }, from),
            CouponStatus::Redeemed
        );
    }

    #[test]
    fn statuses_round_trip_through_their_names() {
        for status in [
            CouponStatus::Review,
            CouponStatus::Pending,
            CouponStatus::Available,
            CouponStatus::Redeemed,
            CouponStatus::Revoked,
        ] {
            assert_eq!(CouponStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(CouponStatus::parse("issued"), None);
    }
}
