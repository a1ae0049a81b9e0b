//! score-nps figures against hand calculations, on both stores: the seeds' retention example,
//! repeat purchases, NPS series across UTC midnight and week/month edges, the referral funnel.

use http_tests::aggregate::Aggregate;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use domain::model::{
    CarriedCode, Comment, Currency, CustomerId, Email, Interval, Locale, Order, OrderId,
    ReferralRequest, RewardRules, Score,
};
use domain::model::{SurveyDecision, SurveyRequest};
use domain::ports::{MetricsStore, OrderStore, ReferralStore, SurveyStore};
use domain::services::Events;
use domain::services::{
    CouponService, OrderService, ReferralLinks, ReferralService, ScoreService, ShopIdentity,
    SurveyRules, SurveyService,
};
use http_tests::clock::SettableClock;

fn at(y: i32, m: u32, d: u32, h: u32, min: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, s)
        .single()
        .expect("valid instant")
}

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).expect("date")
}

pub trait Stores:
    OrderStore + ReferralStore + SurveyStore + MetricsStore + Aggregate + 'static
{
}
impl<T: OrderStore + ReferralStore + SurveyStore + MetricsStore + Aggregate + 'static> Stores
    for T
{
}

struct Shop {
    /// Applies the tallies recorded so far, as the aggregator would.
    counting: Arc<dyn Aggregate>,
    clock: Arc<SettableClock>,
    orders: OrderService,
    coupons: CouponService,
    referrals: ReferralService,
    surveys: SurveyService,
    scores: ScoreService,
}

impl Shop {
    /// The figures, once every request so far is counted.
    async fn counted(&self) -> &ScoreService {
        self.counting.aggregate().await;
        &self.scores
    }

    fn new<S: Stores>(store: Arc<S>, window_days: u32) -> Self {
        let clock = Arc::new(SettableClock::at(at(2026, 4, 15, 12, 0, 0)));
        let shop = ShopIdentity {
            name: "Shop".into(),
            url: domain::model::HttpUrl::parse("https://shop.example").expect("url"),
            default_locale: Locale::De,
        };
        let rules = RewardRules {
            referrer_cents: 1000,
            friend_cents: 500,
            currency: Currency::parse("EUR").expect("currency"),
            min_order_cents: 2000,
            referrer_cap: 25,
            hold_days: 14,
            valid_days: 365,
            friend_reward: domain::model::FriendReward::Both,
        };
        let referrals =
            ReferralService::new(store.clone(), clock.clone(), http_tests::fingerprint_key());
        Self {
            orders: OrderService::new(
                store.clone(),
                clock.clone(),
                rules,
                shop.clone(),
                Events::default(),
                http_tests::fingerprint_key(),
            )
            .with_activity_window(window_days),
            coupons: CouponService::new(store.clone(), clock.clone(), Events::default()),
            surveys: SurveyService::new(
                store.clone(),
                clock.clone(),
                shop,
                Email::parse("support@example.com").expect("email"),
                SurveyRules {
                    throttle_days: 0,
                    ttl_days: 3650,
                    reminder_days: 0,
                },
                referrals.clone(),
                ReferralLinks::ShopLanding(
                    domain::model::HttpUrl::parse("https://shop.example").expect("url"),
                ),
                Events::default(),
                http_tests::fingerprint_key(),
            ),
            referrals,
            scores: ScoreService::new(store.clone()),
            counting: store,
            clock,
        }
    }

    async fn order(
        &self,
        order_id: &str,
        customer: &str,
        placed: NaiveDate,
        code: Option<&str>,
    ) -> domain::model::OrderOutcome {
        let order = Order {
            order_id: OrderId::parse(order_id).expect("id"),
            customer_id: CustomerId::parse(customer).expect("id"),
            email: Email::parse(&format!("{customer}@example.com")).expect("email"),
            name: None,
            locale: None,
            total_cents: domain::model::MinorUnits::new(5000).expect("bounded"),
            currency: Currency::parse("EUR").expect("currency"),
            referral_code: code.map(|c| {
                CarriedCode::Wellformed(domain::model::ReferralCode::parse(c).expect("code"))
            }),
            placed_at: placed.and_hms_opt(10, 0, 0).expect("time").and_utc(),
            placed_at_given: true,
            signals: Default::default(),
        };
        self.orders.record(order).await.expect("order recorded")
    }

    /// A survey for a fresh order, answered with `score` at `when`.
    async fn answer(&self, n: usize, score: u8, when: DateTime<Utc>) {
        self.clock.set(when);
        let request = SurveyRequest {
            order_id: OrderId::parse(&format!("s-{n}")).expect("id"),
            customer_id: CustomerId::parse(&format!("respondent-{n}")).expect("id"),
            email: Email::parse(&format!("respondent{n}@example.com")).expect("email"),
            name: None,
            locale: None,
            segment: None,
        };
        let SurveyDecision::Sent(token) = self
            .surveys
            .request(request, "https://survey.example")
            .await
            .expect("sent")
        else {
            panic!("survey skipped");
        };
        self.surveys
            .answer(
                &token,
                Score::new(score).expect("score"),
                Comment::parse("").expect("comment"),
            )
            .await
            .expect("answered");
    }
}

/// The seeds' example: 20 customers at the start, 8 lost, 9 gained. Retention is
/// (E − N) / S = (21 − 9) / 20 = 60 %, not the 110 % of counting the gained customers as kept.
pub async fn retention_follows_the_seed_example<S: Stores>(store: Arc<S>) {
    let shop = Shop::new(store, 30);
    let mut orders: Vec<(String, String, NaiveDate)> = Vec::new();
    for n in 0..20 {
        orders.push((format!("feb-{n}"), format!("regular-{n}"), day(2, 10)));
    }
    for n in 0..12 {
        orders.push((format!("mar-{n}"), format!("regular-{n}"), day(3, 20)));
    }
    orders.push(("mar-extra".into(), "regular-0".into(), day(3, 20)));
    for n in 0..9 {
        orders.push((format!("new-{n}"), format!("newcomer-{n}"), day(3, 5)));
    }
    for n in 0..2 {
        orders.push((
            format!("new-again-{n}"),
            format!("newcomer-{n}"),
            day(3, 25),
        ));
    }
    // Orders arrive out of time order (webhook retries, backfills): newest first.
    orders.reverse();
    for (order_id, customer, placed) in &orders {
        shop.order(order_id, customer, *placed, None).await;
    }

    let report = shop
        .counted()
        .await
        .retention(day(3, 1), day(3, 31))
        .await
        .expect("retention");
    assert_eq!(
        (
            report.customers_at_start,
            report.new_customers,
            report.customers_at_end
        ),
        (20, 9, 21)
    );
    assert_eq!(report.retention_rate, Some(60.0));
    // In March: 12 regulars + 9 newcomers ordered; regular-0 twice, newcomer-0 and -1 twice.
    assert_eq!(
        (report.customers_with_orders, report.repeat_customers),
        (21, 3)
    );
    assert_eq!(report.repeat_purchase_rate, Some(14.3));

    let before_anyone = shop
        .counted()
        .await
        .retention(day(1, 1), day(1, 31))
        .await
        .expect("retention");
    assert_eq!(
        (
            before_anyone.customers_at_start,
            before_anyone.retention_rate,
            before_anyone.repeat_purchase_rate
        ),
        (0, None, None)
    );
    // The window's edge: Feb 10 orders keep customers active through Mar 12 (30 days), not Mar 13.
    // On Mar 12 the 20 regulars and the 9 newcomers (Mar 5) are active; on Mar 13 only newcomers.
    assert_eq!(
        shop.counted()
            .await
            .retention(day(3, 12), day(3, 12))
            .await
            .expect("r")
            .customers_at_start,
        29
    );
    assert_eq!(
        shop.counted()
            .await
            .retention(day(3, 13), day(3, 13))
            .await
            .expect("r")
            .customers_at_start,
        9
    );
}

pub async fn nps_series_respects_utc_midnight_and_calendar_edges<S: Stores>(store: Arc<S>) {
    let shop = Shop::new(store, 365);
    // Sunday 2026-03-01 23:59:59 belongs to that Sunday (ISO week 9) and to March;
    // Monday 00:00:00 opens week 10. Feb 28 is in February.
    shop.answer(1, 10, at(2026, 2, 28, 12, 0, 0)).await;
    shop.answer(2, 9, at(2026, 3, 1, 23, 59, 59)).await;
    shop.answer(3, 3, at(2026, 3, 2, 0, 0, 0)).await;
    shop.answer(4, 7, at(2026, 3, 2, 0, 0, 1)).await;
    shop.answer(5, 0, at(2026, 3, 31, 23, 59, 59)).await;
    shop.answer(6, 10, at(2026, 4, 1, 0, 0, 0)).await;

    let weeks = shop
        .counted()
        .await
        .nps(day(2, 26), day(3, 8), Some(Interval::Week), None)
        .await
        .expect("nps");
    let shape: Vec<(NaiveDate, NaiveDate, u64)> = weeks
        .series
        .iter()
        .map(|(s, e, n)| (*s, *e, n.responses))
        .collect();
    assert_eq!(
        shape,
        vec![(day(2, 26), day(3, 1), 2), (day(3, 2), day(3, 8), 2)]
    );
    assert_eq!(weeks.series[0].2.nps, Some(100.0));
    assert_eq!(
        weeks.series[1].2.nps,
        Some(-50.0),
        "one detractor, one passive"
    );

    let months = shop
        .counted()
        .await
        .nps(day(2, 1), day(4, 30), Some(Interval::Month), None)
        .await
        .expect("nps");
    let per_month: Vec<u64> = months.series.iter().map(|(_, _, n)| n.responses).collect();
    assert_eq!(per_month, vec![1, 4, 1]);
    // Whole range: 3 promoters, 1 passive, 2 detractors of 6.
    let total = months.total;
    assert_eq!(
        (total.promoters, total.passives, total.detractors),
        (3, 1, 2)
    );
    assert_eq!(total.nps, Some(16.7));
    // Six answers: too few for a margin that means anything.
    assert_eq!(total.margin_of_error, None);

    let days = shop
        .counted()
        .await
        .nps(day(3, 1), day(3, 3), Some(Interval::Day), None)
        .await
        .expect("nps");
    let per_day: Vec<Option<f64>> = days.series.iter().map(|(_, _, n)| n.nps).collect();
    assert_eq!(
        per_day,
        vec![Some(100.0), Some(-50.0), None],
        "an empty day is null, not 0"
    );
    let empty = shop
        .counted()
        .await
        .nps(day(6, 1), day(6, 30), None, None)
        .await
        .expect("nps");
    assert_eq!(
        (
            empty.total.responses,
            empty.total.nps,
            empty.total.margin_of_error
        ),
        (0, None, None)
    );
    assert!(empty.series.is_empty());
}

pub async fn funnel_counts_codes_clicks_outcomes_and_money<S: Stores>(store: Arc<S>) {
    let shop = Shop::new(store.clone(), 365);
    shop.clock.set(at(2026, 3, 1, 9, 0, 0));
    let request = |id: &str| ReferralRequest {
        customer_id: CustomerId::parse(id).expect("id"),
        email: Email::parse(&format!("{id}@example.com")).expect("email"),
        name: None,
        locale: None,
    };
    let code = shop
        .referrals
        .get_or_create(request("max"), &http_tests::test_link)
        .await
        .expect("code")
        .0
        .code;
    shop.referrals
        .get_or_create(request("max"), &http_tests::test_link)
        .await
        .expect("same code, not counted again");
    shop.referrals
        .get_or_create(request("eva"), &http_tests::test_link)
        .await
        .expect("code");
    for n in 0..3 {
        let click = shop
            .referrals
            .follow(&code, &http_tests::person(n))
            .await
            .expect("click");
        assert_eq!(click, domain::ports::Click::Counted);
    }
    shop.referrals
        .is_known(&code)
        .await
        .expect("a HEAD counts nothing");
    shop.order("o-1", "anna", day(3, 2), Some(code.as_ref()))
        .await;
    shop.order("o-2", "max", day(3, 2), Some(code.as_ref()))
        .await;
    shop.order("o-3", "bob", day(3, 3), Some("ZZZZ9999")).await;
    shop.order("o-4", "carl", day(3, 3), None).await;
    shop.clock.set(at(2026, 3, 4, 9, 0, 0));
    shop.coupons
        .refund(&OrderId::parse("o-1").expect("id"))
        .await
        .expect("refund");
    shop.coupons
        .refund(&OrderId::parse("o-1").expect("id"))
        .await
        .expect("refund again counts nothing");

    let funnel = shop
        .counted()
        .await
        .funnel(day(3, 1), day(3, 31))
        .await
        .expect("funnel");
    assert_eq!(
        (funnel.codes_created, funnel.clicks, funnel.rewarded),
        (2, 3, 1)
    );
    assert_eq!(funnel.rejected.get("self_referral"), Some(&1));
    assert_eq!(funnel.rejected.get("unknown_code"), Some(&1));
    assert_eq!(funnel.rejected.len(), 2);
    assert_eq!(
        (funnel.rewards_issued_cents, funnel.rewards_revoked_cents),
        (1500, 1500)
    );
    let before = shop
        .counted()
        .await
        .funnel(day(2, 1), day(2, 28))
        .await
        .expect("funnel");
    assert_eq!(before, Default::default());
}

http_tests::contract_suite!(
    retention_follows_the_seed_example,
    nps_series_respects_utc_midnight_and_calendar_edges,
    funnel_counts_codes_clicks_outcomes_and_money,
);
