//! A customer's data request on both stores: export everything, erase it, and find none of it
//! afterwards in a full dump of the store (every DynamoDB item; the SQLite file and its journal,
//! byte for byte), while the figures, the once-only guard and the opt-out still hold.

use http_tests::aggregate::Aggregate;
use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use domain::model::{
    CarriedCode, Comment, Currency, CustomerId, Email, Locale, MinorUnits, Order, OrderId,
    ReferralCode, ReferralRequest, ReferralResult, Rejection, RewardRules, Score, SkipReason,
    SurveyDecision, SurveyRequest,
};
use domain::ports::{
    DataSubject, Erasure, MetricsStore, OrderStore, PersonalDataStore, ReferralStore, SurveyStore,
};
use domain::services::{
    CustomerDataError, CustomerDataService, Events, FollowUpService, OrderService, ReferralLinks,
    ReferralService, ScoreService, ShopIdentity, SurveyRules, SurveyService,
};
use http_tests::clock::SettableClock;
use sha2::{Digest, Sha256};

const FRIEND_EMAIL: &str = "Henriette.Quast+shop@gmail.com";
const FRIEND_CANONICAL: &str = "henriettequast@gmail.com";
const FRIEND_NAME: &str = "Henriette";
const COMMENT: &str = "Paket beschaedigt angekommen, bitte melden";
const NOTE: &str = "Henriette angerufen, Ersatz versprochen";

trait Stores:
    OrderStore + ReferralStore + SurveyStore + MetricsStore + PersonalDataStore + Aggregate + 'static
{
}
impl<
        T: OrderStore
            + ReferralStore
            + SurveyStore
            + MetricsStore
            + PersonalDataStore
            + Aggregate
            + 'static,
    > Stores for T
{
}

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 9, 0, 0)
        .single()
        .expect("instant")
}

struct Shop {
    /// Applies the tallies recorded so far, as the aggregator would.
    counting: Arc<dyn Aggregate>,
    clock: Arc<SettableClock>,
    orders: OrderService,
    referrals: ReferralService,
    surveys: SurveyService,
    follow_ups: FollowUpService,
    scores: ScoreService,
    data: CustomerDataService,
}

impl Shop {
    /// The figures, once every request so far is counted.
    async fn counted(&self) -> &ScoreService {
        self.counting.aggregate().await;
        &self.scores
    }

    fn new<S: Stores>(store: Arc<S>) -> Self {
        let clock = Arc::new(SettableClock::at(start()));
        let shop = ShopIdentity {
            name: "Shop".into(),
            url: domain::model::HttpUrl::parse("https://shop.example").expect("url"),
            default_locale: Locale::De,
        };
        let key = http_tests::fingerprint_key();
        let referrals = ReferralService::new(store.clone(), clock.clone(), key.clone());
        Self {
            orders: OrderService::new(
                store.clone(),
                clock.clone(),
                RewardRules {
                    referrer_cents: 1000,
                    friend_cents: 500,
                    currency: Currency::parse("EUR").expect("currency"),
                    min_order_cents: 2000,
                    referrer_cap: 25,
                    hold_days: 0,
                    valid_days: 365,
                    friend_reward: domain::model::FriendReward::Both,
                },
                shop.clone(),
                Events::new(true),
                key.clone(),
            ),
            surveys: SurveyService::new(
                store.clone(),
                clock.clone(),
                shop,
                Email::parse("support@example.com").expect("email"),
                SurveyRules {
                    throttle_days: 0,
                    ttl_days: 365,
                    reminder_days: 0,
                },
                referrals.clone(),
                ReferralLinks::ShopLanding(
                    domain::model::HttpUrl::parse("https://shop.example").expect("url"),
                ),
                Events::new(true),
                key.clone(),
            ),
            referrals,
            follow_ups: FollowUpService::new(store.clone(), clock.clone()),
            scores: ScoreService::new(store.clone()),
            counting: store.clone(),
            data: CustomerDataService::new(store, clock.clone(), key),
            clock,
        }
    }

    async fn order(&self, id: &str, customer: &str, email: &str, code: &ReferralCode) -> Order {
        let order = Order {
            order_id: OrderId::parse(id).expect("id"),
            customer_id: CustomerId::parse(customer).expect("id"),
            email: Email::parse(email).expect("email"),
            name: Some(domain::model::CustomerName::parse(FRIEND_NAME).expect("name")),
            locale: Some(Locale::De),
            total_cents: MinorUnits::new(5000).expect("bounded"),
            currency: Currency::parse("EUR").expect("currency"),
            referral_code: Some(CarriedCode::Wellformed(code.clone())),
            placed_at: domain::ports::Clock::now(self.clock.as_ref()),
            placed_at_given: true,
            signals: Default::default(),
        };
        order
    }

    async fn survey(&self, order: &str, customer: &str, email: &str) -> SurveyDecision {
        self.surveys
            .request(
                SurveyRequest {
                    order_id: OrderId::parse(order).expect("id"),
                    customer_id: CustomerId::parse(customer).expect("id"),
                    email: Email::parse(email).expect("email"),
                    name: Some(domain::model::CustomerName::parse(FRIEND_NAME).expect("name")),
                    locale: Some(Locale::De),
                    segment: None,
                },
                "https://survey.example",
            )
            .await
            .expect("survey request")
    }

    /// The referrer's code, the friend's rewarded first order, a detractor's answer with a
    /// comment and a follow-up note, and the friend's opt-out.
    async fn history(&self) -> ReferralCode {
        let (issued, _) = self
            .referrals
            .get_or_create(
                ReferralRequest {
                    customer_id: CustomerId::parse("max").expect("id"),
                    email: Email::parse("max@example.com").expect("email"),
                    name: None,
                    locale: None,
                },
                &http_tests::test_link,
            )
            .await
            .expect("code");
        let order = self
            .order("o-1", "henriette", FRIEND_EMAIL, &issued.code)
            .await;
        let outcome = self.orders.record(order).await.expect("order");
        assert!(matches!(
            outcome.referral.map(|r| r.result),
            Some(ReferralResult::Rewarded(_))
        ));
        let SurveyDecision::Sent(token) = self.survey("o-1", "henriette", FRIEND_EMAIL).await
        else {
            panic!("survey skipped");
        };
        let receipt = self
            .surveys
            .answer(
                &token,
                Score::new(3).expect("score"),
                Comment::parse(COMMENT).expect("comment"),
            )
            .await
            .expect("answer");
        self.follow_ups
            .record(
                &receipt.survey.token.survey_id(),
                domain::model::FollowUpStatus::Contacted,
                domain::model::FollowUpNote::parse(NOTE).expect("note"),
            )
            .await
            .expect("follow-up");
        self.surveys.unsubscribe(&token).await.expect("opt-out");
        issued.code
    }
}

/// Every text the store holds about the friend: none may survive erasure.
fn personal_texts() -> Vec<String> {
    vec![
        FRIEND_EMAIL.to_owned(),
        FRIEND_EMAIL.to_lowercase(),
        FRIEND_CANONICAL.to_owned(),
        FRIEND_NAME.to_owned(),
        COMMENT.to_owned(),
        NOTE.to_owned(),
    ]
}

fn plain_hash() -> String {
    Sha256::digest(FRIEND_CANONICAL.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The whole scenario against one store; `dump` returns every byte the store holds.
async fn scenario<S, D, F>(store: Arc<S>, dump: D)
where
    S: Stores,
    D: Fn() -> F,
    F: std::future::Future<Output = String>,
{
    let shop = Shop::new(store.clone());
    let code = shop.history().await;
    let before = dump().await;
    assert!(before.contains(COMMENT), "the scenario stored the comment");
    assert!(
        !before.contains(&plain_hash()),
        "a plain SHA-256 of the address is stored"
    );

    let person = shop
        .data
        .person(&Email::parse("henriettequast@googlemail.com").expect("alias"));
    let export = shop.data.export(&person).await.expect("export");
    assert_eq!(export.profiles.len(), 1);
    assert_eq!(
        export.profiles[0].email.as_ref().map(ToString::to_string),
        Some("Henriette.Quast+shop@gmail.com".to_owned())
    );
    assert_eq!(export.orders.len(), 1);
    assert_eq!(export.coupons.len(), 1, "the friend's coupon");
    assert_eq!(export.surveys.len(), 1);
    assert_eq!(
        export.surveys[0]
            .answer
            .as_ref()
            .and_then(|a| a.comment.as_ref())
            .map(AsRef::as_ref),
        Some(COMMENT)
    );
    assert_eq!(export.opt_outs.len(), 1);
    assert!(
        export.messages.len() >= 3,
        "reward mail, survey mail, events"
    );
    let by_id = shop
        .data
        .export(
            &shop
                .data
                .customer(CustomerId::parse("henriette").expect("id")),
        )
        .await
        .expect("export by id");
    assert_eq!(by_id.surveys.len(), 1);
    assert_eq!(by_id.opt_outs.len(), 1);

    let day = start().date_naive();
    let nps_before = shop
        .counted()
        .await
        .nps(day, day, None, None)
        .await
        .expect("nps");
    let funnel_before = shop.counted().await.funnel(day, day).await.expect("funnel");
    let retention_before = shop
        .counted()
        .await
        .retention(day, day)
        .await
        .expect("retention");

    let erased = shop
        .data
        .erase(
            &shop
                .data
                .customer(CustomerId::parse("henriette").expect("id")),
        )
        .await
        .expect("erase");
    assert_eq!((erased.profiles, erased.surveys), (1, 1));
    assert!(erased.messages_cancelled + erased.messages_cleared >= 3);
    assert_eq!(
        shop.data
            .erase(&DataSubject::Customer(
                CustomerId::parse("henriette").expect("id")
            ))
            .await
            .expect("erase twice"),
        Erasure::default(),
        "a second erasure finds nothing left"
    );

    let after = dump().await;
    for text in personal_texts() {
        assert!(!after.contains(&text), "{text:?} survived the erasure");
    }
    assert!(!after.contains(&plain_hash()));
    assert_eq!(
        format!(
            "{:?}",
            shop.counted()
                .await
                .nps(day, day, None, None)
                .await
                .expect("nps")
        ),
        format!("{nps_before:?}")
    );
    assert_eq!(
        format!(
            "{:?}",
            shop.counted().await.funnel(day, day).await.expect("funnel")
        ),
        format!("{funnel_before:?}")
    );
    assert_eq!(
        format!(
            "{:?}",
            shop.counted()
                .await
                .retention(day, day)
                .await
                .expect("retention")
        ),
        format!("{retention_before:?}")
    );

    // The guards outlive the person: the same address under a new id is still referred once,
    // and never surveyed again.
    shop.clock.set(start() + Duration::days(3));
    let again = shop
        .order("o-2", "henriette-new", FRIEND_EMAIL, &code)
        .await;
    let outcome = shop.orders.record(again).await.expect("order");
    assert_eq!(
        outcome.referral.map(|r| r.result),
        Some(ReferralResult::Rejected(Rejection::AlreadyReferred))
    );
    assert_eq!(
        shop.survey("o-2", "henriette-new", FRIEND_EMAIL).await,
        SurveyDecision::Skipped(SkipReason::Unsubscribed)
    );

    let stranger = shop
        .data
        .person(&Email::parse("nobody@example.com").expect("email"));
    assert!(matches!(
        shop.data.export(&stranger).await,
        Err(CustomerDataError::NotFound)
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn embedded_erasure_leaves_nothing_in_the_files() {
    let folder = tempfile::tempdir().expect("folder");
    let path = folder.path().join("store.sqlite3");
    let store = Arc::new(store_sqlite::EmbeddedStore::open(&path).expect("store"));
    let files = path.clone();
    scenario(store, move || {
        let files = files.clone();
        async move {
            let mut bytes = std::fs::read(&files).expect("database");
            if let Ok(journal) = std::fs::read(files.with_extension("sqlite3-wal")) {
                bytes.extend(journal);
            }
            String::from_utf8_lossy(&bytes).into_owned()
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn dynamodb_erasure_leaves_nothing_in_the_table() {
    let store = http_tests::dynamo::fresh_store().await;
    let client = store.client().clone();
    let table = store.table().to_owned();
    scenario(Arc::new(store), move || {
        let (client, table) = (client.clone(), table.clone());
        async move {
            let mut dump = String::new();
            let mut start = None;
            loop {
                let page = client
                    .scan()
                    .table_name(&table)
                    .consistent_read(true)
                    .set_exclusive_start_key(start.take())
                    .send()
                    .await
                    .expect("scan");
                for item in page.items.unwrap_or_default() {
                    dump.push_str(&format!("{item:?}\n"));
                }
                match page.last_evaluated_key {
                    Some(key) if !key.is_empty() => start = Some(key),
                    _ => return dump,
                }
            }
        }
    })
    .await;
}

/// Retention on one store: `expire(now)` does what the store does once records are older than
/// the retention period (the embedded store's sweep; DynamoDB's TTL, played by the test).
async fn late_replay_after_expiry<S, E, F>(store: Arc<S>, expire: E)
where
    S: Stores,
    E: Fn(DateTime<Utc>) -> F,
    F: std::future::Future<Output = usize>,
{
    let shop = Shop::new(store.clone());
    let code = shop.history().await;
    let day = start().date_naive();
    let nps_before = shop
        .counted()
        .await
        .nps(day, day, None, None)
        .await
        .expect("nps");
    let funnel_before = shop.counted().await.funnel(day, day).await.expect("funnel");

    // One day short of the default 730, nothing is due; one day past, the records go.
    assert_eq!(expire(start() + Duration::days(729)).await, 0);
    let later = start() + Duration::days(731);
    assert!(
        expire(later).await >= 3,
        "the order record, the survey and the messages expire"
    );
    let person = http_tests::fingerprint_key().person(&Email::parse(FRIEND_EMAIL).expect("email"));
    let replayed = shop.order("o-1", "henriette", FRIEND_EMAIL, &code).await;
    let context = store
        .order_context(&replayed, &person, &Default::default())
        .await
        .expect("context");
    assert!(context.existing.is_none(), "the order record has expired");
    assert!(context.friend.referred_before, "the guards have not");

    // The platform replays the order two years late: no second reward.
    shop.clock.set(later);
    let outcome = shop.orders.record(replayed).await.expect("late replay");
    assert_eq!(
        outcome.referral.map(|r| r.result),
        Some(ReferralResult::Rejected(Rejection::AlreadyReferred))
    );
    let after = shop
        .data
        .export(
            &shop
                .data
                .customer(CustomerId::parse("henriette").expect("id")),
        )
        .await
        .expect("export");
    assert!(
        after.surveys.is_empty(),
        "the answer and its comment are gone"
    );
    assert_eq!(after.coupons.len(), 1, "the coupon (money owed) stays");
    assert_eq!(after.opt_outs.len(), 1, "the opt-out stays");
    assert_eq!(
        format!(
            "{:?}",
            shop.counted()
                .await
                .nps(day, day, None, None)
                .await
                .expect("nps")
        ),
        format!("{nps_before:?}"),
        "the day counters stay"
    );
    // With its record gone, the replay is a new order to the store: the funnel counts it as
    // rejected (already referred) on its day; nothing more is rewarded or issued.
    let funnel = shop.counted().await.funnel(day, day).await.expect("funnel");
    assert_eq!(
        (funnel.rewarded, funnel.rewards_issued_cents),
        (funnel_before.rewarded, funnel_before.rewards_issued_cents)
    );
    assert_eq!(funnel.rejected.get("already_referred"), Some(&1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn embedded_expired_records_are_swept_and_guards_hold() {
    let store = Arc::new(http_tests::contract::embedded_store());
    let sweeper = store.clone();
    late_replay_after_expiry(store, move |now| {
        let store = sweeper.clone();
        async move {
            let expired = store
                .sweep_expired(domain::model::Retention::default(), now)
                .await
                .expect("sweep");
            expired.surveys + expired.orders + expired.messages
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn dynamodb_items_carry_their_expiry_and_guards_hold() {
    let store = http_tests::dynamo::fresh_store().await;
    let client = store.client().clone();
    let table = store.table().to_owned();
    late_replay_after_expiry(Arc::new(store), move |now| {
        let (client, table) = (client.clone(), table.clone());
        async move { http_tests::dynamo::expire_items(&client, &table, now).await }
    })
    .await;
}
