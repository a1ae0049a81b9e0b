//! The webhook events (docs/architecture.md#webhooks), built as outbox messages beside the fact
//! that causes them. Ids and business fields only: no address or name ever goes on the wire.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use crate::model::{
    rfc3339, Answer, Coupon, CouponStatus, CustomerId, MessageId, OfferClaim, OrderId,
    ReferralCode, Reward, Survey,
};
use crate::ports::{EventType, MessageKind, OutboxMessage, Payload};

/// Whether events are written at all: only when the shop has a webhook endpoint (`WEBHOOK_URL`),
/// so a shop without one pays nothing for them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Events {
    enabled: bool,
}

impl Events {
    pub fn new(enabled: bool) -> Self {
        Self { enabled }
    }

    pub fn enabled(self) -> bool {
        self.enabled
    }

    /// `{"type", "timestamp", "data"}`; the timestamp is when the fact happened, so the body is
    /// the same bytes on every retry.
    fn event(
        self,
        event: EventType,
        customer_id: &CustomerId,
        cause: &[&str],
        reference: String,
        at: DateTime<Utc>,
        data: Value,
    ) -> Option<OutboxMessage> {
        if !self.enabled {
            return None;
        }
        let mut id_cause = vec!["event", event.as_str()];
        id_cause.extend_from_slice(cause);
        let body = json!({"type": event.as_str(), "timestamp": rfc3339(at), "data": data});
        Some(OutboxMessage {
            id: MessageId::derive(&id_cause),
            kind: MessageKind::Event(event),
            reference,
            customer_id: Some(customer_id.clone()),
            payload: Payload::Event {
                body: body.to_string(),
            },
            created_at: at,
            due_at: at,
        })
    }

    pub fn referral_created(
        self,
        customer_id: &CustomerId,
        code: &ReferralCode,
        link: &str,
        at: DateTime<Utc>,
    ) -> Option<OutboxMessage> {
        self.event(
            EventType::ReferralCreated,
            customer_id,
            &[customer_id.as_ref()],
            format!("customer:{customer_id}"),
            at,
            json!({"customer_id": customer_id.as_ref(), "code": code.as_ref(), "link": link}),
        )
    }

    pub fn reward_issued(
        self,
        order_id: &OrderId,
        reward: &Reward,
        at: DateTime<Utc>,
    ) -> Option<OutboxMessage> {
        let status = CouponStatus::at(
            &crate::model::CouponState::Issued,
            reward.available_from,
            at,
        );
        self.event(
            EventType::RewardIssued,
            &reward.customer_id,
            &[order_id.as_ref(), reward.beneficiary.as_str()],
            format!("order:{order_id}"),
            at,
            json!({
                "order_id": order_id.as_ref(),
                "beneficiary": reward.beneficiary.as_str(),
                "customer_id": reward.customer_id.as_ref(),
                "coupon": reward.coupon.as_ref(),
                "amount_cents": reward.amount_cents,
                "currency": reward.currency.as_ref(),
                "status": status.as_str(),
                "available_from": rfc3339(reward.available_from),
                "valid_until": reward.valid_until.map(rfc3339),
            }),
        )
    }

    /// A rewarded order whose rewards a rule holds for review; who and why, no coupon yet.
    pub fn reward_flagged(
        self,
        held: &crate::ports::HeldReward,
        at: DateTime<Utc>,
    ) -> Option<OutboxMessage> {
        let rules: Vec<&str> = held.rules.iter().map(|rule| rule.as_str()).collect();
        self.event(
            EventType::RewardFlagged,
            &held.referrer_id,
            &[held.order_id.as_ref()],
            format!("order:{}", held.order_id),
            at,
            json!({
                "order_id": held.order_id.as_ref(),
                "referral_code": held.referral_code.as_ref(),
                "referrer_customer_id": held.referrer_id.as_ref(),
                "friend_customer_id": held.friend_id.as_ref(),
                "rules": rules,
            }),
        )
    }

    pub fn reward_revoked(
        self,
        order_id: &OrderId,
        coupon: &Coupon,
        at: DateTime<Utc>,
    ) -> Option<OutboxMessage> {
        let reward = &coupon.reward;
        self.event(
            EventType::RewardRevoked,
            &reward.customer_id,
            &[reward.coupon.as_ref()],
            format!("order:{order_id}"),
            at,
            json!({
                "order_id": order_id.as_ref(),
                "coupon": reward.coupon.as_ref(),
                "customer_id": reward.customer_id.as_ref(),
            }),
        )
    }

    pub fn coupon_redeemed(
        self,
        coupon: &Coupon,
        order_id: &OrderId,
        at: DateTime<Utc>,
    ) -> Option<OutboxMessage> {
        let reward = &coupon.reward;
        self.event(
            EventType::CouponRedeemed,
            &reward.customer_id,
            &[reward.coupon.as_ref()],
            format!("coupon:{}", reward.coupon),
            at,
            json!({
                "coupon": reward.coupon.as_ref(),
                "order_id": order_id.as_ref(),
                "customer_id": reward.customer_id.as_ref(),
            }),
        )
    }

    pub fn survey_sent(self, survey: &SurveySent<'_>, at: DateTime<Utc>) -> Option<OutboxMessage> {
        self.event(
            EventType::SurveySent,
            survey.customer_id,
            &[survey.order_id.as_ref()],
            format!("order:{}", survey.order_id),
            at,
            json!({
                "order_id": survey.order_id.as_ref(),
                "customer_id": survey.customer_id.as_ref(),
                "survey_id": survey.survey_id,
            }),
        )
    }

    /// A survey's one reminder went out.
    pub fn survey_reminded(self, survey: &Survey, at: DateTime<Utc>) -> Option<OutboxMessage> {
        let survey_id = survey.token.survey_id();
        self.event(
            EventType::SurveyReminded,
            &survey.customer_id,
            &[survey_id.as_ref()],
            format!("survey:{survey_id}"),
            at,
            json!({
                "survey_id": survey_id.as_ref(),
                "order_id": survey.order_id.as_ref(),
                "customer_id": survey.customer_id.as_ref(),
            }),
        )
    }

    /// A lapsed customer was mailed a win-back coupon; one per coupon.
    pub fn winback_sent(self, coupon: &Reward, at: DateTime<Utc>) -> Option<OutboxMessage> {
        self.event(
            EventType::WinbackSent,
            &coupon.customer_id,
            &[coupon.coupon.as_ref()],
            format!("customer:{}", coupon.customer_id),
            at,
            json!({
                "customer_id": coupon.customer_id.as_ref(),
                "coupon": coupon.coupon.as_ref(),
                "amount_cents": coupon.amount_cents,
                "currency": coupon.currency.as_ref(),
                "valid_until": coupon.valid_until.map(rfc3339),
            }),
        )
    }

    /// One per answer and change of answer (`revision`); `previous_score` is the score it changed.
    pub fn survey_answered(
        self,
        survey: &Survey,
        answer: &Answer,
        previous: Option<&Answer>,
    ) -> Option<OutboxMessage> {
        let survey_id = survey.token.survey_id();
        let revision = answer.revision.to_string();
        self.event(
            EventType::SurveyAnswered,
            &survey.customer_id,
            &[survey_id.as_ref(), &revision],
            format!("survey:{survey_id}"),
            answer.answered_at,
            json!({
                "survey_id": survey_id.as_ref(),
                "order_id": survey.order_id.as_ref(),
                "customer_id": survey.customer_id.as_ref(),
                "score": answer.score.value(),
                "category": answer.score.category().as_str(),
                "comment": answer.comment.as_ref().map(|c| c.as_ref()),
                "previous_score": previous.map(|p| p.score.value()),
            }),
        )
    }

    /// Once per person: the cause is the opt-out's key, so unsubscribing again adds nothing.
    pub fn customer_unsubscribed(
        self,
        customer_id: &CustomerId,
        person_key: &str,
        at: DateTime<Utc>,
    ) -> Option<OutboxMessage> {
        self.event(
            EventType::CustomerUnsubscribed,
            customer_id,
            &[person_key],
            format!("customer:{customer_id}"),
            at,
            json!({"customer_id": customer_id.as_ref()}),
        )
    }
}

impl Events {
    /// A friend claimed the first-order offer on a code: the code, the friend's coupon and when
    /// the offer ends; never the address.
    pub fn friend_offer_claimed(self, claim: &OfferClaim) -> Option<OutboxMessage> {
        self.event(
            EventType::FriendOfferClaimed,
            &claim.customer_id,
            &[claim.coupon.as_ref()],
            format!("coupon:{}", claim.coupon),
            claim.claimed_at,
            json!({
                "code": claim.code.as_ref(),
                "coupon": claim.coupon.as_ref(),
                "expires_at": rfc3339(claim.expires_at),
            }),
        )
    }
}

/// What `survey.sent` tells about a survey just sent.
pub struct SurveySent<'a> {
    pub order_id: &'a OrderId,
    pub customer_id: &'a CustomerId,
    pub survey_id: &'a str,
}
