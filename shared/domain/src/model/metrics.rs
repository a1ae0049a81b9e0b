//! The figures score-nps reports: NPS with its margin of error, calendar periods, and the
//! activity spans behind the retention rate. Pure arithmetic, in one place.

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};

/// One decimal, as every rate is reported.
pub fn round1(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

/// NPS over `n = promoters + passives + detractors` responses.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NpsSummary {
    pub responses: u64,
    pub promoters: u64,
    pub passives: u64,
    pub detractors: u64,
    /// 100 × (promoters − detractors) / n, one decimal; `None` without responses.
    pub nps: Option<f64>,
    /// 1.96 · 100 · √((p + d − (p − d)²) / n) with p, d the shares; `None` below
    /// [`MIN_ANSWERS_FOR_MARGIN`] responses.
    pub margin_of_error: Option<f64>,
}

/// Below this many answers the normal approximation behind the margin says nothing: 1–3 answers
/// give "± 138.6" or, for one answer, "± 0.0", which an owner reads as certainty. No margin is
/// reported then ("too few answers").
pub const MIN_ANSWERS_FOR_MARGIN: u64 = 10;

pub fn nps(promoters: u64, passives: u64, detractors: u64) -> NpsSummary {
    let responses = promoters + passives + detractors;
    let (nps, margin_of_error) = if responses == 0 {
        (None, None)
    } else {
        let n = responses as f64;
        let (p, d) = (promoters as f64 / n, detractors as f64 / n);
        let variance = (p + d - (p - d).powi(2)).max(0.0);
        let margin = (responses >= MIN_ANSWERS_FOR_MARGIN)
            .then(|| round1(1.96 * 100.0 * (variance / n).sqrt()));
        (Some(round1(100.0 * (p - d))), margin)
    };
    NpsSummary {
        responses,
        promoters,
        passives,
        detractors,
        nps,
        margin_of_error,
    }
}

/// The 95 % margin of error of a rate of `successes` in `n`, in percentage points, one
/// decimal: 1.96 · 100 · √(p (1 − p) / n); `None` below [`MIN_ANSWERS_FOR_MARGIN`], as for NPS.
pub fn rate_margin(successes: u64, n: u64) -> Option<f64> {
    (n >= MIN_ANSWERS_FOR_MARGIN).then(|| {
        let p = (successes as f64 / n as f64).clamp(0.0, 1.0);
        round1(1.96 * 100.0 * (p * (1.0 - p) / n as f64).sqrt())
    })
}

/// A percentage with one decimal, `None` when the denominator is zero.
pub fn rate(numerator: i64, denominator: u64) -> Option<f64> {
    (denominator > 0).then(|| round1(100.0 * numerator as f64 / denominator as f64))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interval {
    Day,
    /// ISO weeks, Monday to Sunday.
    Week,
    /// Calendar months.
    Month,
}

impl Interval {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "day" => Some(Self::Day),
            "week" => Some(Self::Week),
            "month" => Some(Self::Month),
            _ => None,
        }
    }
}

/// The periods covering `[from, to]`, empty ones included; the first and last are clipped to
/// the range so no period counts a day outside it.
pub fn periods(from: NaiveDate, to: NaiveDate, interval: Interval) -> Vec<(NaiveDate, NaiveDate)> {
    let mut periods = Vec::new();
    let mut start = from;
    while start <= to {
        let natural_end = match interval {
            Interval::Day => start,
            Interval::Week => {
                start + Days::new(u64::from(6 - start.weekday().num_days_from_monday()))
            }
            Interval::Month => {
                let first = start.with_day(1).unwrap_or(start);
                first
                    .checked_add_months(Months::new(1))
                    .and_then(|d| d.pred_opt())
                    .unwrap_or(start)
            }
        };
        let end = natural_end.min(to);
        periods.push((start, end));
        match end.succ_opt() {
            Some(next) => start = next,
            None => break,
        }
    }
    debug_assert!(
        interval != Interval::Week
            || periods
                .iter()
                .skip(1)
                .all(|(s, _)| s.weekday() == Weekday::Mon)
    );
    periods
}

/// The days a customer counts as active: an order on day `d` makes them active on days
/// `d + 1 ..= d + window` ("ordered within the window before").
///
/// Stored as day deltas (+1 where a span starts, −1 the day after it ends) so "active customers
/// on day t" is a prefix sum over days, independent of how many customers there are.
pub fn active_deltas(order_days: &[NaiveDate], window: u32) -> Vec<(NaiveDate, i64)> {
    let mut days: Vec<NaiveDate> = order_days.to_vec();
    days.sort_unstable();
    days.dedup();
    let mut deltas = Vec::new();
    let mut current: Option<(NaiveDate, NaiveDate)> = None;
    for day in days {
        let (start, end) = (day + Days::new(1), day + Days::new(u64::from(window)));
        current = match current {
            Some((s, e)) if start <= e + Days::new(1) => Some((s, e.max(end))),
            Some((s, e)) => {
                deltas.push((s, 1));
                deltas.push((e + Days::new(1), -1));
                Some((start, end))
            }
            None => Some((start, end)),
        };
    }
    if let Some((s, e)) = current {
        if window > 0 {
            deltas.push((s, 1));
            deltas.push((e + Days::new(1), -1));
        }
    }
    deltas
}

/// What recording one more order day changes in the per-day activity counters.
pub fn activity_changes(
    before: &[NaiveDate],
    new_day: NaiveDate,
    window: u32,
) -> Vec<(NaiveDate, i64)> {
    let mut after = before.to_vec();
    after.push(new_day);
    let mut changes: Vec<(NaiveDate, i64)> = Vec::new();
    let old = active_deltas(before, window)
        .into_iter()
        .map(|(d, v)| (d, -v));
    for (day, delta) in old.chain(active_deltas(&after, window)) {
        match changes.iter_mut().find(|(d, _)| *d == day) {
            Some((_, existing)) => *existing += delta,
            None => changes.push((day, delta)),
        }
    }
    changes.retain(|(_, delta)| *delta != 0);
    changes.sort_unstable();
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).expect("date")
    }

    #[test]
    fn nps_and_margin_match_hand_calculation() {
        // 50 promoters, 30 passives, 20 detractors: p = .5, d = .2, NPS 30,
        // MoE = 1.96·100·√((.5 + .2 − .09)/100) = 1.96·100·√.0061 = 15.3
        let summary = nps(50, 30, 20);
        assert_eq!(
            (summary.responses, summary.nps, summary.margin_of_error),
            (100, Some(30.0), Some(15.3))
        );
        // 4 promoters, 3 passives, 3 detractors: the smallest n with a margin.
        // MoE = 1.96·100·√((.4 + .3 − .01)/10) = 196·√.069 = 51.5
        assert_eq!(nps(4, 3, 3).margin_of_error, Some(51.5));
    }

    #[test]
    fn a_rate_margin_matches_hand_calculation() {
        // 3 of 12: p = 0.25, 1.96 · 100 · √(0.25 · 0.75 / 12) = 24.5.
        assert_eq!(rate_margin(3, 12), Some(24.5));
        assert_eq!(rate_margin(0, 10), Some(0.0));
        assert_eq!(rate_margin(3, 9), None);
    }

    #[test]
    fn too_few_answers_have_no_margin() {
        let third = nps(1, 1, 1);
        assert_eq!((third.nps, third.margin_of_error), (Some(0.0), None));
        assert_eq!(nps(1, 0, 0).margin_of_error, None, "not ± 0.0");
        assert_eq!(nps(5, 2, 2).margin_of_error, None, "9 answers");
    }

    #[test]
    fn no_responses_is_null_not_zero() {
        let summary = nps(0, 0, 0);
        assert_eq!((summary.nps, summary.margin_of_error), (None, None));
        assert_eq!(rate(5, 0), None);
    }

    #[test]
    fn weeks_are_iso_weeks_clipped_to_the_range() {
        // 2026-03-04 is a Wednesday.
        let weeks = periods(day(3, 4), day(3, 17), Interval::Week);
        assert_eq!(
            weeks,
            vec![
                (day(3, 4), day(3, 8)),
                (day(3, 9), day(3, 15)),
                (day(3, 16), day(3, 17))
            ]
        );
    }

    #[test]
    fn months_are_calendar_months() {
        let months = periods(day(1, 15), day(3, 2), Interval::Month);
        assert_eq!(
            months,
            vec![
                (day(1, 15), day(1, 31)),
                (day(2, 1), day(2, 28)),
                (day(3, 1), day(3, 2))
            ]
        );
        assert_eq!(periods(day(2, 1), day(2, 3), Interval::Day).len(), 3);
    }

    #[test]
    fn orders_make_customers_active_for_the_window_after() {
        assert_eq!(
            active_deltas(&[day(1, 10)], 30),
            vec![(day(1, 11), 1), (day(2, 10), -1)]
        );
        // Overlapping spans merge; a gap makes two spans.
        assert_eq!(
            active_deltas(&[day(1, 10), day(1, 20)], 30),
            vec![(day(1, 11), 1), (day(2, 20), -1)]
        );
        assert_eq!(
            active_deltas(&[day(1, 1), day(3, 1)], 10),
            vec![
                (day(1, 2), 1),
                (day(1, 12), -1),
                (day(3, 2), 1),
                (day(3, 12), -1)
            ]
        );
    }

    #[test]
    fn a_new_order_day_changes_only_what_it_extends() {
        assert_eq!(
            activity_changes(&[], day(1, 10), 30),
            vec![(day(1, 11), 1), (day(2, 10), -1)]
        );
        assert_eq!(
            activity_changes(&[day(1, 10)], day(1, 10), 30),
            vec![],
            "same day again"
        );
        assert_eq!(
            activity_changes(&[day(1, 10)], day(1, 20), 30),
            vec![(day(2, 10), 1), (day(2, 20), -1)]
        );
        // An earlier order arriving late extends the span backwards.
        assert_eq!(
            activity_changes(&[day(1, 20)], day(1, 10), 30),
            vec![(day(1, 11), 1), (day(1, 21), -1)]
        );
    }
}
