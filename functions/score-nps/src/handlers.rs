use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use domain::model::{Interval, NpsSummary, Segment};
use domain::services::{FunnelReport, RetentionReport};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use web::{given, ApiError, Params};

use crate::range::{DateRange, RangeParams};
use crate::AppState;

/// NPS over some responses, as every NPS answer shows it.
#[derive(Serialize, ToSchema)]
pub(crate) struct SummaryBody {
    responses: u64,
    promoters: u64,
    passives: u64,
    detractors: u64,
    /// 100 × (promoters − detractors) / responses, one decimal; `null` without responses.
    nps: Option<f64>,
    /// Half-width of the 95 % interval around `nps`; `null` below 10 responses, where it would
    /// mean nothing (`too_few_answers`).
    margin_of_error: Option<f64>,
    /// Answers exist, but fewer than 10: `nps` is shown without a margin.
    too_few_answers: bool,
}

impl From<&NpsSummary> for SummaryBody {
    fn from(summary: &NpsSummary) -> Self {
        Self {
            responses: summary.responses,
            promoters: summary.promoters,
            passives: summary.passives,
            detractors: summary.detractors,
            nps: summary.nps,
            margin_of_error: summary.margin_of_error,
            too_few_answers: summary.responses > 0 && summary.margin_of_error.is_none(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub(crate) struct PeriodBody {
    start: String,
    end: String,
    #[serde(flatten)]
    summary: SummaryBody,
}

/// `{"from", "to", "segment"?, …the range's totals, "open_detractors"?, "series"}`.
#[derive(Serialize, ToSchema)]
pub(crate) struct NpsBody {
    from: String,
    to: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    segment: Option<String>,
    #[serde(flatten)]
    total: SummaryBody,
    /// Follow-ups opened in the range and still open; only without `segment`.
    #[serde(skip_serializing_if = "Option::is_none")]
    open_detractors: Option<u64>,
    series: Vec<PeriodBody>,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct GroupBody {
    name: String,
    #[serde(flatten)]
    summary: SummaryBody,
}

/// `{"from", "to", "segments": [...], "locales": [...]}`.
#[derive(Serialize, ToSchema)]
pub(crate) struct SegmentsBody {
    from: String,
    to: String,
    segments: Vec<GroupBody>,
    locales: Vec<GroupBody>,
}

#[derive(Serialize, ToSchema)]
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
    /// Survey reminders sent in the range.
    reminders_sent: i64,
    /// First answers to those reminders (counted on the reminder's day).
    reminded_answers: i64,
    winback: WinbackBody,
}

/// The win-back mails sent in the range and what they brought back.
#[derive(Serialize, ToSchema)]
pub(crate) struct WinbackBody {
    /// Win-back mails sent in the range.
    sent: i64,
    /// Of those, customers who ordered within the coupon's validity (with or without it).
    won_back: i64,
    /// `won_back` as a percentage of `sent`, one decimal; null without mails.
    rate: Option<f64>,
    /// 95 % margin of error of the rate, in percentage points; null below 10 mails.
    margin_of_error: Option<f64>,
    /// The won-back orders' totals per currency, in minor units.
    revenue: BTreeMap<String, i64>,
}

impl RetentionBody {
    fn new(range: &DateRange, report: RetentionReport) -> Self {
        Self {
            from: range.from.to_string(),
            to: range.to.to_string(),
            customers_at_start: report.customers_at_start,
            new_customers: report.new_customers,
            customers_at_end: report.customers_at_end,
            retention_rate: report.retention_rate,
            repeat_purchase_rate: report.repeat_purchase_rate,
            customers_with_orders: report.customers_with_orders,
            repeat_customers: report.repeat_customers,
            reminders_sent: report.reminders_sent,
            reminded_answers: report.reminded_answers,
            winback: WinbackBody {
                sent: report.winback.sent,
                won_back: report.winback.won_back,
                rate: report.winback.rate,
                margin_of_error: report.winback.margin_of_error,
                revenue: report.winback.revenue,
            },
        }
    }
}

#[derive(Serialize, ToSchema)]
pub(crate) struct FunnelBody {
    from: String,
    to: String,
    codes_created: i64,
    clicks: i64,
    /// Claims of the friend's first-order offer on the share links.
    claims: i64,
    rewarded: i64,
    rejected: BTreeMap<String, i64>,
    rewards_issued_cents: i64,
    rewards_revoked_cents: i64,
    /// The coupons' currency (`REWARD_CURRENCY`), which both amounts are in.
    currency: String,
}

impl FunnelBody {
    fn new(range: &DateRange, report: FunnelReport, currency: &domain::model::Currency) -> Self {
        Self {
            from: range.from.to_string(),
            to: range.to.to_string(),
            codes_created: report.codes_created,
            clicks: report.clicks,
            claims: report.claims,
            rewarded: report.rewarded,
            rejected: report.rejected,
            rewards_issued_cents: report.rewards_issued_cents,
            rewards_revoked_cents: report.rewards_revoked_cents,
            currency: currency.to_string(),
        }
    }
}

/// `GET /nps`'s own parameters.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct NpsParams {
    /// `day`, `week` (ISO, Monday to Sunday) or `month`; without it `series` is empty.
    interval: Option<String>,
    /// Only the answers of this segment (1–64 characters).
    segment: Option<String>,
}

/// `GET /nps?from&to&interval=day|week|month&segment`
#[utoipa::path(
    get,
    path = "/nps",
    tag = "figures",
    params(RangeParams, NpsParams),
    responses(
        (status = 200, description = "NPS, n and margin of error over the range, and the series", body = NpsBody),
        (status = 400, description = "`invalid_field` naming the parameter: a bad date, `from` after `to`, a range of 3 years or more", body = web::ErrorEnvelope),
    ),
    security(("staff_key" = []))
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn nps(
    State(state): State<Arc<AppState>>,
    Params(range): Params<RangeParams>,
    Params(own): Params<NpsParams>,
) -> Result<Json<NpsBody>, ApiError> {
    let range = DateRange::parse(&range, state.clock.now().date_naive())?;
    let interval = given(&own.interval)
        .map(|raw| {
            Interval::parse(raw.trim())
                .ok_or_else(|| ApiError::invalid_field("interval", "must be day, week or month"))
        })
        .transpose()?;
    let segment = given(&own.segment)
        .map(|raw| Segment::parse(raw).map_err(|e| ApiError::invalid_field("segment", e)))
        .transpose()?;
    let report = state
        .scores
        .nps(range.from, range.to, interval, segment.as_ref())
        .await?;
    Ok(Json(NpsBody {
        from: range.from.to_string(),
        to: range.to.to_string(),
        segment: segment.map(|s| s.to_string()),
        total: SummaryBody::from(&report.total),
        open_detractors: report.open_detractors,
        series: report
            .series
            .iter()
            .map(|(start, end, summary)| PeriodBody {
                start: start.to_string(),
                end: end.to_string(),
                summary: SummaryBody::from(summary),
            })
            .collect(),
    }))
}

/// `GET /nps/segments?from&to`: NPS, n and margin of error per segment and per locale.
#[utoipa::path(
    get,
    path = "/nps/segments",
    tag = "figures",
    params(RangeParams),
    responses(
        (status = 200, description = "Per segment and per locale with answers in the range, by name", body = SegmentsBody),
        (status = 400, description = "`invalid_field` naming the parameter: a bad date, `from` after `to`, a range of 3 years or more", body = web::ErrorEnvelope),
    ),
    security(("staff_key" = []))
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn segments(
    State(state): State<Arc<AppState>>,
    Params(range): Params<RangeParams>,
) -> Result<Json<SegmentsBody>, ApiError> {
    let range = DateRange::parse(&range, state.clock.now().date_naive())?;
    let report = state.scores.segments(range.from, range.to).await?;
    let group = |name: String, summary: &NpsSummary| GroupBody {
        name,
        summary: SummaryBody::from(summary),
    };
    Ok(Json(SegmentsBody {
        from: range.from.to_string(),
        to: range.to.to_string(),
        segments: report
            .segments
            .iter()
            .map(|(segment, summary)| group(segment.to_string(), summary))
            .collect(),
        locales: report
            .locales
            .iter()
            .map(|(locale, summary)| group(locale.as_str().to_owned(), summary))
            .collect(),
    }))
}

/// `GET /retention?from&to`: retention and repeat-purchase rates.
#[utoipa::path(
    get,
    path = "/retention",
    tag = "figures",
    params(RangeParams),
    responses(
        (status = 200, description = "Retention and repeat-purchase rates over the range (definitions in docs/api.md)", body = RetentionBody),
        (status = 400, description = "`invalid_field` naming the parameter: a bad date, `from` after `to`, a range of 3 years or more", body = web::ErrorEnvelope),
    ),
    security(("staff_key" = []))
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn retention(
    State(state): State<Arc<AppState>>,
    Params(range): Params<RangeParams>,
) -> Result<Json<RetentionBody>, ApiError> {
    let range = DateRange::parse(&range, state.clock.now().date_naive())?;
    let report = state.scores.retention(range.from, range.to).await?;
    Ok(Json(RetentionBody::new(&range, report)))
}

/// `GET /referrals/stats?from&to`: the referral funnel.
#[utoipa::path(
    get,
    path = "/referrals/stats",
    tag = "figures",
    params(RangeParams),
    responses(
        (status = 200, description = "Codes created, clicks, rewarded and rejected orders by reason, rewards issued and revoked", body = FunnelBody),
        (status = 400, description = "`invalid_field` naming the parameter: a bad date, `from` after `to`, a range of 3 years or more", body = web::ErrorEnvelope),
    ),
    security(("staff_key" = []))
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn funnel(
    State(state): State<Arc<AppState>>,
    Params(range): Params<RangeParams>,
) -> Result<Json<FunnelBody>, ApiError> {
    let range = DateRange::parse(&range, state.clock.now().date_naive())?;
    let report = state.scores.funnel(range.from, range.to).await?;
    Ok(Json(FunnelBody::new(&range, report, &state.currency)))
}
