use std::sync::Arc;

use crate::model::counters::{self, CounterDelta};
use crate::model::{
    activity_changes, decide, CouponCode, Decision, HistoryChange, Order, OrderOutcome, Reward,
    RewardRules,
};
use crate::model::{
    FingerprintKey, MessageId, PageKey, PersonFingerprint, ReviewDecision, ReviewLimits,
    WinbackRules, DEFAULT_REVIEW_DAYS,
};
use crate::ports::{
    Clock, CommitOutcome, ExistingOrder, KnownCodes, MessageKind, OrderCommit, OrderStore,
    OutboxMessage, Payload, ReviewLookup, Scheduled, ShopIdentity, StoreError, StoredOrder, Tally,
    UndecidedOrder, WinbackPlan,
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
    pub(super) store: Arc<dyn OrderStore>,
    pub(super) clock: Arc<dyn Clock>,
    pub(super) rules: RewardRules,
    pub(super) shop: ShopIdentity,
    pub(super) events: Events,
    pub(super) discounts: Discounts,
    pub(super) fingerprints: FingerprintKey,
    pub(super) activity_window_days: u32,
    pub(super) referral_links: Option<ReferralLinks>,
    pub(super) winback: Option<(WinbackRules, UnsubscribeLinks)>,
    pub(super) review: ReviewPolicy,
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
    pub(super) fn referrer_page(&self, referrer: &crate::model::Referrer) -> Option<String> {
        let links = self.referral_links.as_ref()?;
        let key = PageKey::issue(&self.fingerprints, &referrer.code, &referrer.customer_id);
        links.page(&referrer.code, &key)
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
