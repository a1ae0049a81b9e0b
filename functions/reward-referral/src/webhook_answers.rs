//! What reward-referral's platform webhooks answer: one type per thing done, so every answer a
//! platform (and a redelivery) gets has a shape the compiler checks.

use domain::model::{OrderId, OrderOutcome};
use domain::ports::PartialRefund;
use serde::Serialize;
use web::IgnoredAnswer;

use crate::bodies::{CouponUse, OrderBody, RewardBody};

/// One delivery's answer.
#[derive(Serialize)]
#[serde(untagged)]
pub(crate) enum OrderAnswer {
    Decided(Box<Decided>),
    Undecided(Undecided),
    Cancellation(Cancellation),
    Refund(Refund),
    NotApplied(NotApplied),
    Ignored(IgnoredAnswer),
}

/// `handled: order`: the order as decided (now, or when it was first recorded), and what the
/// delivery's coupons and listed refunds did.
#[derive(Serialize)]
pub(crate) struct Decided {
    handled: &'static str,
    #[serde(flatten)]
    order: OrderBody,
    /// The platform's copy differs from what was recorded; the recorded decision stands.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    changed_since_recorded: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    refunds: Vec<RefundLine>,
    #[serde(skip_serializing_if = "Option::is_none")]
    refunds_not_examined: Option<NotExamined>,
    #[serde(skip_serializing_if = "Option::is_none")]
    codes_not_examined: Option<NotExamined>,
}

impl Decided {
    /// An order's decision, without what a delivery's codes and refunds add.
    pub(crate) fn new(outcome: &OrderOutcome, changed_since_recorded: bool) -> Self {
        Self {
            handled: "order",
            order: OrderBody::from(outcome),
            changed_since_recorded,
            refunds: Vec::new(),
            refunds_not_examined: None,
            codes_not_examined: None,
        }
    }

    pub(crate) fn with_delivery(
        mut self,
        coupons: Vec<CouponUse>,
        refunds: Vec<RefundLine>,
        refunds_not_examined: usize,
        codes_not_examined: usize,
    ) -> Self {
        self.order.coupons = Some(coupons);
        self.refunds = refunds;
        self.refunds_not_examined = (refunds_not_examined > 0)
            .then_some(NotExamined::new(refunds_not_examined, "too_many_refunds"));
        self.codes_not_examined = (codes_not_examined > 0)
            .then_some(NotExamined::new(codes_not_examined, "too_many_codes"));
        self
    }
}

/// What a delivery listed beyond what one delivery examines.
#[derive(Serialize)]
pub(crate) struct NotExamined {
    count: usize,
    reason: &'static str,
}

impl NotExamined {
    fn new(count: usize, reason: &'static str) -> Self {
        Self { count, reason }
    }
}

/// `handled: undecided_order`: recorded, not decided: `awaiting_payment` or `closed`.
#[derive(Serialize)]
pub(crate) struct Undecided {
    handled: &'static str,
    order_id: String,
    status: &'static str,
    reason: &'static str,
    detail: String,
}

impl Undecided {
    pub(crate) fn new(
        order_id: &OrderId,
        status: &'static str,
        reason: &'static str,
        detail: String,
    ) -> Self {
        Self {
            handled: "undecided_order",
            order_id: order_id.to_string(),
            status,
            reason,
            detail,
        }
    }

    /// An order cancelled before it was paid: never decided.
    pub(crate) fn closed(order_id: &OrderId) -> Self {
        Self::new(
            order_id,
            "closed",
            "order_closed",
            "cancelled before it was paid: never decided".into(),
        )
    }
}

/// `handled: cancellation`: a decided order `revoked` (with its rewards), any other `closed`.
#[derive(Serialize)]
pub(crate) struct Cancellation {
    handled: &'static str,
    order_id: String,
    status: &'static str,
    rewards: Vec<RewardBody>,
    detail: String,
}

impl Cancellation {
    pub(crate) fn new(
        order_id: &OrderId,
        status: &'static str,
        rewards: Vec<RewardBody>,
        detail: String,
    ) -> Self {
        Self {
            handled: "cancellation",
            order_id: order_id.to_string(),
            status,
            rewards,
            detail,
        }
    }
}

/// `handled: refund`: a refund recorded (now or before) and what it did to the rewards.
#[derive(Serialize)]
pub(crate) struct Refund {
    handled: &'static str,
    order_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    refund_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    amount_minor: Option<u64>,
    /// The refund's currency; `null` when the platform named none.
    #[serde(skip_serializing_if = "Option::is_none")]
    currency: Option<Option<String>>,
    /// `now`, or `before` for a refund this order already counted.
    #[serde(skip_serializing_if = "Option::is_none")]
    recorded: Option<&'static str>,
    #[serde(flatten)]
    effect: RefundEffectBody,
}

/// The rewards revoked, or kept with the order's net total after its refunds.
#[derive(Serialize)]
#[serde(untagged)]
pub(crate) enum RefundEffectBody {
    Revoked {
        rewards_revoked: bool,
        rewards: Vec<RewardBody>,
    },
    Kept {
        rewards_revoked: bool,
        net_total_minor: Option<u64>,
    },
}

impl RefundEffectBody {
    pub(crate) fn revoked(rewards: Vec<RewardBody>) -> Self {
        Self::Revoked {
            rewards_revoked: true,
            rewards,
        }
    }

    pub(crate) fn kept(net_total_minor: Option<u64>) -> Self {
        Self::Kept {
            rewards_revoked: false,
            net_total_minor,
        }
    }
}

impl Refund {
    /// The whole order refunded, as the platform reported it without amounts.
    pub(crate) fn full(order_id: &OrderId, rewards: Vec<RewardBody>) -> Self {
        Self {
            handled: "refund",
            order_id: order_id.to_string(),
            refund_id: None,
            amount_minor: None,
            currency: None,
            recorded: None,
            effect: RefundEffectBody::revoked(rewards),
        }
    }

    /// One of the platform's refunds, recorded `now` or `before`.
    pub(crate) fn partial(
        order_id: &OrderId,
        refund: &PartialRefund,
        recorded: &'static str,
        effect: RefundEffectBody,
    ) -> Self {
        Self {
            handled: "refund",
            order_id: order_id.to_string(),
            refund_id: Some(refund.refund_id.as_ref().to_owned()),
            amount_minor: Some(refund.amount.get()),
            currency: Some(refund.currency.as_ref().map(ToString::to_string)),
            recorded: Some(recorded),
            effect,
        }
    }
}

/// A refund the delivery named that changed nothing, with why.
#[derive(Serialize)]
pub(crate) struct NotApplied {
    ignored: &'static str,
    refund_id: String,
    detail: String,
}

impl NotApplied {
    pub(crate) fn new(reason: &'static str, refund_id: &str, detail: String) -> Self {
        Self {
            ignored: reason,
            refund_id: refund_id.to_owned(),
            detail,
        }
    }
}

/// One refund of a delivery: applied, or not with why.
#[derive(Serialize)]
#[serde(untagged)]
pub(crate) enum RefundLine {
    Applied(Refund),
    NotApplied(NotApplied),
}

impl From<RefundLine> for OrderAnswer {
    fn from(line: RefundLine) -> Self {
        match line {
            RefundLine::Applied(refund) => Self::Refund(refund),
            RefundLine::NotApplied(why) => Self::NotApplied(why),
        }
    }
}

/// No order with this id was recorded: nothing to revoke or refund.
pub(crate) fn unknown_order() -> IgnoredAnswer {
    IgnoredAnswer::new("unknown_order", "no order with this id was recorded")
}
