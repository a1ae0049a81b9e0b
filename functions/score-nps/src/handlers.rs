use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::Json;
use domain::model::{Interval, NpsSummary};
use domain::services::{FunnelReport, RetentionReport};
use serde::Serialize;
use web::ApiError;

use crate::range::DateRange;
use crate::AppState;

/// A report with the range it covers: `{"from", "to", …the report's fields}`.
#[derive(Serialize)]
pub(crate) struct InRange<T> {
    from: String,
    to: String,
    #[serde(flatten)]
    report: T,
}

impl<T> InRange<T> {
    fn new(range: &DateRange, report: T) -> Self {
        Self {
            from: range.from.to_string(),
            to: range.to.to_string(),
            report,
        }
    }
}

#[derive(Serialize)]
pub(crate) struct NpsPeriod {
    start: String,
    end: String,
    #[serde(flatten)]
    summary: NpsSummary,
}

/// The range's totals, then the series.
#[derive(Serialize)]
pub(crate) struct NpsTotals {
    #[serde(flatten)]
    total: NpsSummary,
    series: Vec<NpsPeriod>,
}

/// `GET /nps?from&to&interval=day|week|month`
#[tracing::instrument(skip_all)]
pub(crate) async fn nps(
    State(state): State<Arc<AppState>>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<InRange<NpsTotals>>, ApiError> {
    let range = DateRange::parse(&query, state.clock.now().date_naive())?;
    let interval = query
        .get("interval")
        .map(|raw| {
            Interval::parse(raw.trim())
                .ok_or_else(|| ApiError::invalid_field("interval", "must be day, week or month"))
        })
        .transpose()?;
    let report = state.scores.nps(range.from, range.to, interval).await?;
    let series = report
        .series
        .into_iter()
        .map(|(start, end, summary)| NpsPeriod {
            start: start.to_string(),
            end: end.to_string(),
            summary,
        })
        .collect();
    Ok(Json(InRange::new(
        &range,
        NpsTotals {
            total: report.total,
            series,
        },
    )))
}

/// `GET /retention?from&to`
#[tracing::instrument(skip_all)]
pub(crate) async fn retention(
    State(state): State<Arc<AppState>>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<InRange<RetentionReport>>, ApiError> {
    let range = DateRange::parse(&query, state.clock.now().date_naive())?;
    let report = state.scores.retention(range.from, range.to).await?;
    Ok(Json(InRange::new(&range, report)))
}

/// `GET /referrals/stats?from&to`
#[tracing::instrument(skip_all)]
pub(crate) async fn funnel(
    State(state): State<Arc<AppState>>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<InRange<FunnelReport>>, ApiError> {
    let range = DateRange::parse(&query, state.clock.now().date_naive())?;
    let report = state.scores.funnel(range.from, range.to).await?;
    Ok(Json(InRange::new(&range, report)))
}
