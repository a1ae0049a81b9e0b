//! Reading and acting on the feedback, against both stores: responses filtered and paged
//! newest first, follow-ups on detractors with their open count, NPS per segment and locale.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use domain::model::{
    nps, Category, Comment, CustomerId, Email, FollowUpNote, FollowUpStatus, Locale, OrderId,
    Response, ResponseCursor, ResponseFilter, Score, Segment, SurveyDecision, SurveyId,
    SurveyRequest, SurveyToken,
};
use domain::ports::Clock;
use domain::services::{
    Events, FollowUpService, ReferralLinks, ReferralService, ScoreService, ShopIdentity,
    SurveyError, SurveyRules, SurveyService,
};
use http_tests::clock::SettableClock;
use http_tests::delivery::TestDelivery;

use crate::survey_contract::Store;
use http_tests::aggregate::Aggregate;

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 10, 20, 8, 0, 0)
        .single()
        .expect("valid instant")
}

fn day(month: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, month, d).expect("date")
}

struct Feedback {
    /// Applies the tallies recorded so far, as the aggregator would.
    counting: Arc<dyn Aggregate>,
    surveys: SurveyService,
    follow_ups: FollowUpService,
    scores: ScoreService,
    clock: Arc<SettableClock>,
    delivery: TestDelivery,
}

/// What the test itself recorded about an answer, to check the stores' listing against.
#[derive(Debug, Clone)]
struct Given {
    survey_id: SurveyId,
    answered_at: DateTime<Utc>,
    score: u8,
    comment: Option<String>,
    segment: Option<String>,
}

impl Feedback {
    /// The figures, once every request so far is counted.
    async fn counted(&self) -> &ScoreService {
        self.counting.aggregate().await;
        &self.scores
    }

    fn new<S: Store>(store: Arc<S>) -> Self {
        let clock = Arc::new(SettableClock::at(start()));
        let events = Events::new(false);
        let surveys = SurveyService::new(
            store.clone(),
            clock.clone(),
            ShopIdentity {
                name: "Test Shop".into(),
                url: domain::model::HttpUrl::parse("https://shop.example").expect("url"),
                default_locale: Locale::De,
            },
            Email::parse("support@example.com").expect("email"),
            SurveyRules {
                throttle_days: 0,
                ttl_days: 365,
                reminder_days: 0,
            },
            ReferralService::new(store.clone(), clock.clone(), http_tests::fingerprint_key()),
            ReferralLinks::Function(
                domain::model::HttpUrl::parse("https://ref.example").expect("url"),
            ),
            events,
            http_tests::fingerprint_key(),
        );
        Self {
            counting: store.clone(),
            scores: ScoreService::new(store.clone()),
            follow_ups: FollowUpService::new(store.clone(), clock.clone()),
            delivery: TestDelivery::new(store, clock.clone()),
            surveys,
            clock,
        }
    }

    async fn send(&self, n: usize, segment: Option<&str>, locale: Option<Locale>) -> SurveyToken {
        let request = SurveyRequest {
            order_id: OrderId::parse(&format!("o-{n}")).expect("id"),
            customer_id: CustomerId::parse(&format!("c-{n}")).expect("id"),
            email: Email::parse(&format!("kunde{n}@example.com")).expect("email"),
            name: None,
            locale,
            segment: segment.map(|s| Segment::parse(s).expect("segment")),
        };
        match self
            .surveys
            .request(request, "https://survey.example")
            .await
            .expect("request handled")
        {
            SurveyDecision::Sent(token) => token,
            other => panic!("expected a sent survey, got {other:?}"),
        }
    }

    async fn answer(&self, token: &SurveyToken, score: u8, comment: &str) {
        self.surveys
            .answer(
                token,
                Score::new(score).expect("score"),
                Comment::parse(comment).expect("comment"),
            )
            .await
            .expect("answered");
    }

    /// Every page of a listing, following the cursors; panics if a page is over `limit`.
    async fn all_pages(&self, filter: &ResponseFilter, limit: usize) -> (Vec<Response>, usize) {
        let mut cursor: Option<ResponseCursor> = None;
        let mut all = Vec::new();
        let mut pages = 0;
        loop {
            let page = self
                .scores
                .responses(filter, cursor.as_ref(), limit)
                .await
                .expect("page");
            assert!(page.responses.len() <= limit);
            pages += 1;
            all.extend(page.responses);
            match page.next {
                Some(next) => cursor = Some(next),
                None => return (all, pages),
            }
        }
    }
}

fn filter(from: NaiveDate, to: NaiveDate) -> ResponseFilter {
    ResponseFilter {
        from,
        to,
        category: None,
        has_comment: None,
        follow_up: None,
        segment: None,
    }
}

/// The survey ids of `given` that `keep` admits, newest first (ties by id), as a store must list
/// them: computed here from what the test did, not by the stores' code.
fn expected(given: &[Given], keep: impl Fn(&Given) -> bool) -> Vec<SurveyId> {
    let mut kept: Vec<&Given> = given.iter().filter(|g| keep(g)).collect();
    kept.sort_by(|a, b| (b.answered_at, &b.survey_id).cmp(&(a.answered_at, &a.survey_id)));
    kept.into_iter().map(|g| g.survey_id.clone()).collect()
}

fn ids(responses: &[Response]) -> Vec<SurveyId> {
    responses.iter().map(|r| r.survey_id.clone()).collect()
}

pub async fn responses_are_filtered_and_paged_newest_first<S: Store>(store: Arc<S>) {
    let feedback = Feedback::new(store);
    let segments = [Some("Schuhe"), Some("Taschen & Gürtel"), None];
    let mut given = Vec::new();
    // 250 answers over six weeks across a month boundary, several within the same second.
    for n in 0..250 {
        feedback.clock.set(
            start() + Duration::minutes(n as i64 * 233) + Duration::milliseconds((n % 3) as i64),
        );
        let segment = segments[n % 3];
        let token = feedback.send(n, segment, Some(Locale::De)).await;
        let score = (n * 7 % 11) as u8;
        let comment = if n % 4 == 0 {
            format!("Kommentar Nr. {n}: größer")
        } else {
            String::new()
        };
        feedback.answer(&token, score, &comment).await;
        given.push(Given {
            survey_id: token.survey_id(),
            answered_at: feedback.clock.now(),
            score,
            comment: (!comment.is_empty()).then_some(comment),
            segment: segment.map(str::to_owned),
        });
    }
    // One survey sent but never answered is not a response.
    feedback.send(999, None, None).await;

    let everything = filter(day(10, 1), day(12, 31));
    let (all, pages) = feedback.all_pages(&everything, 100).await;
    assert_eq!(pages, 3, "250 responses in pages of 100");
    assert_eq!(ids(&all), expected(&given, |_| true));

    let first = &all[0];
    let newest = given.last().expect("answers");
    assert_eq!(first.score.value(), newest.score);
    assert_eq!(first.order_id.as_ref(), "o-249");
    assert_eq!(
        first.segment.as_ref().map(|s| s.to_string()),
        newest.segment
    );
    assert_eq!(first.locale, Some(Locale::De));

    let detractors = ResponseFilter {
        category: Some(Category::Detractor),
        ..everything.clone()
    };
    let (listed, _) = feedback.all_pages(&detractors, 40).await;
    assert_eq!(ids(&listed), expected(&given, |g| g.score <= 6));
    assert!(listed
        .iter()
        .all(|r| r.follow_up.as_ref().map(|f| f.status) == Some(FollowUpStatus::Open)));

    let commented_shoes = ResponseFilter {
        has_comment: Some(true),
        segment: Some(Segment::parse("Schuhe").expect("segment")),
        ..everything.clone()
    };
    let (listed, _) = feedback.all_pages(&commented_shoes, 100).await;
    assert_eq!(
        ids(&listed),
        expected(&given, |g| g.comment.is_some()
            && g.segment.as_deref() == Some("Schuhe"))
    );
    assert!(listed.iter().all(|r| r
        .comment
        .as_ref()
        .is_some_and(|c| c.as_ref().contains("größer"))));

    let promoters_without_comment = ResponseFilter {
        category: Some(Category::Promoter),
        has_comment: Some(false),
        ..everything.clone()
    };
    let (listed, _) = feedback.all_pages(&promoters_without_comment, 100).await;
    assert_eq!(
        ids(&listed),
        expected(&given, |g| g.score >= 9 && g.comment.is_none())
    );

    // A range of days: only November's answers.
    let november = filter(day(11, 1), day(11, 30));
    let (listed, _) = feedback.all_pages(&november, 100).await;
    assert_eq!(
        ids(&listed),
        expected(&given, |g| g.answered_at.date_naive() >= day(11, 1)
            && g.answered_at.date_naive() <= day(11, 30))
    );
    assert!(!listed.is_empty() && listed.len() < 250);
}

pub async fn every_detractor_gets_a_follow_up_until_support_closes_it<S: Store>(store: Arc<S>) {
    let feedback = Feedback::new(store);
    let range = (day(10, 1), day(10, 31));
    let open = |report: domain::services::NpsReport| report.open_detractors;
    let unhappy = feedback.send(1, None, Some(Locale::De)).await;
    let happy = feedback.send(2, None, None).await;
    feedback.answer(&unhappy, 3, "Lieferung kam zu spät").await;
    feedback.answer(&happy, 10, "").await;
    let nps_now = || async {
        feedback
            .counted()
            .await
            .nps(range.0, range.1, None, None)
            .await
    };
    assert_eq!(open(nps_now().await.expect("nps")), Some(1));

    // The alert goes to support, answerable straight to the customer.
    feedback.delivery.deliver().await;
    let alert = feedback
        .delivery
        .mails()
        .into_iter()
        .find(|mail| {
            mail.contains("To: <support@example.com>") || mail.contains("To: support@example.com")
        })
        .expect("a detractor alert");
    assert!(
        alert.contains("Reply-To: <kunde1@example.com>")
            || alert.contains("Reply-To: kunde1@example.com"),
        "{alert}"
    );

    // A better score closes nothing by itself.
    feedback.clock.advance(Duration::hours(1));
    feedback.answer(&unhappy, 8, "Schon besser").await;
    assert_eq!(open(nps_now().await.expect("nps")), Some(1));

    let survey_id = unhappy.survey_id();
    feedback.clock.advance(Duration::hours(1));
    let contacted = feedback
        .follow_ups
        .record(
            &survey_id,
            FollowUpStatus::Contacted,
            FollowUpNote::parse("Angerufen, Gutschein angeboten").expect("note"),
        )
        .await
        .expect("follow-up");
    assert_eq!(contacted.status, FollowUpStatus::Contacted);
    assert_eq!(contacted.updated_at, feedback.clock.now());
    assert_eq!(open(nps_now().await.expect("nps")), Some(0));

    let listed = feedback
        .counted()
        .await
        .responses(
            &ResponseFilter {
                follow_up: Some(FollowUpStatus::Contacted),
                ..filter(range.0, range.1)
            },
            None,
            10,
        )
        .await
        .expect("listing");
    assert_eq!(ids(&listed.responses), vec![survey_id.clone()]);
    let response = &listed.responses[0];
    assert_eq!(response.score.value(), 8);
    assert_eq!(response.previous_score.map(|s| s.value()), Some(3));
    assert_eq!(
        response
            .follow_up
            .as_ref()
            .and_then(|f| f.note.clone())
            .map(|n| n.as_ref().to_owned()),
        Some("Angerufen, Gutschein angeboten".to_owned())
    );

    // Unhappy again: a new detractor answer reopens the loop.
    feedback.clock.advance(Duration::hours(1));
    feedback.answer(&unhappy, 1, "Doch nicht").await;
    assert_eq!(open(nps_now().await.expect("nps")), Some(1));

    // Resolved twice at once: both apply in turn, neither is lost, the count stays right.
    let resolve = || {
        feedback
            .follow_ups
            .record(&survey_id, FollowUpStatus::Resolved, None)
    };
    let (a, b) = tokio::join!(resolve(), resolve());
    a.expect("first");
    b.expect("second");
    assert_eq!(open(nps_now().await.expect("nps")), Some(0));

    assert!(matches!(
        feedback
            .follow_ups
            .record(&happy.survey_id(), FollowUpStatus::Resolved, None)
            .await,
        Err(SurveyError::NoFollowUp)
    ));
    let unknown = SurveyToken::generate().survey_id();
    assert!(matches!(
        feedback
            .follow_ups
            .record(&unknown, FollowUpStatus::Open, None)
            .await,
        Err(SurveyError::NotFound)
    ));
}

pub async fn segments_and_locales_have_their_own_nps<S: Store>(store: Arc<S>) {
    let feedback = Feedback::new(store);
    // (segment, locale, score)
    let answers = [
        (Some("Schuhe"), Some(Locale::De), 10),
        (Some("Schuhe"), Some(Locale::De), 9),
        (Some("Schuhe"), Some(Locale::En), 3),
        (Some("Taschen"), Some(Locale::En), 7),
        (Some("Taschen"), None, 0),
        (None, Some(Locale::De), 10),
    ];
    for (n, (segment, locale, score)) in answers.iter().enumerate() {
        feedback.clock.advance(Duration::hours(5));
        let token = feedback.send(n, *segment, *locale).await;
        feedback.answer(&token, *score, "").await;
    }
    let report = feedback
        .counted()
        .await
        .segments(day(10, 1), day(10, 31))
        .await
        .expect("segments");
    let by_name: BTreeMap<String, (u64, Option<f64>)> = report
        .segments
        .iter()
        .map(|(s, summary)| (s.to_string(), (summary.responses, summary.nps)))
        .collect();
    // Hand-computed: Schuhe 2 promoters, 1 detractor of 3 → 33.3; Taschen 0 − 1 of 2 → −50.
    assert_eq!(
        by_name,
        BTreeMap::from([
            ("Schuhe".to_owned(), (3, Some(33.3))),
            ("Taschen".to_owned(), (2, Some(-50.0))),
        ])
    );
    let locales: BTreeMap<&str, (u64, Option<f64>)> = report
        .locales
        .iter()
        .map(|(l, summary)| (l.as_str(), (summary.responses, summary.nps)))
        .collect();
    // de: 10, 9, 10 → 100; en: 3, 7 → −50.
    assert_eq!(
        locales,
        BTreeMap::from([("de", (3, Some(100.0))), ("en", (2, Some(-50.0)))])
    );
    let schuhe = Segment::parse("Schuhe").expect("segment");
    let shoes = feedback
        .counted()
        .await
        .nps(day(10, 1), day(10, 31), None, Some(&schuhe))
        .await
        .expect("nps");
    assert_eq!(shoes.total, nps(2, 0, 1));
    assert_eq!(shoes.open_detractors, None);
}

http_tests::contract_suite!(
    responses_are_filtered_and_paged_newest_first,
    every_detractor_gets_a_follow_up_until_support_closes_it,
    segments_and_locales_have_their_own_nps,
);
