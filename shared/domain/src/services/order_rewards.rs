//! What a rewarded order writes beyond its record: the rewards both sides get, the rules that may
//! hold them for review, and the mails, events and platform discounts that pay them out.

use crate::model::{held_by, MessageId, OrderId, RuleFacts};
use crate::model::{Beneficiary, CouponCode, Order, Reward};
use crate::ports::{
    HeldReward, Letter, MessageKind, OutboxMessage, Payload, ReviewPlan, RewardCommit, RewardMail,
    Scheduled, WeekCounts,
};

use super::{Discounts, Events, OrderService};

/// What a rewarded order writes beyond its record: the reward's commit, its messages, and the
/// rules that hold it (none: paid at once).
pub(super) struct Rewarding {
    pub(super) commit: RewardCommit,
    pub(super) messages: Vec<OutboxMessage>,
    pub(super) held_rules: Vec<crate::model::ReviewRule>,
}

impl OrderService {
    /// The referrer's coupon, and the friend's for a later order unless FRIEND_REWARD gives the
    /// friend only the first-order offer.
    pub(super) fn rewards_for(
        &self,
        order: &Order,
        referrer: &crate::model::Referrer,
    ) -> Vec<Reward> {
        let available_from = self.rules.available_from(order.placed_at);
        let valid_until = Some(self.rules.valid_until(available_from));
        let reward = |beneficiary, customer_id, amount_cents| Reward {
            beneficiary,
            customer_id,
            coupon: CouponCode::generate(&mut rand::thread_rng()),
            amount_cents,
            currency: self.rules.currency.clone(),
            available_from,
            valid_until,
        };
        let mut rewards = vec![reward(
            Beneficiary::Referrer,
            referrer.customer_id.clone(),
            self.rules.referrer_cents,
        )];
        if self.rules.friend_reward.coupon_after_order() {
            rewards.push(reward(
                Beneficiary::Friend,
                order.customer_id.clone(),
                self.rules.friend_cents,
            ));
        }
        rewards
    }

    /// A rewarded order's coupons and what they write: paid at once (the mails, `reward.issued`
    /// and platform discounts), or held by the review rules (`reward.flagged` and the automatic
    /// decision); either way the week's counts move.
    pub(super) fn rewarding(
        &self,
        order: &Order,
        referrer: &crate::model::Referrer,
        reading: &crate::ports::ReviewReading,
        network: Option<crate::model::NetworkFingerprint>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Rewarding {
        let today = now.date_naive();
        let rewards = self.rewards_for(order, referrer);
        let facts = self.rule_facts(order, referrer, reading, network.is_some());
        let held_rules = held_by(&facts, &self.review.limits, today);
        let counts = WeekCounts {
            day: today,
            stale_referrer_days: reading.referrer_rewards.stale(today),
            network: network.map(|network| {
                let stale = reading.orders_from_ip.as_ref().map(|c| c.stale(today));
                (network, stale.unwrap_or_default())
            }),
        };
        let (held, messages) = if held_rules.is_empty() {
            let mails = self.reward_mails(order, referrer, &rewards);
            let messages = reward_messages(
                self.events,
                &self.discounts,
                &order.order_id,
                &mails,
                &rewards,
                now,
            );
            (None, messages)
        } else {
            let held = HeldReward {
                order_id: order.order_id.clone(),
                referral_code: referrer.code.clone(),
                referrer_id: referrer.customer_id.clone(),
                friend_id: order.customer_id.clone(),
                rules: held_rules.clone(),
                total: order.total_cents,
                currency: order.currency.clone(),
                placed_at: order.placed_at,
                flagged_at: now,
                rewards: rewards.clone(),
                page_url: self.referrer_page(referrer),
            };
            let mut messages: Vec<_> = self.events.reward_flagged(&held, now).into_iter().collect();
            messages.push(self.review_step(&held));
            (Some(held), messages)
        };
        Rewarding {
            commit: RewardCommit {
                referral_code: referrer.code.clone(),
                referrer_cap: self.rules.referrer_cap,
                rewards,
                counts,
                held,
            },
            messages,
            held_rules,
        }
    }

    /// Both sides' reward mails: the referrer's with a link to their page.
    pub(super) fn reward_mails(
        &self,
        order: &Order,
        referrer: &crate::model::Referrer,
        rewards: &[Reward],
    ) -> Vec<RewardMail> {
        rewards
            .iter()
            .map(|reward| match reward.beneficiary {
                Beneficiary::Referrer => RewardMail {
                    to: referrer.email.clone(),
                    name: referrer.name.clone(),
                    locale: referrer.locale,
                    reward: reward.clone(),
                    page_url: self.referrer_page(referrer),
                    shop: self.shop.clone(),
                },
                Beneficiary::Friend | Beneficiary::Winback => RewardMail {
                    to: order.email.clone(),
                    name: order.name.clone(),
                    locale: order.locale,
                    reward: reward.clone(),
                    page_url: None,
                    shop: self.shop.clone(),
                },
            })
            .collect()
    }

    /// What the review rules compare, from what the store read: the counts as they are, and
    /// whether the order's marks (where it ships, the full name) are among the referrer's.
    pub(super) fn rule_facts(
        &self,
        order: &Order,
        referrer: &crate::model::Referrer,
        reading: &crate::ports::ReviewReading,
        counted_network: bool,
    ) -> RuleFacts {
        let key = &self.fingerprints;
        let known = |mark: &crate::model::ReviewMark| reading.referrer_marks.contains(mark);
        let ships_to_referrer = order
            .signals
            .ships_to
            .as_ref()
            .is_some_and(|place| known(&key.ships_to(place)));
        let friend_name = order
            .signals
            .full_name
            .as_ref()
            .or(order.name.as_ref())
            .and_then(|name| key.full_name(name));
        let referrer_name = referrer.name.as_ref().and_then(|name| key.full_name(name));
        let same_name =
            friend_name.is_some_and(|mark| known(&mark) || referrer_name.as_ref() == Some(&mark));
        RuleFacts {
            referrer_rewards: reading.referrer_rewards.clone(),
            orders_from_ip: counted_network
                .then(|| reading.orders_from_ip.clone().unwrap_or_default()),
            ships_to_referrer,
            same_name,
        }
    }

    /// The held reward's automatic decision, due REVIEW_DAYS after it was held.
    pub(super) fn review_step(&self, held: &HeldReward) -> OutboxMessage {
        let due = held.flagged_at + chrono::Duration::days(i64::from(self.review.days));
        OutboxMessage {
            id: MessageId::derive(&["review-decision", held.order_id.as_ref()]),
            kind: MessageKind::ReviewDecision,
            reference: format!("order:{}", held.order_id),
            // Ids and a decision only: erasing either side leaves the review to be decided.
            customer_id: None,
            payload: Payload::Scheduled(Scheduled::ReviewDecision(ReviewPlan {
                order_id: held.order_id.clone(),
                decision: self.review.auto,
                shop: self.shop.clone(),
            })),
            created_at: due,
            due_at: due,
        }
    }
}

/// The mails, `reward.issued` events and platform discounts of a rewarded order, committed with
/// it (or with its approval, for a held one); ids come from the order id and the beneficiary, or
/// the coupon, so no replay can add a second one.
pub(super) fn reward_messages(
    events: Events,
    discounts: &Discounts,
    order_id: &OrderId,
    mails: &[RewardMail],
    rewards: &[Reward],
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<OutboxMessage> {
    let reference = format!("order:{order_id}");
    let mut messages = Vec::new();
    for mail in mails {
        messages.push(OutboxMessage {
            id: MessageId::derive(&[
                "reward-mail",
                order_id.as_ref(),
                mail.reward.beneficiary.as_str(),
            ]),
            kind: MessageKind::RewardMail,
            reference: reference.clone(),
            customer_id: Some(mail.reward.customer_id.clone()),
            payload: Payload::Mail(Letter::Reward(mail.clone())),
            created_at: now,
            due_at: now,
        });
    }
    messages.extend(
        rewards
            .iter()
            .filter_map(|reward| events.reward_issued(order_id, reward, now)),
    );
    messages.extend(
        mails
            .iter()
            .filter_map(|mail| discounts.create(order_id, &mail.reward, &mail.to, now)),
    );
    messages
}
