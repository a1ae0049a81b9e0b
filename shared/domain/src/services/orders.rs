use std::sync::Arc;

use crate::model::counters::{self, CounterDelta};
use crate::model::{
    activity_changes, decide, Beneficiary, CouponCode, Decision, HistoryChange, Order,
    OrderOutcome, Reward, RewardRules,
};
use crate::model::{
    held_by, FingerprintKey, MessageId, OrderId, PageKey, PersonFingerprint, ReviewDecision,
    ReviewLimits, RuleFacts, WinbackRules, DEFAULT_REVIEW_DAYS,
};
use crate::ports::{
    Clock, CommitOutcome, ExistingOrder, HeldReward, KnownCodes, Letter, MessageKind, OrderCommit,
    OrderStore, OutboxMessage, Payload, ReviewLookup, ReviewPlan, RewardCommit, RewardMail,
    Scheduled, ShopIdentity, StoreError, StoredOrder, Tally, UndecidedOrder, WeekCounts,
    WinbackPlan,
};

use super::optimistic::{until_done, Step};
use super::{Discounts, Events, ReferralLinks, UnsubscribeLinks};

#[derive(Debug, thiserror::Error)]
pub enum OrderError {
    /// The recorded answer comes along: a platform re-sending an edited order is told what was
    /// decided the first time.
    #[error("order id already recorded with a different body")]
    IdempotencyConflict { recorded: Box<OrderOutcome> },
    #[error("the customer's total in this currency would exceed what is kept")]
    TotalOverflow,
    /// A platform reported the order cancelled (or refunded) before it was paid: it is never
    /// decided.
    #[error("the order was cancelled before it was paid")]
    Closed,
    #[error("facts kept changing under {attempts} decisions")]
    Contention { attempts: u32 },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Records orders and rewards referrals exactly once (docs/architecture.md#exactly-once).
#[derive(Clone)]
pub struct OrderService {
    store: Arc<dyn OrderStore>,
    clock: Arc<dyn Clock>,
    rules: RewardRules,
    shop: ShopIdentity,
    events: Events,
    discounts: Discounts,
    fingerprints: FingerprintKey,
    activity_window_days: u32,
    referral_links: Option<ReferralLinks>,
    winback: Option<(WinbackRules, UnsubscribeLinks)>,
    review: ReviewPolicy,
}

/// Which rules hold rewards, and what becomes of a held reward nobody decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReviewPolicy {
    pub limits: ReviewLimits,
    /// REVIEW_AUTO: decided this way `days` (REVIEW_DAYS) after it was held.
    pub auto: ReviewDecision,
    pub days: u32,
}

impl ReviewPolicy {
    /// Nothing held: what a service without review settings does.
    pub fn off() -> Self {
        Self {
            limits: ReviewLimits::off(),
            auto: ReviewDecision::Approve,
            days: DEFAULT_REVIEW_DAYS,
        }
    }
}

/// What a rewarded order writes beyond its record: the reward's commit, its messages, and the
/// rules that hold it (none: paid at once).
struct Rewarding {
    commit: RewardCommit,
    messages: Vec<OutboxMessage>,
    held_rules: Vec<crate::model::ReviewRule>,
}

/// ACTIVE_WINDOW_DAYS' default: a customer who ordered within the last year is active.
pub const DEFAULT_ACTIVITY_WINDOW_DAYS: u32 = 365;

impl OrderService {
    pub fn new(
        store: Arc<dyn OrderStore>,
        clock: Arc<dyn Clock>,
        rules: RewardRules,
        shop: ShopIdentity,
        events: Events,
        fingerprints: FingerprintKey,
    ) -> Self {
        Self {
            store,
            clock,
            rules,
            shop,
            events,
            discounts: Discounts::default(),
            fingerprints,
            activity_window_days: DEFAULT_ACTIVITY_WINDOW_DAYS,
            referral_links: None,
            winback: None,
            review: ReviewPolicy::off(),
        }
    }

    /// The review rules (REVIEW_MAX_ORDERS_PER_IP, …) and the automatic decision.
    pub fn with_review(mut self, policy: ReviewPolicy) -> Self {
        self.review = policy;
        self
    }

    /// WINBACK_DAYS and its terms: every order moves its customer's win-back to a lapse after
    /// their last order; the mail carries the customer's unsubscribe link from `unsubscribe`.
    pub fn with_winback(mut self, rules: WinbackRules, unsubscribe: UnsubscribeLinks) -> Self {
        self.winback = rules.enabled().then_some((rules, unsubscribe));
        self
    }

    /// REFERRAL_BASE_URL: the referrer's reward mail links their page.
    pub fn with_referral_links(mut self, links: ReferralLinks) -> Self {
        self.referral_links = Some(links);
        self
    }

    /// DISCOUNT_PLATFORM: every coupon issued also becomes a discount code there.
    pub fn with_discounts(mut self, discounts: Discounts) -> Self {
        self.discounts = discounts;
        self
    }

    /// ACTIVE_WINDOW_DAYS: how long an order keeps its customer active, for retention.
    pub fn with_activity_window(mut self, days: u32) -> Self {
        self.activity_window_days = days;
        self
    }

    /// Records a paid order and returns what was decided; replays get the recorded outcome. An
    /// order a platform reported before its payment is decided now; one cancelled before it is
    /// `Closed`.
    pub async fn record(&self, order: Order) -> Result<OrderOutcome, OrderError> {
        let request_hash = order.request_hash();
        let person = self.fingerprints.person(&order.email);
        until_done(
            || self.decide(&order, &person, &request_hash),
            |attempts| OrderError::Contention { attempts },
        )
        .await
    }

    /// One read → decide → commit of `record`.
    async fn decide(
        &self,
        order: &Order,
        person: &PersonFingerprint,
        request_hash: &str,
    ) -> Result<Step<OrderOutcome>, OrderError> {
        let marks = order.signals.marks(&self.fingerprints);
        let limits = &self.review.limits;
        let lookup = ReviewLookup {
            network: order
                .signals
                .ip
                .filter(|_| limits.max_orders_per_ip > 0)
                .map(|ip| self.fingerprints.network(ip)),
            referrer_marks: !marks.is_empty() && (limits.shipping_address || limits.same_name),
        };
        let context = self.store.order_context(order, person, &lookup).await?;
        match context.existing {
            Some(ExistingOrder::Decided(existing)) => {
                return self.replay(existing, request_hash).map(Step::Done)
            }
            Some(ExistingOrder::Closed) => return Err(OrderError::Closed),
            Some(ExistingOrder::AwaitingPayment) | None => {}
        }
        let decision = decide(
            order,
            person,
            context.referrer.as_ref(),
            &context.friend,
            &self.rules,
        );
        let now = self.clock.now();
        let rewarding = match (&decision, &context.referrer) {
            (Decision::Rewarded, Some(referrer)) => {
                Some(self.rewarding(order, referrer, &context.review, lookup.network, now))
            }
            _ => None,
        };
        let (reward, messages, held_rules) = match rewarding {
            Some(rewarding) => (
                Some(rewarding.commit),
                rewarding.messages,
                rewarding.held_rules,
            ),
            None => (None, Vec::new(), Vec::new()),
        };
        let rewards = reward.as_ref().map_or(&[][..], |r| &r.rewards[..]);
        let outcome = OrderOutcome::new(order, &decision, rewards, &held_rules, now);
        let before = &context.friend.history;
        let after = before.with(order).map_err(|_| OrderError::TotalOverflow)?;
        let history = HistoryChange::between(before, order, decision == Decision::Rewarded);
        let won_back = context
            .friend
            .winback
            .filter(|mail| mail.won_by(order.placed_at, before.last_order_at));
        let mut tally = self.tally_for(order, &decision, rewards, &history, before, &after);
        if let Some(mail) = &won_back {
            tally = Tally::merge([&tally, &Tally::won_back(mail.sent_at.date_naive(), order)]);
        }
        let winback = self.winback_step(order, &after, context.friend.winback.as_ref());
        let commit = OrderCommit {
            tally,
            history,
            winback,
            won_back: won_back.map(|mail| mail.sent_at),
            marks,
            order: order.clone(),
            person: person.clone(),
            request_hash: request_hash.to_owned(),
            outcome,
            reward,
            messages,
        };
        match self.store.commit_order(&commit).await? {
            CommitOutcome::Committed => Ok(Step::Done(commit.outcome)),
            CommitOutcome::OrderExists(existing) => {
                self.replay(existing, request_hash).map(Step::Done)
            }
            CommitOutcome::Closed => Err(OrderError::Closed),
            CommitOutcome::Stale => Ok(Step::Stale),
        }
    }

    /// Records an order a platform reported before its payment (awaiting it) or cancelled
    /// before it (closed), so the payment decides it later and a cancelled one is never decided.
    /// Returns what was recorded before: an order already decided keeps its decision.
    pub async fn record_undecided(
        &self,
        order: &UndecidedOrder,
    ) -> Result<Option<ExistingOrder>, OrderError> {
        Ok(self.store.record_undecided(order).await?)
    }

    /// Which of an order's discount codes are referral codes or coupons of ours (not, say, a
    /// shop's own discount codes), in one read.
    pub async fn known_codes(
        &self,
        referral_codes: &[crate::model::ReferralCode],
        coupons: &[CouponCode],
    ) -> Result<KnownCodes, OrderError> {
        // Most orders name no code: no store round trip for them.
        if referral_codes.is_empty() && coupons.is_empty() {
            return Ok(KnownCodes::default());
        }
        Ok(self.store.known_codes(referral_codes, coupons).await?)
    }

    /// Funnel outcome on the order's day; activity spans and first-order day for retention,
    /// which change only when the order brings its customer a new day; one more order of the
    /// customer on the day.
    fn tally_for(
        &self,
        order: &Order,
        decision: &Decision,
        rewards: &[Reward],
        history: &HistoryChange,
        before: &crate::model::OrderHistory,
        after: &crate::model::OrderHistory,
    ) -> Tally {
        let day = order.placed_at.date_naive();
        let mut deltas: Vec<CounterDelta> = Vec::new();
        if history.new_days.is_some() {
            deltas.extend(
                activity_changes(&before.order_days, day, self.activity_window_days)
                    .into_iter()
                    .map(|(d, delta)| counters::retention(d, counters::ACTIVE_DELTA, delta)),
            );
        }
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
        Tally::days(deltas).with_order_day(day, &order.customer_id)
    }

    /// The customer's one win-back step, due a lapse after their last order (never sooner than
    /// a lapse after their last win-back mail); its id is the customer's, so each order moves
    /// the same step rather than adding one.
    fn winback_step(
        &self,
        order: &Order,
        after: &crate::model::OrderHistory,
        previous: Option<&crate::model::WinbackSent>,
    ) -> Option<OutboxMessage> {
        let (rules, unsubscribe) = self.winback.as_ref()?;
        let last_order_at = after.last_order_at.unwrap_or(order.placed_at);
        let due = rules.due_at(last_order_at, previous);
        Some(OutboxMessage {
            id: MessageId::derive(&["winback", order.customer_id.as_ref()]),
            kind: MessageKind::Winback,
            reference: format!("customer:{}", order.customer_id),
            customer_id: Some(order.customer_id.clone()),
            payload: Payload::Scheduled(Scheduled::Winback(WinbackPlan {
                customer_id: order.customer_id.clone(),
                amount_cents: rules.reward_cents,
                currency: rules.currency.clone(),
                valid_days: rules.valid_days,
                unsubscribe_url: unsubscribe.link(&order.customer_id),
                shop: self.shop.clone(),
            })),
            created_at: due,
            due_at: due,
        })
    }

    /// The referrer's own page, where create-referral serves it.
    fn referrer_page(&self, referrer: &crate::model::Referrer) -> Option<String> {
        let links = self.referral_links.as_ref()?;
        let key = PageKey::issue(&self.fingerprints, &referrer.code, &referrer.customer_id);
        links.page(&referrer.code, &key)
    }

    /// The referrer's coupon, and the friend's for a later order unless FRIEND_REWARD gives the
    /// friend only the first-order offer.
    fn rewards_for(&self, order: &Order, referrer: &crate::model::Referrer) -> Vec<Reward> {
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
    fn rewarding(
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
    fn reward_mails(
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
    fn rule_facts(
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
    fn review_step(&self, held: &HeldReward) -> OutboxMessage {
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

    /// The recorded outcome for the same body; the mails went into the outbox with the first
    /// commit, so a replay has nothing to send.
    fn replay(
        &self,
        existing: StoredOrder,
        request_hash: &str,
    ) -> Result<OrderOutcome, OrderError> {
        if existing.request_hash != request_hash {
            return Err(OrderError::IdempotencyConflict {
                recorded: Box::new(existing.outcome),
            });
        }
        Ok(existing.outcome)
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
