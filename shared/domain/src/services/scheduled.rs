//! Delivering a scheduled step (docs/architecture.md#scheduled-steps): when a survey's reminder
//! or a customer's win-back is due, read the facts as they are now, and either write what the
//! step causes, in one atomic unit with the step's settlement, or cancel it with the reason.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::optimistic::{until_done, Step};
use super::{Discounts, Events, ReviewError, ReviewService};
use crate::model::{Beneficiary, CouponCode, MessageId, Reward};
use crate::ports::{
    Claim, DecideOutcome, Letter, MessageKind, OutboxMessage, Payload, ReminderCommit,
    ReminderPlan, ReviewPlan, ScheduledStore, StepOutcome, StoreError, SurveyMailJob, Tally,
    WinbackCommit, WinbackMail, WinbackPlan,
};

/// What a due step came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum StepResult {
    /// Its effects are written and the step is settled as delivered, in one atomic unit.
    Done,
    /// It no longer applies; settle it as cancelled with this reason.
    Cancelled(String),
    /// Another writer holds the step now (an order moved it, an erasure cancelled it).
    ClaimLost,
}

/// The deliverer's part of scheduled steps: the store's facts and commit, and the events and
/// platform discounts the steps' effects include.
#[derive(Clone)]
pub struct ScheduledDelivery {
    pub store: Arc<dyn ScheduledStore>,
    pub events: Events,
    pub discounts: Discounts,
    /// SURVEY_REMINDER_DAYS and WINBACK_DAYS above 0: a flow turned off sends none of the steps
    /// it scheduled before.
    pub reminders_on: bool,
    pub winbacks_on: bool,
    /// The review queue, for held rewards' automatic decisions.
    pub reviews: Option<ReviewService>,
}

impl ScheduledDelivery {
    pub(super) async fn reminder(
        &self,
        claim: &Claim,
        plan: &ReminderPlan,
        now: DateTime<Utc>,
    ) -> Result<StepResult, StoreError> {
        until_done(
            || self.reminder_once(claim, plan, now),
            |attempts| StoreError::Contention {
                operation: "send a survey reminder",
                attempts,
            },
        )
        .await
    }

    async fn reminder_once(
        &self,
        claim: &Claim,
        plan: &ReminderPlan,
        now: DateTime<Utc>,
    ) -> Result<Step<StepResult>, StoreError> {
        let cancel = |reason: &str| Ok(Step::Done(StepResult::Cancelled(reason.to_owned())));
        if !self.reminders_on {
            return cancel("survey reminders are off (SURVEY_REMINDER_DAYS is 0)");
        }
        let Some(facts) = self.store.reminder_facts(&plan.token).await? else {
            return cancel("the survey no longer exists");
        };
        let survey = facts.survey;
        let Some(to) = survey.email.clone() else {
            return cancel("the customer's data was erased");
        };
        if survey.answer.is_some() {
            return cancel("the survey was answered");
        }
        if facts.opted_out {
            return cancel("the customer unsubscribed from surveys");
        }
        if survey.reminded_at.is_some() {
            return cancel("the survey was reminded already");
        }
        if now >= plan.link_expires_at {
            return cancel("the survey link has expired");
        }
        let mail = OutboxMessage {
            id: MessageId::derive(&["reminder-mail", survey.order_id.as_ref()]),
            kind: MessageKind::ReminderMail,
            reference: format!("order:{}", survey.order_id),
            customer_id: Some(survey.customer_id.clone()),
            payload: Payload::Mail(Letter::SurveyReminder(SurveyMailJob {
                to,
                name: survey.name.clone(),
                locale: survey.locale,
                token: plan.token.clone(),
                links_base: plan.links_base.clone(),
                share_page: plan.share_page.clone(),
                shop: plan.shop.clone(),
            })),
            created_at: now,
            due_at: now,
        };
        let commit = ReminderCommit {
            claim: claim.clone(),
            survey: plan.token.clone(),
            person: survey.person.clone(),
            reminded_at: now,
            messages: std::iter::once(mail)
                .chain(self.events.survey_reminded(&survey, now))
                .collect(),
            tally: Tally::reminded(now.date_naive()),
        };
        Ok(outcome(self.store.commit_reminder(&commit).await?))
    }

    pub(super) async fn winback(
        &self,
        claim: &Claim,
        plan: &WinbackPlan,
        now: DateTime<Utc>,
    ) -> Result<StepResult, StoreError> {
        until_done(
            || self.winback_once(claim, plan, now),
            |attempts| StoreError::Contention {
                operation: "send a win-back mail",
                attempts,
            },
        )
        .await
    }

    async fn winback_once(
        &self,
        claim: &Claim,
        plan: &WinbackPlan,
        now: DateTime<Utc>,
    ) -> Result<Step<StepResult>, StoreError> {
        let cancel = |reason: &str| Ok(Step::Done(StepResult::Cancelled(reason.to_owned())));
        if !self.winbacks_on {
            return cancel("win-back mails are off (WINBACK_DAYS is 0)");
        }
        let Some(facts) = self.store.winback_facts(&plan.customer_id).await? else {
            return cancel("the customer has no profile");
        };
        let (Some(to), Some(person)) = (facts.email, facts.person) else {
            return cancel("the customer's data was erased");
        };
        if facts.opted_out {
            return cancel("the customer unsubscribed");
        }
        let valid_until = now + chrono::Duration::days(i64::from(plan.valid_days));
        let coupon = Reward {
            beneficiary: Beneficiary::Winback,
            customer_id: plan.customer_id.clone(),
            coupon: CouponCode::generate(&mut rand::thread_rng()),
            amount_cents: plan.amount_cents,
            currency: plan.currency.clone(),
            available_from: now,
            valid_until: Some(valid_until),
        };
        let mail = OutboxMessage {
            id: MessageId::derive(&["winback-mail", coupon.coupon.as_ref()]),
            kind: MessageKind::WinbackMail,
            reference: format!("customer:{}", plan.customer_id),
            customer_id: Some(plan.customer_id.clone()),
            payload: Payload::Mail(Letter::Winback(WinbackMail {
                to: to.clone(),
                name: facts.name,
                locale: facts.locale,
                coupon: coupon.coupon.clone(),
                amount_cents: coupon.amount_cents,
                currency: coupon.currency.clone(),
                expires_at: valid_until,
                unsubscribe_url: plan.unsubscribe_url.clone(),
                shop: plan.shop.clone(),
            })),
            created_at: now,
            due_at: now,
        };
        let messages = std::iter::once(mail)
            .chain(self.events.winback_sent(&coupon, now))
            .chain(self.discounts.create_winback(&coupon, &to, now))
            .collect();
        let commit = WinbackCommit {
            claim: claim.clone(),
            customer_id: plan.customer_id.clone(),
            person,
            coupon,
            sent_at: now,
            messages,
            tally: Tally::winback_sent(now.date_naive()),
        };
        Ok(outcome(self.store.commit_winback(&commit).await?))
    }
}

impl ScheduledDelivery {
    /// A held reward's automatic decision: taken unless someone decided it first.
    pub(super) async fn review(
        &self,
        claim: &Claim,
        plan: &ReviewPlan,
        now: DateTime<Utc>,
    ) -> Result<StepResult, StoreError> {
        let cancel = |reason: &str| Ok(StepResult::Cancelled(reason.to_owned()));
        let Some(reviews) = &self.reviews else {
            return cancel("this deliverer has no review queue");
        };
        let decided = reviews.decide_automatically(plan, claim, now).await;
        match decided {
            Ok(Some(DecideOutcome::Decided)) => Ok(StepResult::Done),
            Ok(Some(DecideOutcome::ClaimLost)) => Ok(StepResult::ClaimLost),
            // The deliverer tries a step again when its claim runs out.
            Ok(Some(DecideOutcome::Stale)) => Err(StoreError::Contention {
                operation: "decide a review automatically",
                attempts: 1,
            }),
            Ok(None | Some(DecideOutcome::AlreadyDecided(_))) => {
                cancel("the review was decided already")
            }
            Ok(Some(DecideOutcome::CouponsChanged)) => {
                cancel("the held coupons changed while it was decided")
            }
            Err(ReviewError::Store(error)) => Err(error),
            Err(error) => cancel(&error.to_string()),
        }
    }
}

fn outcome(outcome: StepOutcome) -> Step<StepResult> {
    match outcome {
        StepOutcome::Committed => Step::Done(StepResult::Done),
        StepOutcome::ClaimLost => Step::Done(StepResult::ClaimLost),
        StepOutcome::Stale => Step::Stale,
    }
}
