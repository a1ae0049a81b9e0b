use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{Days, NaiveDate};

use crate::model::counters;
use crate::model::{
    nps, periods, rate, rate_margin, CounterSeries, Interval, Locale, NpsSummary, ResponseCursor,
    ResponseFilter, Segment,
};
use crate::ports::{DayCounts, Dimension, MetricsStore, ResponsePage, StoreError};

/// NPS over a range, optionally as a series of periods covering it.
#[derive(Debug, Clone, PartialEq)]
pub struct NpsReport {
    pub total: NpsSummary,
    pub series: Vec<(NaiveDate, NaiveDate, NpsSummary)>,
    /// Detractors' follow-ups opened in the range and still open; counted shop-wide, so `None`
    /// for one segment.
    pub open_detractors: Option<u64>,
}

/// NPS per segment and per locale over a range, in name order.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentReport {
    pub segments: Vec<(Segment, NpsSummary)>,
    pub locales: Vec<(Locale, NpsSummary)>,
}

/// The seeds' retention figures over `[from, to]` (the definitions: docs/api.md, *score-nps*).
#[derive(Debug, Clone, PartialEq)]
pub struct RetentionReport {
    pub customers_at_start: i64,
    pub new_customers: i64,
    pub customers_at_end: i64,
    pub retention_rate: Option<f64>,
    pub repeat_purchase_rate: Option<f64>,
    pub customers_with_orders: u64,
    pub repeat_customers: u64,
    /// Survey reminders sent in the range, and first answers to them (counted on the
    /// reminder's day).
    pub reminders_sent: i64,
    pub reminded_answers: i64,
    /// Win-back mails sent in the range, and of them the customers won back (an order within
    /// the coupon's validity), counted on the mail's day.
    pub winback: WinbackReport,
}

/// What the win-back mails sent in a range brought back.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WinbackReport {
    pub sent: i64,
    pub won_back: i64,
    /// Percent of `sent`, one decimal; `None` without mails.
    pub rate: Option<f64>,
    /// 95 % margin of the rate in percentage points; `None` below 10 mails.
    pub margin_of_error: Option<f64>,
    /// The won-back orders' totals per currency, in minor units.
    pub revenue: BTreeMap<String, i64>,
}

/// The referral funnel over a range.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FunnelReport {
    pub codes_created: i64,
    pub clicks: i64,
    /// Claims of the friend's first-order offer.
    pub claims: i64,
    pub rewarded: i64,
    pub rejected: BTreeMap<String, i64>,
    pub rewards_issued_cents: i64,
    pub rewards_revoked_cents: i64,
}

/// Reads the day counters; never scans answers, customers or (for NPS and the funnel) orders.
#[derive(Clone)]
pub struct ScoreService {
    metrics: Arc<dyn MetricsStore>,
}

impl ScoreService {
    pub fn new(metrics: Arc<dyn MetricsStore>) -> Self {
        Self { metrics }
    }

    /// One range query over the NPS day counters (of one segment if given), however many
    /// answers there are.
    pub async fn nps(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        interval: Option<Interval>,
        segment: Option<&Segment>,
    ) -> Result<NpsReport, StoreError> {
        let days: Vec<DayCounts> = match segment {
            None => self.metrics.day_counts(from, to).await?,
            Some(segment) => self
                .metrics
                .dimension_days(from, to)
                .await?
                .into_iter()
                .filter(|d| matches!(&d.dimension, Dimension::Segment(s) if s == segment))
                .map(|d| d.counts)
                .collect(),
        };
        let open_detractors = segment
            .is_none()
            .then(|| days.iter().map(|d| d.open_follow_ups).sum());
        let sum = |start: NaiveDate, end: NaiveDate| {
            let (p, pa, d) = days
                .iter()
                .filter(|c| c.day >= start && c.day <= end)
                .fold((0, 0, 0), |(p, pa, d), c| {
                    (p + c.promoters, pa + c.passives, d + c.detractors)
                });
            nps(p, pa, d)
        };
        let series = interval
            .map(|interval| {
                periods(from, to, interval)
                    .into_iter()
                    .map(|(s, e)| (s, e, sum(s, e)))
                    .collect()
            })
            .unwrap_or_default();
        Ok(NpsReport {
            total: sum(from, to),
            series,
            open_detractors,
        })
    }

    /// NPS, n and margin of error per segment and per locale: one range query over their day
    /// counters.
    pub async fn segments(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<SegmentReport, StoreError> {
        let mut totals: BTreeMap<Dimension, (u64, u64, u64)> = BTreeMap::new();
        for day in self.metrics.dimension_days(from, to).await? {
            let total = totals.entry(day.dimension).or_default();
            total.0 += day.counts.promoters;
            total.1 += day.counts.passives;
            total.2 += day.counts.detractors;
        }
        let mut report = SegmentReport {
            segments: Vec::new(),
            locales: Vec::new(),
        };
        for (dimension, (p, pa, d)) in totals {
            let summary = nps(p, pa, d);
            if summary.responses == 0 {
                continue;
            }
            match dimension {
                Dimension::Segment(segment) => report.segments.push((segment, summary)),
                Dimension::Locale(locale) => report.locales.push((locale, summary)),
            }
        }
        Ok(report)
    }

    /// Answered surveys, newest first, a page at a time.
    pub async fn responses(
        &self,
        filter: &ResponseFilter,
        after: Option<&ResponseCursor>,
        limit: usize,
    ) -> Result<ResponsePage, StoreError> {
        self.metrics.responses(filter, after, limit).await
    }

    /// S and E from prefix sums of the activity deltas, N from the new-customer counters, the
    /// repeat rate from the orders inside the range.
    pub async fn retention(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<RetentionReport, StoreError> {
        let day_after = to.checked_add_days(Days::new(1)).unwrap_or(to);
        let days = self
            .metrics
            .counter_days(CounterSeries::Retention, None, day_after)
            .await?;
        let value =
            |values: &BTreeMap<String, i64>, name: &str| values.get(name).copied().unwrap_or(0);
        let active_on = |t: NaiveDate| {
            days.iter()
                .filter(|d| d.day <= t)
                .map(|d| value(&d.values, counters::ACTIVE_DELTA))
                .sum::<i64>()
        };
        let customers_at_start = active_on(from);
        let customers_at_end = active_on(day_after);
        let new_customers: i64 = days
            .iter()
            .filter(|d| d.day >= from && d.day <= to)
            .map(|d| value(&d.values, counters::NEW_CUSTOMERS))
            .sum();

        let mut orders_per_customer: HashMap<String, u64> = HashMap::new();
        for order_day in self.metrics.order_days(from, to).await? {
            *orders_per_customer
                .entry(order_day.customer_id.to_string())
                .or_default() += order_day.orders;
        }
        let customers_with_orders = orders_per_customer.len() as u64;
        let repeat_customers = orders_per_customer.values().filter(|n| **n > 1).count() as u64;
        let in_range = || days.iter().filter(|d| d.day >= from && d.day <= to);
        let total = |name: &str| in_range().map(|d| value(&d.values, name)).sum::<i64>();
        let mut revenue: BTreeMap<String, i64> = BTreeMap::new();
        for (name, cents) in in_range().flat_map(|d| d.values.iter()) {
            if let Some(currency) = name.strip_prefix(counters::WINBACK_REVENUE_PREFIX) {
                *revenue.entry(currency.to_owned()).or_default() += cents;
            }
        }
        let (sent, won_back) = (total(counters::WINBACK_SENT), total(counters::WINBACK_WON));
        let winback = WinbackReport {
            sent,
            won_back,
            rate: rate(won_back, sent.max(0) as u64),
            margin_of_error: rate_margin(won_back.max(0) as u64, sent.max(0) as u64),
            revenue,
        };
        Ok(RetentionReport {
            reminders_sent: total(counters::REMINDERS_SENT),
            reminded_answers: total(counters::REMINDED_ANSWERS),
            winback,
            customers_at_start,
            new_customers,
            customers_at_end,
            retention_rate: rate(
                customers_at_end - new_customers,
                customers_at_start.max(0) as u64,
            ),
            repeat_purchase_rate: rate(repeat_customers as i64, customers_with_orders),
            customers_with_orders,
            repeat_customers,
        })
    }

    pub async fn funnel(&self, from: NaiveDate, to: NaiveDate) -> Result<FunnelReport, StoreError> {
        let mut report = FunnelReport::default();
        for day in self
            .metrics
            .counter_days(CounterSeries::Funnel, Some(from), to)
            .await?
        {
            for (name, value) in day.values {
                match name.as_str() {
                    counters::CODES_CREATED => report.codes_created += value,
                    counters::CLICKS => report.clicks += value,
                    counters::CLAIMS => report.claims += value,
                    counters::REWARDED => report.rewarded += value,
                    counters::ISSUED_CENTS => report.rewards_issued_cents += value,
                    counters::REVOKED_CENTS => report.rewards_revoked_cents += value,
                    other => {
                        if let Some(reason) = other.strip_prefix(counters::REJECTED_PREFIX) {
                            *report.rejected.entry(reason.to_owned()).or_default() += value;
                        }
                    }
                }
            }
        }
        Ok(report)
    }
}
