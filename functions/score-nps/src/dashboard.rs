//! `GET /dashboard`: one server-rendered page for the shop's staff. HTTP Basic authentication
//! whose password is a staff key, so a browser can open it (`dashboard_auth.rs`); no script,
//! nothing loaded from elsewhere, a CSP that allows only the page's own stylesheet and forms
//! posting to itself. Detractors still to follow up carry a form each (`follow_up_form.rs`);
//! times are shown in the shop's time zone; the words are the catalog's (`dashboard_texts.rs`).

use std::sync::{Arc, LazyLock};

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{DateTime, Utc};
use domain::model::{FollowUpStatus, Interval, Locale, ResponseFilter, ReviewStatus};
use domain::services::reward_mail;
use domain::texts::{text_with, Arg};
use web::{choose_locale, given, html_page, ApiError, Params};

use crate::chart::{self, Chart};
use crate::dashboard_auth::{authorised, challenge};
use crate::dashboard_texts::{rejections, revenue, won_back, Texts};
use crate::follow_up_form::Notice;
use crate::range::{DateRange, RangeParams};
use crate::AppState;

/// The dashboard's default range.
pub const DEFAULT_DAYS: u64 = 90;
/// Open detractors shown, and as many contacted ones; the rest are a
/// `GET /responses?follow_up=open` (or `contacted`) away.
pub const OPEN_DETRACTORS_SHOWN: usize = 50;
/// Held rewards shown, newest first; the rest are a `GET /reviews` away.
pub const HELD_SHOWN: usize = 20;

const STYLE: &str = include_str!("../templates/dashboard.css");
static CONTENT_SECURITY_POLICY: LazyLock<String> =
    LazyLock::new(|| web::content_security_policy(STYLE));

struct OpenDetractor {
    survey_id: String,
    answered_at: String,
    score: u8,
    comment: Option<String>,
    order_id: String,
    customer_id: String,
    segment: Option<String>,
    status: &'static str,
    /// The status in the page's words.
    status_text: &'static str,
    note: String,
    changed_at: String,
}

/// A reward held for review, as the page lists it: no address or name, as in the API.
struct HeldRow {
    order_id: String,
    referral_code: String,
    referrer: String,
    friend: String,
    total: String,
    flagged_at: String,
    rules: Vec<&'static str>,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    lang: &'static str,
    t: &'static Texts,
    style: &'static str,
    from: String,
    to: String,
    notice: Option<&'static str>,
    /// "Times in Europe/Berlin.": the shop's time zone, in words.
    times_in: String,
    nps: String,
    margin: String,
    /// The margin is words ("too few answers"), not a figure.
    margin_is_note: bool,
    answers: u64,
    promoters: u64,
    passives: u64,
    detractors: u64,
    /// The section's heading with the number of detractors still open.
    open_heading: String,
    chart: Chart,
    chart_width: f64,
    nps_height: f64,
    bars_height: f64,
    open: Vec<OpenDetractor>,
    more_open: bool,
    held: Vec<HeldRow>,
    more_held: bool,
    codes: i64,
    clicks: i64,
    claims: i64,
    rewarded: i64,
    /// Each rejection reason, in words, with its count.
    rejected: Vec<(String, i64)>,
    issued: String,
    revoked: String,
    retention_rate: String,
    repeat_rate: String,
    reminders: i64,
    reminded_answers: i64,
    winback_sent: i64,
    /// "3 (25.0 % ± 24.5)".
    won_back: String,
    /// One amount per currency, or "–".
    winback_revenue: String,
}

/// The dashboard's own parameter, besides the range.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct DashboardParams {
    /// What the follow-up form's last post did (`saved`, `not_found`, `no_follow_up`): the form
    /// redirects here with it, and the page says so. Any other value is ignored.
    notice: Option<String>,
}

/// `GET /dashboard?from&to`: the staff's page; a key as the Basic password, since a browser
/// cannot send a bearer key.
#[utoipa::path(
    get,
    path = "/dashboard",
    tag = "feedback",
    params(RangeParams, DashboardParams),
    responses(
        (status = 200, description = "NPS with its weekly trend, open detractors, funnel and retention on one page", content_type = "text/html", body = String),
        (status = 400, description = "`invalid_field` naming the parameter", body = web::ErrorEnvelope),
        (status = 401, description = "`unauthorized`, with the Basic challenge so a browser asks for the key", body = web::ErrorEnvelope),
    ),
    security(("dashboard_login" = []))
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn page(
    State(state): State<Arc<AppState>>,
    Params(range): Params<RangeParams>,
    Params(own): Params<DashboardParams>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if !authorised(&headers, &state.staff_keys) {
        return Ok(challenge());
    }
    let today = state.clock.now().date_naive();
    let range = DateRange::parse_or_last(&range, today, DEFAULT_DAYS)?;
    let locale = choose_locale(None, &headers, Locale::De);
    let t = Texts::of(locale);
    let following_up = |status| ResponseFilter {
        from: range.from,
        to: range.to,
        category: None,
        has_comment: None,
        follow_up: Some(status),
        segment: None,
    };
    let (open_filter, contacted_filter) = (
        following_up(FollowUpStatus::Open),
        following_up(FollowUpStatus::Contacted),
    );
    // Independent reads: the page waits for the slowest, not for their sum.
    let (report, open, contacted, funnel, retention, held) = tokio::try_join!(
        state
            .scores
            .nps(range.from, range.to, Some(Interval::Week), None),
        state
            .scores
            .responses(&open_filter, None, OPEN_DETRACTORS_SHOWN),
        state
            .scores
            .responses(&contacted_filter, None, OPEN_DETRACTORS_SHOWN),
        state.scores.funnel(range.from, range.to),
        state.scores.retention(range.from, range.to),
        state.reviews.reviews(ReviewStatus::Open, HELD_SHOWN, None),
    )?;
    let time = |at: DateTime<Utc>| state.time_zone.format(at, &t.time_format);
    let more_open = open.next.is_some() || contacted.next.is_some();
    let mut waiting: Vec<_> = open
        .responses
        .into_iter()
        .chain(contacted.responses)
        .collect();
    waiting.sort_by_key(|r| std::cmp::Reverse(r.answered_at));
    let number = |value: Option<f64>| value.map_or_else(|| "–".to_owned(), |v| format!("{v:.1}"));
    // Rates are percentages already (`model::rate`).
    let percent =
        |value: Option<f64>| value.map_or_else(|| "–".to_owned(), |v| format!("{v:.1} %"));
    let money = |cents: i64| {
        let amount = reward_mail::money(cents.unsigned_abs(), &state.currency, locale);
        if cents < 0 {
            format!("−{amount}")
        } else {
            amount
        }
    };
    let page = DashboardPage {
        lang: locale.as_str(),
        t,
        style: STYLE,
        from: range.from.to_string(),
        to: range.to.to_string(),
        notice: given(&own.notice)
            .and_then(Notice::parse)
            .map(|notice| t.notice(notice)),
        times_in: text_with(
            locale,
            "dashboard-times-in",
            &[("zone", Arg::from(state.time_zone.name()))],
        ),
        nps: number(report.total.nps),
        margin_is_note: report.total.responses > 0 && report.total.margin_of_error.is_none(),
        margin: match (report.total.responses, report.total.margin_of_error) {
            (0, _) => "–".to_owned(),
            (_, Some(margin)) => format!("± {margin:.1}"),
            (_, None) => t.too_few.to_string(),
        },
        answers: report.total.responses,
        promoters: report.total.promoters,
        passives: report.total.passives,
        detractors: report.total.detractors,
        open_heading: text_with(
            locale,
            "dashboard-open-detractors",
            &[("count", Arg::from(report.open_detractors.unwrap_or(0)))],
        ),
        chart: chart::weekly(&report.series, &t.chart_words()),
        chart_width: chart::WIDTH,
        nps_height: chart::NPS_HEIGHT,
        bars_height: chart::BARS_HEIGHT + chart::AXIS_HEIGHT,
        more_open,
        more_held: held.next.is_some(),
        held: held
            .reviews
            .iter()
            .map(|review| HeldRow {
                order_id: review.held.order_id.to_string(),
                referral_code: review.held.referral_code.to_string(),
                referrer: review.held.referrer_id.to_string(),
                friend: review.held.friend_id.to_string(),
                total: reward_mail::money(review.held.total.get(), &review.held.currency, locale),
                flagged_at: time(review.held.flagged_at),
                rules: review
                    .held
                    .rules
                    .iter()
                    .map(|rule| t.rule_word(*rule))
                    .collect(),
            })
            .collect(),
        open: waiting
            .iter()
            .map(|r| {
                let follow_up = r.follow_up.as_ref();
                let status = follow_up.map_or(FollowUpStatus::Open, |f| f.status);
                OpenDetractor {
                    survey_id: r.survey_id.to_string(),
                    answered_at: time(r.answered_at),
                    score: r.score.value(),
                    comment: r.comment.as_ref().map(|c| c.as_ref().to_owned()),
                    order_id: r.order_id.to_string(),
                    customer_id: r.customer_id.to_string(),
                    segment: r.segment.as_ref().map(ToString::to_string),
                    status: status.as_str(),
                    status_text: t.status_word(status),
                    note: follow_up
                        .and_then(|f| f.note.as_ref())
                        .map_or_else(String::new, |n| n.as_ref().to_owned()),
                    changed_at: follow_up.map_or_else(String::new, |f| time(f.updated_at)),
                }
            })
            .collect(),
        codes: funnel.codes_created,
        clicks: funnel.clicks,
        claims: funnel.claims,
        rewarded: funnel.rewarded,
        rejected: rejections(locale, funnel.rejected),
        issued: money(funnel.rewards_issued_cents),
        revoked: money(funnel.rewards_revoked_cents),
        retention_rate: percent(retention.retention_rate),
        repeat_rate: percent(retention.repeat_purchase_rate),
        reminders: retention.reminders_sent,
        reminded_answers: retention.reminded_answers,
        winback_sent: retention.winback.sent,
        won_back: won_back(&retention.winback),
        winback_revenue: revenue(&retention.winback, locale),
    };
    let html = page.render().map_err(ApiError::internal)?;
    Ok(html_page(StatusCode::OK, html, &CONTENT_SECURITY_POLICY))
}

#[cfg(test)]
mod tests {
    use domain::model::ReviewRule;

    use super::*;

    /// A page with one of everything, in `locale`'s words.
    fn sample(locale: Locale) -> DashboardPage {
        let t = Texts::of(locale);
        DashboardPage {
            lang: locale.as_str(),
            t,
            style: STYLE,
            from: "2026-09-01".into(),
            to: "2026-11-29".into(),
            notice: Some(t.notice(Notice::Saved)),
            times_in: "Europe/Berlin".into(),
            nps: "12.5".into(),
            margin: "± 3.0".into(),
            margin_is_note: false,
            answers: 8,
            promoters: 3,
            passives: 3,
            detractors: 2,
            open_heading: t.status_open.to_string(),
            chart: chart::weekly(&[], &t.chart_words()),
            chart_width: chart::WIDTH,
            nps_height: chart::NPS_HEIGHT,
            bars_height: chart::BARS_HEIGHT,
            open: vec![OpenDetractor {
                survey_id: "srv_0123456789abcdef0123456789abcdef".into(),
                answered_at: "01.11.2026 11:00 CET".into(),
                score: 2,
                comment: Some("<script>alert(1)</script>".into()),
                order_id: "o-1".into(),
                customer_id: "c-1".into(),
                segment: None,
                status: "contacted",
                status_text: t.status_word(FollowUpStatus::Contacted),
                note: "</textarea><script>alert(2)</script>".into(),
                changed_at: "02.11.2026 09:00 CET".into(),
            }],
            more_open: false,
            held: vec![HeldRow {
                order_id: "o-2<b>".into(),
                referral_code: "ABCD2345".into(),
                referrer: "r-1".into(),
                friend: "c-2".into(),
                total: "50,00 €".into(),
                flagged_at: "02.11.2026 09:00 CET".into(),
                rules: vec![t.rule_word(ReviewRule::SameName)],
            }],
            more_held: true,
            codes: 1,
            clicks: 2,
            claims: 1,
            rewarded: 1,
            rejected: vec![("self_referral".into(), 1)],
            issued: "20.00".into(),
            revoked: "0.00".into(),
            retention_rate: "–".into(),
            repeat_rate: "–".into(),
            reminders: 0,
            reminded_answers: 0,
            winback_sent: 0,
            won_back: "0".into(),
            winback_revenue: "–".into(),
        }
    }

    #[test]
    fn every_language_renders_without_script_or_remote_resources() {
        for locale in Locale::ALL {
            let html = sample(locale).render().expect("renders");
            assert!(!html.contains("<script"), "comments and notes are escaped");
            assert!(
                html.contains(r#"<option value="contacted" selected>"#),
                "{html}"
            );
            assert!(html.contains("alert(1)"), "the comment is shown, as text");
            let rule = Texts::of(locale).rule_word(ReviewRule::SameName);
            assert!(html.contains(r#"id="held-rewards""#) && html.contains(rule));
            assert!(html.contains("o-2&#60;b&#62;") || html.contains("o-2&lt;b&gt;"));
            assert!(!html.contains("http://") && !html.contains("https://"));
            assert!(
                !html.contains("dashboard-"),
                "every word is in the catalog: {html}"
            );
        }
    }

    #[test]
    fn the_french_dashboard_is_in_french() {
        let html = sample(Locale::Fr).render().expect("renders");
        assert!(html.contains(r#"<html lang="fr">"#), "{html}");
        for words in [
            "Avis clients et parrainages",
            "Détracteurs",
            "Enregistrer",
            "même nom que le parrain",
            "POST /reviews/{order_id}",
        ] {
            assert!(html.contains(words), "{words}: {html}");
        }
    }
}
