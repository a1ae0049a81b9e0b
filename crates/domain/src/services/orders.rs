use std::sync::Arc;

use chrono::Duration;

use crate::model::counters::{self, CounterDelta};
use crate::model::{
    activity_changes, decide, Beneficiary, CouponCode, Decision, Order, OrderOutcome, Reward,
    RewardRules,
};
use crate::ports::{
    Clock, CommitOutcome, Mailer, OrderCommit, OrderStore, RewardCommit, RewardMail, StoreError,
    StoredOrder,
};

use super::reward_mail::{self, ShopIdentity};

/// How often we re-read and decide again when a concurrent write changed the facts. Each retry
/// follows a real change (another order, another reward), so a handful always suffices in practice.
pub const MAX_DECISIONS: u32 = 6;

/// How long a request may take to deliver reward mails before a replay may try instead.
pub const MAIL_LEASE_SECONDS: i64 = 60;

#[derive(Debug, thiserror::Error)]
pub enum OrderError {
    #[error("order id already recorded with a different body")]
    IdempotencyConflict,
    #[error("facts kept changing under {attempts} decisions")]
    Contention { attempts: u32 },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Records orders and rewards referrals exactly once (docs/architecture.md#exactly-once).
#[derive(Clone)]
pub struct OrderService {
    store: Arc<dyn OrderStore>,
    mailer: Arc<dyn Mailer>,
    clock: Arc<dyn Clock>,
    rules: RewardRules,
    shop: ShopIdentity,
    activity_window_days: u32,
}

/// ACTIVE_WINDOW_DAYS' default: a customer who ordered within the last year is active.
pub const DEFAULT_ACTIVITY_WINDOW_DAYS: u32 = 365;

impl OrderService {
    pub fn new(
        store: Arc<dyn OrderStore>,
        mailer: Arc<dyn Mailer>,
        clock: Arc<dyn Clock>,
        rules: RewardRules,
        shop: ShopIdentity,
    ) -> Self {
        Self {
            store,
            mailer,
            clock,
            rules,
            shop,
            activity_window_days: DEFAULT_ACTIVITY_WINDOW_DAYS,
        }
    }

    /// ACTIVE_WINDOW_DAYS: how long an order keeps its customer active, for retention.
    pub fn with_activity_window(mut self, days: u32) -> Self {
        self.activity_window_days = days;
        self
    }

    /// Records the order and returns what was decided; replays get the recorded outcome.
    pub async fn record(&self, order: Order) -> Result<OrderOutcome, OrderError> {
        let request_hash = order.request_hash();
        for _ in 0..MAX_DECISIONS {
            let context = self.store.order_context(&order).await?;
            if let Some(existing) = context.existing {
                return self.replay(existing, &request_hash, &order).await;
            }
            let decision = decide(
                &order,
                context.referrer.as_ref(),
                &context.friend,
                &self.rules,
            );
            let (reward, mails) = match (&decision, &context.referrer) {
                (Decision::Rewarded, Some(referrer)) => {
                    let rewards = self.rewards_for(&order, referrer);
                    let mails = vec![
                        RewardMail {
                            to: referrer.email.clone(),
                            name: referrer.name.clone(),
                            locale: referrer.locale,
                            reward: rewards[0].clone(),
                        },
                        RewardMail {
                            to: order.email.clone(),
                            name: order.name.clone(),
                            locale: order.locale,
                            reward: rewards[1].clone(),
                        },
                    ];
                    let commit = RewardCommit {
                        referral_code: referrer.code.clone(),
                        referrer_cap: self.rules.referrer_cap,
                        friend_person_key: order.email.canonical_hash(),
                        rewards,
                    };
                    (Some(commit), mails)
                }
                _ => (None, Vec::new()),
            };
            let rewards = reward.as_ref().map_or(&[][..], |r| &r.rewards[..]);
            let now = self.clock.now();
            let outcome = OrderOutcome::new(&order, &decision, rewards, now);
            let new_history = context.friend.history.with(&order);
            let counters = self.counters_for(
                &order,
                &decision,
                rewards,
                &context.friend.history,
                &new_history,
            );
            let commit = OrderCommit {
                counters,
                mail_lease_until: (!mails.is_empty())
                    .then(|| now + Duration::seconds(MAIL_LEASE_SECONDS)),
                new_history,
                seen_history: context.friend.history,
                order: order.clone(),
                request_hash: request_hash.clone(),
                outcome,
                reward,
                mails,
            };
            match self.store.commit_order(&commit).await? {
                CommitOutcome::Committed => {
                    self.send_mails(&order, &commit.mails).await;
                    return Ok(commit.outcome);
                }
                CommitOutcome::OrderExists(existing) => {
                    return self.replay(existing, &request_hash, &order).await
                }
                CommitOutcome::Stale => continue,
            }
        }
        Err(OrderError::Contention {
            attempts: MAX_DECISIONS,
        })
    }

    /// Funnel outcome on the order's day; activity spans and first-order day for retention.
    fn counters_for(
        &self,
        order: &Order,
        decision: &Decision,
        rewards: &[Reward],
        before: &crate::model::OrderHistory,
        after: &crate::model::OrderHistory,
    ) -> Vec<CounterDelta> {
        let day = order.placed_at.date_naive();
        let mut deltas: Vec<CounterDelta> =
            activity_changes(&before.order_days, day, self.activity_window_days)
                .into_iter()
                .map(|(d, delta)| counters::retention(d, counters::ACTIVE_DELTA, delta))
                .collect();
        if before.order_days.first() != after.order_days.first() {
            if let Some(old_first) = before.order_days.first() {
                deltas.push(counters::retention(*old_first, counters::NEW_CUSTOMERS, -1));
            }
            if let Some(new_first) = after.order_days.first() {
                deltas.push(counters::retention(*new_first, counters::NEW_CUSTOMERS, 1));
            }
        }
        match decision {
            Decision::NoCode => {}
            Decision::Rejected(reason) => {
                deltas.push(counters::funnel(day, counters::rejected(*reason), 1))
            }
            Decision::Rewarded => {
                deltas.push(counters::funnel(day, counters::REWARDED, 1));
                let issued: i64 = rewards.iter().map(|r| r.amount_cents as i64).sum();
                deltas.push(counters::funnel(day, counters::ISSUED_CENTS, issued));
            }
        }
        counters::merge(deltas)
    }

    fn rewards_for(&self, order: &Order, referrer: &crate::model::Referrer) -> Vec<Reward> {
        let available_from = self.rules.available_from(order.placed_at);
        let reward = |beneficiary, customer_id, amount_cents| Reward {
            beneficiary,
            customer_id,
            coupon: CouponCode::generate(&mut rand::thread_rng()),
            amount_cents,
            currency: self.rules.currency.clone(),
            available_from,
        };
        vec![
            reward(
                Beneficiary::Referrer,
                referrer.customer_id.clone(),
                self.rules.referrer_cents,
            ),
            reward(
                Beneficiary::Friend,
                order.customer_id.clone(),
                self.rules.friend_cents,
            ),
        ]
    }

    async fn replay(
        &self,
        existing: StoredOrder,
        request_hash: &str,
        order: &Order,
    ) -> Result<OrderOutcome, OrderError> {
        if existing.request_hash != request_hash {
            return Err(OrderError::IdempotencyConflict);
        }
        // A replay is the storefront's retry: the moment to deliver mails that failed before,
        // unless the request that recorded the order (or another replay) is still at it.
        if !existing.unsent_mails.is_empty() {
            let now = self.clock.now();
            let lease_free = existing.mail_lease_until.is_none_or(|until| until <= now);
            if lease_free
                && self
                    .store
                    .lease_mail_delivery(
                        &order.order_id,
                        now,
                        now + Duration::seconds(MAIL_LEASE_SECONDS),
                    )
                    .await?
            {
                self.send_mails(order, &existing.unsent_mails).await;
            }
        }
        Ok(existing.outcome)
    }

    /// Sends after commit; a failure leaves the mail recorded as unsent for the next replay.
    async fn send_mails(&self, order: &Order, mails: &[RewardMail]) {
        let mut sent = Vec::new();
        for mail in mails {
            let beneficiary = mail.reward.beneficiary;
            match self
                .mailer
                .send(&reward_mail::render(mail, &self.shop))
                .await
            {
                Ok(()) => sent.push(beneficiary),
                Err(error) => tracing::warn!(
                    order_id = %order.order_id,
                    beneficiary = beneficiary.as_str(),
                    error = %error,
                    "reward mail not sent; a replay of the order will retry"
                ),
            }
        }
        if mails.is_empty() {
            return;
        }
        if let Err(error) = self
            .store
            .finish_mail_delivery(&order.order_id, &sent)
            .await
        {
            tracing::error!(order_id = %order.order_id, error = %error, "could not record sent reward mails");
        }
    }
}
