use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::Json;
use serde::Serialize;
use shared::domain::{Interval, NpsSummary};
use shared::http::ApiError;

use crate::range::DateRange;
use crate::AppState;

#[derive(Serialize)]
pub(crate) struct NpsPeriod {
    start: String,
    end: String,
    responses: u64,
    promoters: u64,
    passives: u64,
    detractors: u64,
    nps: Option<f64>,
    margin_of_error: Option<f64>,
}

impl NpsPeriod {
    fn new(start: chrono::NaiveDate, end: chrono::NaiveDate, s: NpsSummary) -> Self {
        Self {
            start: start.to_string(),
            end: end.to_string(),
            responses: s.responses,
            promoters: s.promoters,
            passives: s.passives,
            detractors: s.detractors,
            nps: s.nps,
            margin_of_error: s.margin_of_error,
        }
    }
}

#[derive(Serialize)]
pub(crate) struct NpsBody {
    from: String,
    to: String,
    responses: u64,
    promoters: u64,
    passives: u64,
    detractors: u64,
    nps: Option<f64>,
    margin_of_error: Option<f64>,
    series: Vec<NpsPeriod>,
}

/// `GET /nps?from&to&interval=day|week|month`
#[tracing::instrument(skip_all)]
pub(crate) async fn nps(
    State(state): State<Arc<AppState>>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<NpsBody>, ApiError> {
    let range = DateRange::parse(&query, state.clock.now().date_naive())?;
    let interval = query
        .get("interval")
        .map(|raw| {
            Interval::parse(raw.trim())
                .ok_or_else(|| ApiError::invalid_field("interval", "must be day, week or month"))
        })
        .transpose()?;
    let report = state.scores.nps(range.from, range.to, interval).await?;
    let total = report.total;
    Ok(Json(NpsBody {
        from: range.from.to_string(),
        to: range.to.to_string(),
        responses: total.responses,
        promoters: total.promoters,
        passives: total.passives,
        detractors: total.detractors,
        nps: total.nps,
        margin_of_error: total.margin_of_error,
        series: report
            .series
            .into_iter()
            .map(|(s, e, summary)| NpsPeriod::new(s, e, summary))
            .collect(),
    }))
}

#[derive(Serialize)]
pub(crate) struct RetentionBody {
    from: String,
    to: String,
    customers_at_start: i64,
    new_customers: i64,
    customers_at_end: i64,
    retention_rate: Option<f64>,
    repeat_purchase_rate: Option<f64>,
    customers_with_orders: u64,
    repeat_customers: u64,
}

/// `GET /retention?from&to`
#[tracing::instrument(skip_all)]
pub(crate) async fn retention(
    State(state): State<Arc<AppState>>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<RetentionBody>, ApiError> {
    let range = DateRange::parse(&query, state.clock.now().date_naive())?;
    let report = state.scores.retention(range.from, range.to).await?;
    Ok(Json(RetentionBody {
        from: range.from.to_string(),
        to: range.to.to_string(),
        customers_at_start: report.customers_at_start,
        new_customers: report.new_customers,
        customers_at_end: report.customers_at_end,
        retention_rate: report.retention_rate,
        repeat_purchase_rate: report.repeat_purchase_rate,
        customers_with_orders: report.customers_with_orders,
        repeat_customers: report.repeat_customers,
    }))
}

#[derive(Serialize)]
pub(crate) struct FunnelBody {
    from: String,
    to: String,
    codes_created: i64,
    clicks: i64,
    rewarded: i64,
    rejected: BTreeMap<String, i64>,
    rewards_issued_cents: i64,
    rewards_revoked_cents: i64,
}

/// `GET /referrals/stats?from&to`
#[tracing::instrument(skip_all)]
pub(crate) async fn funnel(
    State(state): State<Arc<AppState>>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<FunnelBody>, ApiError> {
    let range = DateRange::parse(&query, state.clock.now().date_naive())?;
    let report = state.scores.funnel(range.from, range.to).await?;
    Ok(Json(FunnelBody {
        from: range.from.to_string(),
        to: range.to.to_string(),
        codes_created: report.codes_created,
        clicks: report.clicks,
        rewarded: report.rewarded,
        rejected: report.rejected,
        rewards_issued_cents: report.rewards_issued_cents,
        rewards_revoked_cents: report.rewards_revoked_cents,
    }))
}
