//! Surveys against both stores: idempotent sending, throttle, opt-out, answers moving the NPS
//! day counters atomically, detractor alerts, promoter links, expiry.

use std::sync::Arc;

use http_tests::aggregate::Aggregate;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use domain::model::{Category, Comment, CustomerId, Email, Locale, OrderId, Score, SurveyToken};
use domain::model::{SkipReason, SurveyDecision, SurveyRequest};
use domain::ports::{
    DayCounts, MessageStatus, MetricsStore, OutboxAdmin, OutboxStore, ReferralStore, SurveyStore,
};
use domain::services::{
    Events, ReferralLinks, ReferralService, ShopIdentity, SurveyError, SurveyRules, SurveyService,
};
use futures::future::join_all;
use http_tests::clock::SettableClock;
use http_tests::delivery::TestDelivery;

/// Every store the suite runs against.
pub trait Store:
    SurveyStore + ReferralStore + MetricsStore + OutboxStore + OutboxAdmin + Aggregate + 'static
{
}
impl<
        S: SurveyStore
            + ReferralStore
            + MetricsStore
            + OutboxStore
            + OutboxAdmin
            + Aggregate
            + 'static,
    > Store for S
{
}

/// A clock the test moves forward.
fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 10, 23, 0, 0)
        .single()
        .expect("valid instant")
}

struct Surveys<S> {
    store: Arc<S>,
    service: SurveyService,
    clock: Arc<SettableClock>,
    delivery: TestDelivery,
}

impl<S: Store> Surveys<S> {
    fn new(store: Arc<S>) -> Self {
        let clock = Arc::new(SettableClock::at(start()));
        let shop = ShopIdentity {
            name: "Test Shop".into(),
            url: domain::model::HttpUrl::parse("https://shop.example").expect("url"),
            default_locale: Locale::De,
        };
        let events = Events::new(true);
        let service = SurveyService::new(
            store.clone(),
            clock.clone(),
            shop,
            Email::parse("support@example.com").expect("email"),
            SurveyRules {
                throttle_days: 90,
                ttl_days: 30,
                reminder_days: 0,
            },
            ReferralService::new(store.clone(), clock.clone(), http_tests::fingerprint_key())
                .with_events(events),
            ReferralLinks::Function(
                domain::model::HttpUrl::parse("https://ref.example").expect("url"),
            ),
            events,
            http_tests::fingerprint_key(),
        );
        Self {
            delivery: TestDelivery::new(store.clone(), clock.clone()),
            store,
            service,
            clock,
        }
    }

    async fn send(&self, order_id: &str, customer_id: &str, email: &str) -> SurveyDecision {
        self.service
            .request(
                request(order_id, customer_id, email),
                "https://survey.example",
            )
            .await
            .expect("request handled")
    }

    async fn sent(&self, order_id: &str) -> SurveyToken {
        match self
            .send(
                order_id,
                &format!("cust-{order_id}"),
                &format!("{order_id}@example.com"),
            )
            .await
        {
            SurveyDecision::Sent(token) => token,
            other => panic!("expected a sent survey, got {other:?}"),
        }
    }

    async fn answer(
        &self,
        token: &SurveyToken,
        score: u8,
        comment: &str,
    ) -> domain::services::AnswerReceipt {
        let comment = Comment::parse(comment).expect("valid comment");
        self.service
            .answer(token, Score::new(score).expect("score"), comment)
            .await
            .expect("answered")
    }

    async fn counts(&self) -> Vec<DayCounts> {
        let from = NaiveDate::from_ymd_opt(2026, 1, 1).expect("date");
        let to = NaiveDate::from_ymd_opt(2027, 12, 31).expect("date");
        self.store.aggregate().await;
        self.store.day_counts(from, to).await.expect("counters")
    }

    /// The mails sent once the deliverer has done what is due.
    async fn mails(&self) -> Vec<String> {
        self.delivery.deliver().await;
        self.delivery.mails()
    }
}

fn request(order_id: &str, customer_id: &str, email: &str) -> SurveyRequest {
    SurveyRequest {
        order_id: OrderId::parse(order_id).expect("id"),
        customer_id: CustomerId::parse(customer_id).expect("id"),
        email: Email::parse(email).expect("email"),
        name: None,
        locale: Some(Locale::En),
        segment: None,
    }
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).expect("date")
}

fn counts(on: NaiveDate, promoters: u64, passives: u64, detractors: u64) -> DayCounts {
    DayCounts {
        day: on,
        promoters,
        passives,
        detractors,
        open_follow_ups: 0,
    }
}

pub async fn a_survey_is_sent_once_per_order<S: Store>(store: Arc<S>) {
    let surveys = Surveys::new(store);
    let first = surveys.send("o-1", "anna", "anna@example.com").await;
    let again = surveys.send("o-1", "anna", "anna@example.com").await;
    assert!(matches!(first, SurveyDecision::Sent(_)));
    assert_eq!(first, again, "a replay gets the same answer");
    let mails = surveys.mails().await;
    assert_eq!(mails.len(), 1, "and sends nothing");
    assert!(mails[0].contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
    let changed = surveys
        .service
        .request(
            request("o-1", "anna", "other@example.com"),
            "https://survey.example",
        )
        .await;
    assert!(matches!(changed, Err(SurveyError::IdempotencyConflict)));
}

pub async fn throttle_applies_by_customer_id_and_by_address<S: Store>(store: Arc<S>) {
    let surveys = Surveys::new(store);
    assert!(matches!(
        surveys.send("o-1", "anna", "anna.b@gmail.com").await,
        SurveyDecision::Sent(_)
    ));
    surveys.clock.advance(Duration::days(89));
    assert_eq!(
        surveys.send("o-2", "anna", "new@example.com").await,
        SurveyDecision::Skipped(SkipReason::Throttled)
    );
    assert_eq!(
        surveys
            .send("o-3", "anna-2", "AnnaB+shop@googlemail.com")
            .await,
        SurveyDecision::Skipped(SkipReason::Throttled)
    );
    surveys.clock.advance(Duration::days(2));
    assert!(matches!(
        surveys.send("o-4", "anna", "anna.b@gmail.com").await,
        SurveyDecision::Sent(_)
    ));
    assert_eq!(surveys.mails().await.len(), 2);
}

pub async fn unsubscribed_addresses_get_no_more_surveys<S: Store>(store: Arc<S>) {
    let surveys = Surveys::new(store);
    let token = surveys.sent("o-1").await;
    surveys
        .service
        .unsubscribe(&token)
        .await
        .expect("unsubscribed");
    surveys
        .service
        .unsubscribe(&token)
        .await
        .expect("unsubscribing twice is fine");
    surveys.clock.advance(Duration::days(365));
    assert_eq!(
        surveys.send("o-2", "someone-else", "O-1@Example.com").await,
        SurveyDecision::Skipped(SkipReason::Unsubscribed)
    );
    let unknown = SurveyToken::generate();
    assert!(matches!(
        surveys.service.unsubscribe(&unknown).await,
        Err(SurveyError::NotFound)
    ));
}

pub async fn changing_an_answer_moves_the_day_counters<S: Store>(store: Arc<S>) {
    let surveys = Surveys::new(store);
    let token = surveys.sent("o-1").await;
    let other = surveys.sent("o-2").await;
    surveys.answer(&token, 7, "ok").await;
    surveys.answer(&other, 10, "").await;
    assert_eq!(surveys.counts().await, vec![counts(day(10), 1, 1, 0)]);

    surveys.answer(&token, 8, "still ok").await;
    assert_eq!(
        surveys.counts().await,
        vec![counts(day(10), 1, 1, 0)],
        "same bucket, same day: no move"
    );
    surveys.answer(&token, 9, "").await;
    assert_eq!(
        surveys.counts().await,
        vec![counts(day(10), 2, 0, 0)],
        "passive → promoter on the same day"
    );

    surveys.clock.advance(Duration::hours(2)); // past UTC midnight
    surveys.answer(&token, 2, "changed my mind").await;
    let detractor_day = DayCounts {
        // A new detractor's follow-up opens on the answer's day.
        open_follow_ups: 1,
        ..counts(day(11), 0, 0, 1)
    };
    assert_eq!(
        surveys.counts().await,
        vec![counts(day(10), 1, 0, 0), detractor_day]
    );
    let stored = surveys
        .store
        .survey(&token)
        .await
        .expect("read")
        .expect("exists");
    let answer = stored.answer.expect("answered");
    assert_eq!(
        (
            answer.score.value(),
            answer.comment.as_ref().map(AsRef::as_ref)
        ),
        (2, Some("changed my mind"))
    );
}

pub async fn concurrent_answers_count_once<S: Store>(store: Arc<S>) {
    let surveys = Surveys::new(store);
    let token = surveys.sent("o-1").await;
    let answers = (0..10u8).map(|n| {
        surveys
            .service
            .answer(&token, Score::new(n % 3 + 5).expect("score"), None)
    });
    let results = join_all(answers).await;
    let recorded = results.iter().filter(|r| r.is_ok()).count();
    assert!(recorded >= 1);
    for result in &results {
        assert!(
            matches!(result, Ok(_) | Err(SurveyError::Contention)),
            "{result:?}"
        );
    }
    let total: u64 = surveys
        .counts()
        .await
        .iter()
        .map(|c| c.promoters + c.passives + c.detractors)
        .sum();
    assert_eq!(
        total, 1,
        "one survey, one counted answer, whatever the interleaving"
    );
}

pub async fn detractors_alert_support_once<S: Store>(store: Arc<S>) {
    let surveys = Surveys::new(store);
    let token = surveys.sent("o-1").await;
    surveys.answer(&token, 3, "Lieferung kam zu spät").await;
    surveys.answer(&token, 5, "und beschädigt").await;
    let alerts: Vec<String> = surveys
        .mails()
        .await
        .into_iter()
        .filter(|m| m.contains("To: support@example.com"))
        .collect();
    assert_eq!(
        alerts.len(),
        1,
        "a resubmission that stays a detractor alerts nobody again"
    );
    assert!(
        alerts[0].contains("3/10")
            && alerts[0].contains("Lieferung kam zu spät")
            && alerts[0].contains("o-1")
    );
    surveys.answer(&token, 9, "").await;
    surveys.answer(&token, 1, "doch nicht").await;
    let alerts = surveys
        .mails()
        .await
        .into_iter()
        .filter(|m| m.contains("To: support@example.com"))
        .count();
    assert_eq!(alerts, 2, "becoming a detractor again is news");
}

pub async fn promoters_get_their_referral_link<S: Store>(store: Arc<S>) {
    let surveys = Surveys::new(store);
    let token = surveys.sent("o-1").await;
    let receipt = surveys.answer(&token, 10, "").await;
    assert_eq!(receipt.category, Category::Promoter);
    let link = receipt.referral_link.expect("a promoter gets a link");
    let stats = surveys
        .store
        .referral_stats(&CustomerId::parse("cust-o-1").expect("id"))
        .await
        .expect("read")
        .expect("code created");
    assert_eq!(link, format!("https://ref.example/r/{}", stats.issued.code));
    let again = surveys.answer(&token, 9, "").await;
    assert_eq!(again.referral_link, Some(link), "the same code next time");
    assert_eq!(surveys.answer(&token, 8, "").await.referral_link, None);
}

pub async fn expired_and_unknown_surveys_take_no_answers<S: Store>(store: Arc<S>) {
    let surveys = Surveys::new(store);
    let token = surveys.sent("o-1").await;
    surveys.clock.advance(Duration::days(30));
    surveys
        .service
        .open(&token)
        .await
        .expect("still open on day 30");
    surveys.clock.advance(Duration::seconds(1));
    let score = Score::new(9).expect("score");
    assert!(matches!(
        surveys.service.open(&token).await,
        Err(SurveyError::Expired { .. })
    ));
    assert!(matches!(
        surveys.service.answer(&token, score, None).await,
        Err(SurveyError::Expired { .. })
    ));
    assert!(matches!(
        surveys
            .service
            .answer(&SurveyToken::generate(), score, None)
            .await,
        Err(SurveyError::NotFound)
    ));
    assert!(surveys.counts().await.is_empty());
}

pub async fn a_survey_mail_outage_is_retried_without_a_replay<S: Store>(store: Arc<S>) {
    let surveys = Surveys::new(store);
    surveys.delivery.fail_next_mails(1);
    surveys.send("o-1", "anna", "anna@example.com").await;
    let report = surveys.delivery.deliver().await;
    assert_eq!(
        (report.delivered, report.retried),
        (2, 1),
        "survey.sent and the new code's referral.created went, the mail waits"
    );
    surveys.clock.advance(Duration::seconds(5));
    assert_eq!(
        surveys.mails().await.len(),
        1,
        "delivered with no replay of the request"
    );
    surveys.clock.advance(Duration::days(2));
    assert_eq!(surveys.mails().await.len(), 1, "once");
}

/// Every event a survey's life writes, once each, with ids and business fields only.
pub async fn survey_events_carry_ids_and_no_addresses<S: Store>(store: Arc<S>) {
    let surveys = Surveys::new(store);
    let token = surveys.sent("o-1").await;
    surveys.answer(&token, 3, "zu spät").await;
    surveys.answer(&token, 8, "").await;
    surveys
        .service
        .unsubscribe(&token)
        .await
        .expect("unsubscribed");
    surveys.service.unsubscribe(&token).await.expect("again");
    surveys.delivery.deliver().await;
    let mut types = surveys.delivery.event_types();
    types.sort();
    assert_eq!(
        types,
        [
            "customer.unsubscribed",
            "referral.created",
            "survey.answered",
            "survey.answered",
            "survey.sent"
        ]
    );
    let accepted = surveys.delivery.receiver.accepted();
    let answered = &accepted
        .iter()
        .find(|(_, body)| body["data"]["score"] == 8)
        .expect("the changed answer's event")
        .1["data"];
    assert_eq!(answered["category"], "passive");
    assert_eq!(answered["previous_score"], 3);
    assert_eq!(answered["order_id"], "o-1");
    let survey_id = answered["survey_id"].as_str().expect("survey id");
    assert!(survey_id.starts_with("srv_") && !survey_id.contains(token.as_ref()));
    for (_, body) in &accepted {
        let text = body.to_string();
        assert!(
            !text.contains('@') && !text.contains(token.as_ref()),
            "{text}"
        );
    }
    assert!(surveys
        .delivery
        .listed(MessageStatus::Pending)
        .await
        .is_empty());
}

http_tests::contract_suite!(
    a_survey_is_sent_once_per_order,
    throttle_applies_by_customer_id_and_by_address,
    unsubscribed_addresses_get_no_more_surveys,
    changing_an_answer_moves_the_day_counters,
    concurrent_answers_count_once,
    detractors_alert_support_once,
    promoters_get_their_referral_link,
    expired_and_unknown_surveys_take_no_answers,
    a_survey_mail_outage_is_retried_without_a_replay,
    survey_events_carry_ids_and_no_addresses,
);
