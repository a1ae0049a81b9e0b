//! Delivers outbox messages (docs/architecture.md#the-outbox): claim, send, record. Runs in the
//! deliver-outbox function on AWS and as a background task of the local stack.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use futures_util::stream::{self, StreamExt};

use super::letters::render as render_letter;
use super::scheduled::{ScheduledDelivery, StepResult};
use crate::model::{Concurrency, CouponCode, MessageId, NewDiscount, RetrySchedule, SendRate};
use crate::ports::{
    Claim, Clock, DiscountAction, DiscountLedger, Mailer, MessagePage, MessageStatus, OutboxAdmin,
    OutboxStore, PageCursor, Payload, PlatformDiscounts, PlatformError, RequeueOutcome, Scheduled,
    Settlement, StoreError, WebhookError, WebhookSender,
};

/// How long a claim keeps others off a message. A send takes at most the webhook timeout (10 s)
/// or an SES call; a deliverer that dies mid-send frees the message when its claim runs out.
pub const CLAIM_SECONDS: i64 = 60;

/// What became of one message this time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    Delivered,
    /// Failed; another attempt is scheduled.
    Retried,
    /// Failed for good.
    Failed,
    /// Not to be sent after all: its coupon was revoked before its discount was created.
    Cancelled,
    /// The platform's rate limit was spent: due again when it has refilled, no attempt used.
    Deferred,
    /// Not ours to send: delivered already, not due yet, or claimed by another deliverer.
    NotClaimed,
    /// Sent, but the claim ran out before the result was recorded: the next claimer sends again.
    ClaimLost,
}

/// What a batch of attempts came to, for metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    pub delivered: u32,
    pub retried: u32,
    pub failed: u32,
    /// Messages a sweep found due; [`SWEEP_LIMIT`] means more may be waiting.
    pub picked: usize,
    /// Whether a sweep looked at the pending messages (a stream batch does not).
    pub swept: bool,
    /// Age of the oldest message still pending when the batch was picked; `None` when none was,
    /// or when no sweep looked.
    pub oldest_pending_age_seconds: Option<i64>,
}

impl DeliveryReport {
    pub fn count(&mut self, attempt: Attempt) {
        match attempt {
            Attempt::Delivered => self.delivered += 1,
            Attempt::Retried => self.retried += 1,
            Attempt::Failed => self.failed += 1,
            Attempt::Cancelled | Attempt::Deferred | Attempt::NotClaimed | Attempt::ClaimLost => {}
        }
    }
}

/// Sends what the outbox holds, each message at least once, and records why when it cannot.
#[derive(Clone)]
pub struct Deliverer {
    outbox: Arc<dyn OutboxStore>,
    mailer: Arc<dyn Mailer>,
    /// `None` without `WEBHOOK_URL`: no events are written then, and any left over fail.
    webhooks: Option<Arc<dyn WebhookSender>>,
    /// `None` with `DISCOUNT_PLATFORM=none`: no discount messages are written then.
    discounts: Option<DiscountDelivery>,
    /// Reminders and win-backs; `None` where the store has no such port (any left fail).
    scheduled: Option<ScheduledDelivery>,
    clock: Arc<dyn Clock>,
    schedule: RetrySchedule,
    /// Messages sent at once.
    concurrency: Concurrency,
    /// `None`: mails as fast as they go (the local stack's mail folder).
    mail_pace: Option<Arc<MailPace>>,
}

/// Spaces mail sends one interval apart, however many messages are in flight: SES refuses
/// sends above the account's rate, and a refused send costs an attempt's wait.
struct MailPace {
    interval: std::time::Duration,
    next: std::sync::Mutex<tokio::time::Instant>,
}

impl MailPace {
    async fn wait(&self) {
        let slot = {
            let now = tokio::time::Instant::now();
            // A poisoned lock only means another send panicked; its slot is still a time.
            let mut next = self
                .next
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let slot = (*next).max(now);
            *next = slot + self.interval;
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}

/// How long a deliverer waits before trying a mail the provider's rate limit refused.
const THROTTLED_MAIL_WAIT: std::time::Duration = std::time::Duration::from_secs(1);

/// The shop platform's admin API and the coupons' record of their discounts.
#[derive(Clone)]
pub struct DiscountDelivery {
    pub platform: Arc<dyn PlatformDiscounts>,
    pub ledger: Arc<dyn DiscountLedger>,
}

/// Messages a sweep picks at most; the next sweep (a minute later on AWS) takes the rest.
pub const SWEEP_LIMIT: usize = 100;

impl Deliverer {
    pub fn new(
        outbox: Arc<dyn OutboxStore>,
        mailer: Arc<dyn Mailer>,
        webhooks: Option<Arc<dyn WebhookSender>>,
        clock: Arc<dyn Clock>,
        schedule: RetrySchedule,
    ) -> Self {
        Self {
            outbox,
            mailer,
            webhooks,
            discounts: None,
            scheduled: None,
            clock,
            schedule,
            concurrency: Concurrency::default(),
            mail_pace: None,
        }
    }

    /// OUTBOX_CONCURRENCY: how many messages are sent at once.
    pub fn with_concurrency(mut self, concurrency: Concurrency) -> Self {
        self.concurrency = concurrency;
        self
    }

    /// SES_MAX_SEND_RATE: mails leave at most this many per second, whatever the concurrency.
    pub fn with_mail_rate(mut self, rate: SendRate) -> Self {
        self.mail_pace = Some(Arc::new(MailPace {
            interval: rate.interval(),
            next: std::sync::Mutex::new(tokio::time::Instant::now()),
        }));
        self
    }

    /// Delivers each message of `ids`, up to the concurrency at once; each id's attempt or the
    /// store's failure, in no particular order.
    pub async fn deliver_all(
        &self,
        ids: &[MessageId],
    ) -> Vec<(MessageId, Result<Attempt, StoreError>)> {
        stream::iter(ids.to_vec())
            .map(|id| async move {
                let attempt = self.deliver(&id).await;
                (id, attempt)
            })
            .buffer_unordered(self.concurrency.get())
            .collect()
            .await
    }

    /// DISCOUNT_PLATFORM: coupons' discounts are created and ended through `discounts`.
    pub fn with_discounts(mut self, discounts: DiscountDelivery) -> Self {
        self.discounts = Some(discounts);
        self
    }

    /// Survey reminders and win-backs are written out through `scheduled` when due.
    pub fn with_scheduled(mut self, scheduled: ScheduledDelivery) -> Self {
        self.scheduled = Some(scheduled);
        self
    }

    /// Delivers one message if it is due and nobody else holds it.
    pub async fn deliver(&self, id: &MessageId) -> Result<Attempt, StoreError> {
        let now = self.clock.now();
        let Some(claim) = self
            .outbox
            .claim(id, now, now + Duration::seconds(CLAIM_SECONDS))
            .await?
        else {
            return Ok(Attempt::NotClaimed);
        };
        let result = self.send(&claim, now).await;
        let finished = self.clock.now();
        let (settlement, attempt) = match &result {
            // The step's commit settled it; nothing is left to record.
            Ok(Sent::Recorded) => {
                log_attempt(
                    &claim,
                    Attempt::Delivered,
                    &Settlement::Delivered,
                    finished - now,
                );
                return Ok(Attempt::Delivered);
            }
            Ok(Sent::Lost) => {
                log_attempt(
                    &claim,
                    Attempt::ClaimLost,
                    &Settlement::Delivered,
                    finished - now,
                );
                return Ok(Attempt::ClaimLost);
            }
            Ok(Sent::Done) => (Settlement::Delivered, Attempt::Delivered),
            Ok(Sent::Cancelled(reason)) => (
                Settlement::Cancelled {
                    reason: reason.clone(),
                },
                Attempt::Cancelled,
            ),
            Err(Failure::Deferred { wait, reason }) => (
                Settlement::Deferred {
                    at: finished
                        + Duration::from_std(*wait).unwrap_or_else(|_| Duration::seconds(60)),
                    reason: reason.clone(),
                },
                Attempt::Deferred,
            ),
            Err(Failure::Permanent(error)) => (
                Settlement::Failed {
                    error: error.clone(),
                },
                Attempt::Failed,
            ),
            Err(Failure::Transient(error)) => match self.retry_at(claim.attempt, finished) {
                Some(at) => (
                    Settlement::Retry {
                        at,
                        error: error.clone(),
                    },
                    Attempt::Retried,
                ),
                None => (
                    Settlement::Failed {
                        error: error.clone(),
                    },
                    Attempt::Failed,
                ),
            },
        };
        let recorded = self.outbox.settle(&claim, &settlement, finished).await?;
        let attempt = if recorded {
            attempt
        } else {
            Attempt::ClaimLost
        };
        log_attempt(&claim, attempt, &settlement, finished - now);
        Ok(attempt)
    }

    /// Delivers what is due now, oldest due first; a failure of one message never stops the rest.
    pub async fn sweep(&self) -> Result<DeliveryReport, StoreError> {
        let now = self.clock.now();
        let due = self.outbox.due(now, SWEEP_LIMIT).await?;
        let mut report = DeliveryReport {
            oldest_pending_age_seconds: due
                .oldest_pending_since
                .map(|since| (now - since).num_seconds().max(0)),
            picked: due.ids.len(),
            swept: true,
            ..DeliveryReport::default()
        };
        let mut failure = None;
        for (_, attempt) in self.deliver_all(&due.ids).await {
            match attempt {
                Ok(attempt) => report.count(attempt),
                Err(error) => failure = failure.or(Some(error)),
            }
        }
        match failure {
            Some(error) => Err(error),
            None => Ok(report),
        }
    }

    fn retry_at(&self, attempt: u32, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let unit: f64 = rand::random();
        self.schedule.next_attempt(attempt, now, unit)
    }

    async fn send(&self, claim: &Claim, now: DateTime<Utc>) -> Result<Sent, Failure> {
        match &claim.message.payload {
            Payload::Scheduled(step) => {
                let Some(scheduled) = &self.scheduled else {
                    return Err(Failure::Transient(
                        "scheduled steps are not delivered by this deliverer".into(),
                    ));
                };
                let result = match step {
                    Scheduled::SurveyReminder(plan) => scheduled.reminder(claim, plan, now).await,
                    Scheduled::Winback(plan) => scheduled.winback(claim, plan, now).await,
                    Scheduled::ReviewDecision(plan) => scheduled.review(claim, plan, now).await,
                };
                match result {
                    Ok(StepResult::Done) => Ok(Sent::Recorded),
                    Ok(StepResult::ClaimLost) => Ok(Sent::Lost),
                    Ok(StepResult::Cancelled(reason)) => Ok(Sent::Cancelled(reason)),
                    Err(error) => Err(Failure::Transient(format!("writing the step: {error}"))),
                }
            }
            Payload::Mail(letter) => {
                let mail =
                    render_letter(letter).map_err(|error| Failure::Permanent(error.to_string()))?;
                if let Some(pace) = &self.mail_pace {
                    pace.wait().await;
                }
                self.mailer
                    .send(&mail)
                    .await
                    .map(|()| Sent::Done)
                    .map_err(|error| {
                        if error.throttled {
                            Failure::Deferred {
                                wait: THROTTLED_MAIL_WAIT,
                                reason: error.reason(),
                            }
                        } else {
                            Failure::Transient(error.reason())
                        }
                    })
            }
            Payload::Discount(action) => {
                let Some(discounts) = &self.discounts else {
                    return Err(Failure::Transient(
                        "DISCOUNT_PLATFORM is none: the discount has nowhere to go".into(),
                    ));
                };
                match action {
                    // Any claim before this one (the fence counts them all, requeues included)
                    // may have reached the platform.
                    DiscountAction::Create(discount) => {
                        discounts.create(discount, claim.fence > 1).await
                    }
                    DiscountAction::Deactivate { coupon } => discounts.deactivate(coupon).await,
                }
            }
            Payload::Event { body } => {
                let Some(webhooks) = &self.webhooks else {
                    return Err(Failure::Transient(
                        "WEBHOOK_URL is not set: the event has nowhere to go".into(),
                    ));
                };
                webhooks
                    .post(&claim.message.id, body)
                    .await
                    .map(|()| Sent::Done)
                    .map_err(|error| match error {
                        WebhookError::Gone => Failure::Permanent(error.to_string()),
                        WebhookError::Failed(reason) => Failure::Transient(reason),
                    })
            }
        }
    }
}

/// What an attempt that did not fail came to.
enum Sent {
    Done,
    Cancelled(String),
    /// Done, and settled by the same atomic write (a scheduled step).
    Recorded,
    /// A scheduled step whose claim another writer took over; nothing was written.
    Lost,
}

enum Failure {
    Transient(String),
    Permanent(String),
    Deferred {
        wait: std::time::Duration,
        reason: String,
    },
}

impl From<PlatformError> for Failure {
    fn from(error: PlatformError) -> Self {
        match error {
            PlatformError::Transient(reason) => Self::Transient(reason),
            PlatformError::Refused(reason) => Self::Permanent(reason),
            PlatformError::Throttled { wait, reason } => Self::Deferred { wait, reason },
        }
    }
}

fn ledger_failure(error: StoreError) -> Failure {
    Failure::Transient(format!("reading or recording the coupon: {error}"))
}

impl DiscountDelivery {
    /// Creates the coupon's discount unless it exists (recorded) or the coupon was revoked; a
    /// revocation that lands while the platform creates is seen when the id is recorded, and
    /// the new discount is ended at once.
    async fn create(&self, discount: &NewDiscount, tried_before: bool) -> Result<Sent, Failure> {
        let coupon = self
            .ledger
            .coupon_discount(&discount.coupon)
            .await
            .map_err(ledger_failure)?
            .ok_or_else(|| Failure::Permanent("the coupon is not in the table".into()))?;
        if coupon.discount_id.is_some() && !coupon.revoked {
            return Ok(Sent::Done);
        }
        if coupon.revoked {
            // An earlier attempt may have created it and died before recording the id.
            let id = match coupon.discount_id {
                Some(id) => Some(id),
                None if tried_before => self.platform.find(&discount.coupon).await?,
                None => None,
            };
            return match id {
                Some(id) => {
                    self.platform.deactivate(&id).await?;
                    Ok(Sent::Done)
                }
                None => Ok(Sent::Cancelled(
                    "the coupon was revoked before its discount was created".into(),
                )),
            };
        }
        let id = self.platform.create(discount).await?;
        let after = self
            .ledger
            .record_discount(&discount.coupon, &id)
            .await
            .map_err(ledger_failure)?;
        if after.is_some_and(|coupon| coupon.revoked) {
            self.platform.deactivate(&id).await?;
        }
        Ok(Sent::Done)
    }

    /// Ends the discount recorded on the coupon. Without one the create has not finished: it
    /// reads the revocation when it records its id, and ends the discount itself.
    async fn deactivate(&self, coupon: &CouponCode) -> Result<Sent, Failure> {
        let coupon = self
            .ledger
            .coupon_discount(coupon)
            .await
            .map_err(ledger_failure)?
            .ok_or_else(|| Failure::Permanent("the coupon is not in the table".into()))?;
        if let Some(id) = coupon.discount_id {
            self.platform.deactivate(&id).await?;
        }
        Ok(Sent::Done)
    }
}

/// One line per attempt: the message's id, kind and reference, never its payload (addresses).
fn log_attempt(claim: &Claim, attempt: Attempt, settlement: &Settlement, took: Duration) {
    let message = &claim.message;
    let outcome = match attempt {
        Attempt::Delivered => "delivered",
        Attempt::Retried => "retry",
        Attempt::Failed => "failed",
        Attempt::Cancelled => "cancelled",
        Attempt::Deferred => "deferred",
        Attempt::NotClaimed => "not_claimed",
        Attempt::ClaimLost => "claim_lost",
    };
    let (error, next_attempt_at) = match settlement {
        Settlement::Delivered => (None, None),
        Settlement::Retry { at, error } | Settlement::Deferred { at, reason: error } => {
            (Some(error.as_str()), Some(crate::model::rfc3339(*at)))
        }
        Settlement::Failed { error } | Settlement::Cancelled { reason: error } => {
            (Some(error.as_str()), None)
        }
    };
    if matches!(
        attempt,
        Attempt::Delivered | Attempt::Cancelled | Attempt::Deferred
    ) {
        tracing::info!(
            message_id = %message.id,
            kind = message.kind.as_str(),
            reference = %message.reference,
            attempt = claim.attempt,
            outcome,
            took_ms = took.num_milliseconds(),
            "outbox delivery attempt"
        );
    } else {
        tracing::warn!(
            message_id = %message.id,
            kind = message.kind.as_str(),
            reference = %message.reference,
            attempt = claim.attempt,
            outcome,
            error,
            next_attempt_at,
            took_ms = took.num_milliseconds(),
            "outbox delivery attempt"
        );
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MessageError {
    #[error("no such message")]
    NotFound,
    #[error("only a failed message can be requeued")]
    NotFailed,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What operators do with the outbox: look at what is pending or failed, requeue a failure.
#[derive(Clone)]
pub struct MessageService {
    admin: Arc<dyn OutboxAdmin>,
    clock: Arc<dyn Clock>,
}

/// Messages a listing page holds at most.
pub const MAX_PAGE: usize = 100;

impl MessageService {
    pub fn new(admin: Arc<dyn OutboxAdmin>, clock: Arc<dyn Clock>) -> Self {
        Self { admin, clock }
    }

    /// Pending or failed messages, latest first; `limit` is capped at [`MAX_PAGE`].
    pub async fn list(
        &self,
        status: MessageStatus,
        limit: usize,
        after: Option<&PageCursor>,
    ) -> Result<MessagePage, MessageError> {
        Ok(self
            .admin
            .messages(status, limit.clamp(1, MAX_PAGE), after)
            .await?)
    }

    /// Puts a failed message back, due now with a fresh schedule; the next sweep delivers it.
    pub async fn requeue(&self, id: &MessageId) -> Result<(), MessageError> {
        match self.admin.requeue(id, self.clock.now()).await? {
            RequeueOutcome::Requeued => Ok(()),
            RequeueOutcome::NotFailed => Err(MessageError::NotFailed),
            RequeueOutcome::NotFound => Err(MessageError::NotFound),
        }
    }
}
