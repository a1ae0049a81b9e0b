use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use crate::model::{
    fingerprint, Answer, Category, Comment, CustomerId, Email, FingerprintKey, FollowUp,
    FollowUpStatus, IssuedCode, MessageId, PersonFingerprint, ReferralCode, ReferralRequest, Score,
    SkipReason, Survey, SurveyDecision, SurveyRequest, SurveyToken, UnsubscribeKey,
};
use crate::ports::{
    Clock, CustomerOptOut, DetractorAlert, FollowUpChange, Letter, MessageKind, OutboxMessage,
    Payload, ReminderPlan, Scheduled, ShopIdentity, StoreError, StoredSurveyRequest,
    SurveyCommitOutcome, SurveyMailJob, SurveyRequestCommit, SurveyStore, Tally,
};

use super::events::SurveySent;
use super::optimistic::{until_done, Step};
use super::{Events, ReferralError, ReferralLinks, ReferralService};

/// SURVEY_THROTTLE_DAYS, SURVEY_TTL_DAYS and SURVEY_REMINDER_DAYS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SurveyRules {
    pub throttle_days: u32,
    pub ttl_days: u32,
    /// 0: no reminders.
    pub reminder_days: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum SurveyError {
    #[error("order id already has a survey request with a different body")]
    IdempotencyConflict,
    #[error("no such survey")]
    NotFound,
    #[error("the survey has expired")]
    Expired { survey: Box<Survey> },
    #[error("survey facts kept changing")]
    Contention,
    #[error("only a detractor's answer has a follow-up")]
    NoFollowUp,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Referral(#[from] ReferralError),
}

/// What the customer sees after answering.
#[derive(Debug, Clone)]
pub struct AnswerReceipt {
    pub survey: Survey,
    pub score: Score,
    pub category: Category,
    /// Promoters get their own share link,
    pub referral_link: Option<String>,
    /// and their page, where create-referral serves it.
    pub page_url: Option<String>,
}

/// Post-purchase surveys: sending (throttled, opt-out aware, idempotent), answers with counter
/// moves, detractor alerts, promoter links, unsubscribe.
#[derive(Clone)]
pub struct SurveyService {
    store: Arc<dyn SurveyStore>,
    clock: Arc<dyn Clock>,
    shop: ShopIdentity,
    support: Email,
    rules: SurveyRules,
    referrals: ReferralService,
    referral_links: ReferralLinks,
    events: Events,
    fingerprints: FingerprintKey,
}

impl SurveyService {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        store: Arc<dyn SurveyStore>,
        clock: Arc<dyn Clock>,
        shop: ShopIdentity,
        support: Email,
        rules: SurveyRules,
        referrals: ReferralService,
        referral_links: ReferralLinks,
        events: Events,
        fingerprints: FingerprintKey,
    ) -> Self {
        Self {
            store,
            clock,
            shop,
            support,
            rules,
            referrals,
            referral_links,
            events,
            fingerprints,
        }
    }

    /// Sends the thank-you mail with the survey unless throttled or unsubscribed; replays of the
    /// same order get the same decision and send nothing new.
    pub async fn request(
        &self,
        request: SurveyRequest,
        links_base: &str,
    ) -> Result<SurveyDecision, SurveyError> {
        let mut fields = vec![
            request.order_id.as_ref(),
            request.customer_id.as_ref(),
            request.email.as_ref(),
            request.name.as_ref().map_or("", AsRef::as_ref),
            request.locale.map_or("", |l| l.as_str()),
        ];
        // Appended only when given, so a request recorded before segments existed still
        // replays with the same hash.
        if let Some(segment) = &request.segment {
            fields.push(segment.as_ref());
        }
        let hash = fingerprint(&fields);
        let person = self.fingerprints.person(&request.email);
        until_done(
            || self.send_once(&request, &person, &hash, links_base),
            |_| SurveyError::Contention,
        )
        .await
    }

    /// One read → decide → commit of `request`.
    async fn send_once(
        &self,
        request: &SurveyRequest,
        person: &PersonFingerprint,
        hash: &str,
        links_base: &str,
    ) -> Result<Step<SurveyDecision>, SurveyError> {
        let context = self.store.survey_request_context(request, person).await?;
        if let Some(existing) = context.existing {
            return replay(existing, hash).map(Step::Done);
        }
        let now = self.clock.now();
        let throttle_cutoff = now - Duration::days(i64::from(self.rules.throttle_days));
        let decision = if context.unsubscribed {
            SurveyDecision::Skipped(SkipReason::Unsubscribed)
        } else if context
            .last_surveyed_at
            .is_some_and(|at| at > throttle_cutoff)
        {
            SurveyDecision::Skipped(SkipReason::Throttled)
        } else {
            SurveyDecision::Sent(SurveyToken::generate())
        };
        let messages = match &decision {
            SurveyDecision::Sent(token) => {
                let page = self.share_page(request).await?;
                self.survey_messages(request, token, links_base, page, now)
            }
            SurveyDecision::Skipped(_) => Vec::new(),
        };
        let commit = SurveyRequestCommit {
            request: request.clone(),
            person: person.clone(),
            request_hash: hash.to_owned(),
            decision: decision.clone(),
            sent_at: now,
            throttle_cutoff,
            messages,
        };
        match self.store.commit_survey_request(&commit).await? {
            SurveyCommitOutcome::Committed => Ok(Step::Done(decision)),
            SurveyCommitOutcome::Exists(existing) => replay(existing, hash).map(Step::Done),
            SurveyCommitOutcome::Stale => Ok(Step::Stale),
        }
    }

    /// The customer's referral page for the thank-you mail's "share with friends" line, when
    /// create-referral serves pages: their code is made now if they have none, so every buyer
    /// can recommend the shop from the first mail on.
    async fn share_page(&self, request: &SurveyRequest) -> Result<Option<String>, SurveyError> {
        if matches!(self.referral_links, ReferralLinks::ShopLanding(_)) {
            return Ok(None);
        }
        let issued = self
            .issue_code(ReferralRequest {
                customer_id: request.customer_id.clone(),
                email: request.email.clone(),
                name: request.name.clone(),
                locale: request.locale,
            })
            .await?;
        Ok(self.page(&issued))
    }

    /// The thank-you mail with the survey and the `survey.sent` event, keyed by the order.
    fn survey_messages(
        &self,
        request: &SurveyRequest,
        token: &SurveyToken,
        links_base: &str,
        share_page: Option<String>,
        now: DateTime<Utc>,
    ) -> Vec<OutboxMessage> {
        let job = SurveyMailJob {
            to: request.email.clone(),
            name: request.name.clone(),
            locale: request.locale,
            token: token.clone(),
            links_base: links_base.to_owned(),
            share_page,
            shop: self.shop.clone(),
        };
        let reminder = self.reminder(request, &job, now);
        let mail = OutboxMessage {
            id: MessageId::derive(&["survey-mail", request.order_id.as_ref()]),
            kind: MessageKind::SurveyMail,
            reference: format!("order:{}", request.order_id),
            customer_id: Some(request.customer_id.clone()),
            payload: Payload::Mail(Letter::Survey(job)),
            created_at: now,
            due_at: now,
        };
        let survey_id = token.survey_id();
        let sent = SurveySent {
            order_id: &request.order_id,
            customer_id: &request.customer_id,
            survey_id: survey_id.as_ref(),
        };
        std::iter::once(mail)
            .chain(self.events.survey_sent(&sent, now))
            .chain(reminder)
            .collect()
    }

    /// The survey's one reminder, due SURVEY_REMINDER_DAYS after it while its link still works;
    /// whether it still applies then (answered, unsubscribed, erased) is decided when it is due.
    fn reminder(
        &self,
        request: &SurveyRequest,
        job: &SurveyMailJob,
        now: DateTime<Utc>,
    ) -> Option<OutboxMessage> {
        if self.rules.reminder_days == 0 {
            return None;
        }
        let due = now + Duration::days(i64::from(self.rules.reminder_days));
        let link_expires_at = now + Duration::days(i64::from(self.rules.ttl_days));
        (due < link_expires_at).then(|| OutboxMessage {
            id: MessageId::derive(&["survey-reminder", request.order_id.as_ref()]),
            kind: MessageKind::SurveyReminder,
            reference: format!("order:{}", request.order_id),
            customer_id: Some(request.customer_id.clone()),
            payload: Payload::Scheduled(Scheduled::SurveyReminder(ReminderPlan {
                token: job.token.clone(),
                links_base: job.links_base.clone(),
                share_page: job.share_page.clone(),
                shop: job.shop.clone(),
                link_expires_at,
            })),
            created_at: due,
            due_at: due,
        })
    }

    /// The survey behind a link, if it exists and has not expired. Reads only.
    pub async fn open(&self, token: &SurveyToken) -> Result<Survey, SurveyError> {
        let survey = self.find(token).await?;
        if self.clock.now() > self.expires_at(&survey) {
            return Err(SurveyError::Expired {
                survey: Box::new(survey),
            });
        }
        Ok(survey)
    }

    /// The survey behind a link regardless of age: unsubscribing never expires. A survey whose
    /// customer was erased is no longer anybody's link.
    pub async fn find(&self, token: &SurveyToken) -> Result<Survey, SurveyError> {
        self.store
            .survey(token)
            .await?
            .filter(|survey| survey.email.is_some())
            .ok_or(SurveyError::NotFound)
    }

    fn expires_at(&self, survey: &Survey) -> DateTime<Utc> {
        survey.sent_at + Duration::days(i64::from(self.rules.ttl_days))
    }

    /// Records (or changes) the answer, with its tally of counter moves in the same atomic step.
    pub async fn answer(
        &self,
        token: &SurveyToken,
        score: Score,
        comment: Option<Comment>,
    ) -> Result<AnswerReceipt, SurveyError> {
        until_done(
            || self.answer_once(token, score, comment.as_ref()),
            |_| SurveyError::Contention,
        )
        .await
    }

    /// One read → decide → commit of `answer`.
    async fn answer_once(
        &self,
        token: &SurveyToken,
        score: Score,
        comment: Option<&Comment>,
    ) -> Result<Step<AnswerReceipt>, SurveyError> {
        let survey = self.open(token).await?;
        let answer = Answer {
            score,
            comment: comment.cloned(),
            answered_at: self.clock.now(),
            revision: survey
                .answer
                .as_ref()
                .map_or(1, |previous| previous.revision + 1),
        };
        let messages = self.answer_messages(&survey, &answer);
        let follow_up = opened_follow_up(&survey, &answer);
        if !self
            .store
            .record_answer(
                &survey,
                &answer,
                follow_up.as_ref(),
                &messages,
                &Tally::answer(&survey, &answer, follow_up.as_ref()),
            )
            .await?
        {
            // Someone answered in between (a double click, two tabs): ours goes on top of theirs.
            return Ok(Step::Stale);
        }
        let category = score.category();
        let (referral_link, page_url) = match category {
            Category::Promoter => {
                let (share, page) = self.promoter_links(&survey).await?;
                (Some(share), page)
            }
            _ => (None, None),
        };
        let survey = Survey {
            answer: Some(answer),
            follow_up: follow_up.map(|change| change.next).or(survey.follow_up),
            ..survey
        };
        Ok(Step::Done(AnswerReceipt {
            survey,
            score,
            category,
            referral_link,
            page_url,
        }))
    }

    /// React to every criticism: support hears about each new detractor (an answer that was not
    /// a detractor's before), and the shop's webhook about every answer.
    fn answer_messages(&self, survey: &Survey, answer: &Answer) -> Vec<OutboxMessage> {
        let previous = survey.answer.as_ref();
        let was_detractor = previous.is_some_and(|a| a.score.category() == Category::Detractor);
        let survey_id = survey.token.survey_id();
        let alert = (answer.score.category() == Category::Detractor && !was_detractor).then(|| {
            OutboxMessage {
                id: MessageId::derive(&[
                    "detractor-alert",
                    survey_id.as_ref(),
                    &answer.revision.to_string(),
                ]),
                kind: MessageKind::DetractorAlert,
                reference: format!("survey:{survey_id}"),
                customer_id: Some(survey.customer_id.clone()),
                payload: Payload::Mail(Letter::DetractorAlert(DetractorAlert {
                    to: self.support.clone(),
                    score: answer.score,
                    comment: answer.comment.as_ref().map(|c| c.as_ref().to_owned()),
                    order_id: survey.order_id.clone(),
                    customer_id: survey.customer_id.clone(),
                    customer_email: survey.email.clone(),
                    shop: self.shop.clone(),
                })),
                created_at: answer.answered_at,
                due_at: answer.answered_at,
            }
        });
        alert
            .into_iter()
            .chain(self.events.survey_answered(survey, answer, previous))
            .collect()
    }

    /// A promoter's share link and page.
    async fn promoter_links(
        &self,
        survey: &Survey,
    ) -> Result<(String, Option<String>), SurveyError> {
        let email = survey.email.clone().ok_or(SurveyError::NotFound)?;
        let request = ReferralRequest {
            customer_id: survey.customer_id.clone(),
            email,
            name: survey.name.clone(),
            locale: survey.locale,
        };
        let issued = self.issue_code(request).await?;
        Ok((self.referral_links.share(&issued.code), self.page(&issued)))
    }

    /// The customer's code, made now if they have none.
    async fn issue_code(&self, request: ReferralRequest) -> Result<IssuedCode, SurveyError> {
        let link = |code: &ReferralCode| self.referral_links.share(code);
        Ok(self.referrals.get_or_create(request, &link).await?.0)
    }

    fn page(&self, issued: &IssuedCode) -> Option<String> {
        self.referral_links
            .page(&issued.code, &self.referrals.page_key(issued))
    }

    pub async fn unsubscribe(&self, token: &SurveyToken) -> Result<Survey, SurveyError> {
        let survey = self.find(token).await?;
        let now = self.clock.now();
        let message =
            self.events
                .customer_unsubscribed(&survey.customer_id, survey.person.as_ref(), now);
        if !self.store.unsubscribe(token, now, message).await? {
            return Err(SurveyError::NotFound);
        }
        Ok(survey)
    }

    /// Whether `key` opens `customer`'s own unsubscribe link (the win-back mail's); reads and
    /// writes nothing, for the confirmation page.
    pub fn opens_unsubscribe(&self, customer: &CustomerId, key: &UnsubscribeKey) -> bool {
        key.opens(&self.fingerprints, customer)
    }

    /// Opts the customer's address out of surveys and win-back mails through their own link.
    pub async fn unsubscribe_customer(
        &self,
        customer: &CustomerId,
        key: &UnsubscribeKey,
    ) -> Result<CustomerOptOut, SurveyError> {
        if !self.opens_unsubscribe(customer, key) {
            return Err(SurveyError::NotFound);
        }
        let now = self.clock.now();
        let events = self.events;
        let message = |person: &PersonFingerprint| {
            events.customer_unsubscribed(customer, person.as_ref(), now)
        };
        self.store
            .unsubscribe_customer(customer, now, &message)
            .await?
            .ok_or(SurveyError::NotFound)
    }
}

/// Every new detractor (an answer that was not a detractor's before) gets an open follow-up,
/// reopening one support had closed; other answers leave the follow-up as it is, so a change of
/// score to 7 or more closes nothing by itself.
fn opened_follow_up(survey: &Survey, answer: &Answer) -> Option<FollowUpChange> {
    let was_detractor = survey
        .answer
        .as_ref()
        .is_some_and(|a| a.score.category() == Category::Detractor);
    let opens = answer.score.category() == Category::Detractor
        && !was_detractor
        && survey
            .follow_up
            .as_ref()
            .is_none_or(|f| f.status != FollowUpStatus::Open);
    opens.then(|| FollowUpChange {
        previous: survey.follow_up.clone(),
        next: FollowUp::open(
            answer.answered_at,
            survey.follow_up.as_ref().map_or(1, |f| f.version + 1),
        ),
    })
}

/// The recorded decision for the same body; the mail went into the outbox with the first commit.
fn replay(existing: StoredSurveyRequest, hash: &str) -> Result<SurveyDecision, SurveyError> {
    if existing.request_hash != hash {
        return Err(SurveyError::IdempotencyConflict);
    }
    Ok(existing.decision)
}
