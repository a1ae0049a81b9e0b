//! `GET /dashboard`: one server-rendered page for the shop's staff. HTTP Basic authentication
//! whose password is a staff key, so a browser can open it; no script, nothing loaded from
//! elsewhere, a CSP that allows only the page's own stylesheet and forms posting to itself.
//! Detractors still to follow up carry a form each (`follow_up_form.rs`); times are shown in
//! the shop's time zone.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use chrono::{DateTime, Utc};
use domain::model::{FollowUpStatus, Interval, Locale, ResponseFilter, ReviewRule, ReviewStatus};
use domain::services::reward_mail;
use web::{choose_locale, html_page, ApiError, ApiKeys};

use crate::chart::{self, Chart};
use crate::range::DateRange;
use crate::AppState;

/// The dashboard's default range.
pub const DEFAULT_DAYS: u64 = 90;
/// Open detractors shown, and as many contacted ones; the rest are a
/// `GET /responses?follow_up=open` (or `contacted`) away.
pub const OPEN_DETRACTORS_SHOWN: usize = 50;
/// Held rewards shown, newest first; the rest are a `GET /reviews` away.
pub const HELD_SHOWN: usize = 20;
const REALM: &str = "Basic realm=\"score-nps dashboard\", charset=\"UTF-8\"";

const STYLE: &str = include_str!("../templates/dashboard.css");
static CONTENT_SECURITY_POLICY: LazyLock<String> =
    LazyLock::new(|| web::content_security_policy(STYLE));

/// The page's words in one language.
struct Texts {
    title: &'static str,
    range: &'static str,
    show: &'static str,
    nps: &'static str,
    margin: &'static str,
    answers: &'static str,
    promoters: &'static str,
    passives: &'static str,
    detractors: &'static str,
    trend: &'static str,
    per_week: &'static str,
    no_answers: &'static str,
    too_few: &'static str,
    date_format: &'static str,
    open_detractors: &'static str,
    none_open: &'static str,
    more_open: &'static str,
    status: &'static str,
    status_open: &'static str,
    status_contacted: &'static str,
    status_resolved: &'static str,
    note: &'static str,
    save: &'static str,
    changed: &'static str,
    reviews: &'static str,
    no_reviews: &'static str,
    more_reviews: &'static str,
    referrer: &'static str,
    friend: &'static str,
    held_since: &'static str,
    review_hint: &'static str,
    rule_orders_per_ip: &'static str,
    rule_rewards_per_week: &'static str,
    rule_shipping_address: &'static str,
    rule_same_name: &'static str,
    times_in: &'static str,
    saved: &'static str,
    not_found: &'static str,
    no_follow_up: &'static str,
    time_format: &'static str,
    order: &'static str,
    customer: &'static str,
    segment: &'static str,
    no_comment: &'static str,
    funnel: &'static str,
    codes: &'static str,
    clicks: &'static str,
    claims: &'static str,
    rewarded: &'static str,
    rejected: &'static str,
    issued: &'static str,
    revoked: &'static str,
    retention: &'static str,
    retention_rate: &'static str,
    repeat_rate: &'static str,
    reminders: &'static str,
    reminded_answers: &'static str,
    winback_sent: &'static str,
    won_back: &'static str,
    winback_revenue: &'static str,
}

const GERMAN: Texts = Texts {
    title: "Kundenfeedback und Empfehlungen",
    range: "Zeitraum",
    show: "Anzeigen",
    nps: "Net Promoter Score",
    margin: "Fehlerspanne (95 %)",
    answers: "Antworten",
    promoters: "Promotoren",
    passives: "Passive",
    detractors: "Kritiker",
    trend: "NPS pro Woche mit Fehlerspanne",
    per_week: "Antworten pro Woche",
    no_answers: "keine Antworten",
    too_few: "zu wenige Antworten (unter 10)",
    date_format: "%d.%m.",
    open_detractors: "Kritiker nachfassen",
    none_open: "Keine offenen oder kontaktierten Kritiker im Zeitraum.",
    more_open: "Weitere über GET /responses?follow_up=open (oder contacted).",
    status: "Status",
    status_open: "offen",
    status_contacted: "kontaktiert",
    status_resolved: "erledigt",
    note: "Notiz",
    save: "Speichern",
    changed: "geändert",
    reviews: "Zurückgehaltene Prämien",
    no_reviews: "Keine Prämie wartet auf Prüfung.",
    more_reviews: "Weitere: GET /reviews?status=open bei reward-referral.",
    referrer: "Empfehler",
    friend: "Freund",
    held_since: "zurückgehalten seit",
    review_hint: "Freigeben oder ablehnen: POST /reviews/{order_id} bei reward-referral.",
    rule_orders_per_ip: "viele Bestellungen von einer IP",
    rule_rewards_per_week: "viele Prämien des Empfehlers in einer Woche",
    rule_shipping_address: "Lieferadresse des Empfehlers",
    rule_same_name: "gleicher Name wie der Empfehler",
    times_in: "Zeiten in",
    saved: "Gespeichert.",
    not_found: "Diese Antwort gibt es nicht mehr (gelöscht?).",
    no_follow_up: "Diese Antwort hat kein Nachfassen (kein Kritiker).",
    time_format: "%d.%m.%Y %H:%M %Z",
    order: "Bestellung",
    customer: "Kunde",
    segment: "Segment",
    no_comment: "(kein Kommentar)",
    funnel: "Empfehlungsprogramm",
    codes: "Codes erstellt",
    clicks: "Klicks",
    claims: "Freundesangebote angefordert",
    rewarded: "Belohnte Empfehlungen",
    rejected: "Abgelehnt",
    issued: "Gutscheine ausgegeben",
    revoked: "Gutscheine widerrufen",
    retention: "Kundenbindung",
    retention_rate: "Bindungsrate",
    reminders: "Umfrage-Erinnerungen gesendet",
    reminded_answers: "Antworten nach einer Erinnerung",
    winback_sent: "Rückgewinnungs-Mails gesendet",
    won_back: "Zurückgewonnen (Bestellung mit gültigem Gutschein)",
    winback_revenue: "Umsatz der Zurückgewonnenen",
    repeat_rate: "Wiederkaufrate",
};

const ENGLISH: Texts = Texts {
    title: "Customer feedback and referrals",
    range: "Range",
    show: "Show",
    nps: "Net Promoter Score",
    margin: "Margin of error (95 %)",
    answers: "Answers",
    promoters: "Promoters",
    passives: "Passives",
    detractors: "Detractors",
    trend: "NPS per week with margin of error",
    per_week: "Answers per week",
    no_answers: "no answers",
    too_few: "too few answers (under 10)",
    date_format: "%-d %b",
    open_detractors: "Detractors to follow up",
    none_open: "No open or contacted detractors in this range.",
    more_open: "More via GET /responses?follow_up=open (or contacted).",
    status: "Status",
    status_open: "open",
    status_contacted: "contacted",
    status_resolved: "resolved",
    note: "Note",
    save: "Save",
    changed: "changed",
    reviews: "Rewards held for review",
    no_reviews: "No reward is waiting for review.",
    more_reviews: "More: GET /reviews?status=open on reward-referral.",
    referrer: "referrer",
    friend: "friend",
    held_since: "held since",
    review_hint: "Approve or reject: POST /reviews/{order_id} on reward-referral.",
    rule_orders_per_ip: "many orders from one IP",
    rule_rewards_per_week: "many rewards of the referrer in a week",
    rule_shipping_address: "the referrer's shipping address",
    rule_same_name: "same name as the referrer",
    times_in: "Times in",
    saved: "Saved.",
    not_found: "That answer no longer exists (erased?).",
    no_follow_up: "That answer has no follow-up (not a detractor's).",
    time_format: "%-d %b %Y, %H:%M %Z",
    order: "Order",
    customer: "Customer",
    segment: "Segment",
    no_comment: "(no comment)",
    funnel: "Referral programme",
    codes: "Codes created",
    clicks: "Clicks",
    claims: "Friend offers claimed",
    rewarded: "Rewarded referrals",
    rejected: "Rejected",
    issued: "Coupons issued",
    revoked: "Coupons revoked",
    retention: "Retention",
    retention_rate: "Retention rate",
    reminders: "Survey reminders sent",
    reminded_answers: "Answers after a reminder",
    winback_sent: "Win-back mails sent",
    won_back: "Won back (ordered while the coupon was valid)",
    winback_revenue: "Won-back revenue",
    repeat_rate: "Repeat-purchase rate",
};

impl Texts {
    fn rule_word(&self, rule: ReviewRule) -> &'static str {
        match rule {
            ReviewRule::OrdersPerIp => self.rule_orders_per_ip,
            ReviewRule::RewardsPerWeek => self.rule_rewards_per_week,
            ReviewRule::ShippingAddress => self.rule_shipping_address,
            ReviewRule::SameName => self.rule_same_name,
        }
    }

    fn status_word(&self, status: FollowUpStatus) -> &'static str {
        match status {
            FollowUpStatus::Open => self.status_open,
            FollowUpStatus::Contacted => self.status_contacted,
            FollowUpStatus::Resolved => self.status_resolved,
        }
    }

    fn notice(&self, notice: Notice) -> &'static str {
        match notice {
            Notice::Saved => self.saved,
            Notice::NotFound => self.not_found,
            Notice::NoFollowUp => self.no_follow_up,
        }
    }

    fn chart_words(&self) -> chart::Words<'static> {
        chart::Words {
            no_answers: self.no_answers,
            too_few: self.too_few,
            date_format: self.date_format,
        }
    }
}

/// What the follow-up form said happened, shown once at the top of the page it returns to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Notice {
    Saved,
    NotFound,
    NoFollowUp,
}

impl Notice {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Saved => "saved",
            Self::NotFound => "not_found",
            Self::NoFollowUp => "no_follow_up",
        }
    }

    fn parse(raw: &str) -> Option<Self> {
        [Self::Saved, Self::NotFound, Self::NoFollowUp]
            .into_iter()
            .find(|notice| notice.as_str() == raw)
    }
}

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
    time_zone: String,
    nps: String,
    margin: String,
    /// The margin is words ("too few answers"), not a figure.
    margin_is_note: bool,
    answers: u64,
    promoters: u64,
    passives: u64,
    detractors: u64,
    open_count: u64,
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

/// `GET /dashboard?from&to`: the staff's page; a key as the Basic password, since a browser
/// cannot send a bearer key.
#[utoipa::path(
    get,
    path = "/dashboard",
    tag = "feedback",
    params(crate::range::DashboardRangeParams),
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
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if !authorised(&headers, &state.staff_keys) {
        return Ok(challenge());
    }
    let today = state.clock.now().date_naive();
    // The page's form sends empty fields for dates left blank.
    let mut query = query;
    query.retain(|_, value| !value.trim().is_empty());
    let range = DateRange::parse_or_last(&query, today, DEFAULT_DAYS)?;
    let locale = choose_locale(None, &headers, Locale::De);
    let t = match locale {
        Locale::De => &GERMAN,
        Locale::En => &ENGLISH,
    };
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
    let time = |at: DateTime<Utc>| state.time_zone.format(at, t.time_format);
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
        notice: query
            .get("notice")
            .and_then(|raw| Notice::parse(raw))
            .map(|notice| t.notice(notice)),
        time_zone: state.time_zone.name().to_owned(),
        nps: number(report.total.nps),
        margin_is_note: report.total.responses > 0 && report.total.margin_of_error.is_none(),
        margin: match (report.total.responses, report.total.margin_of_error) {
            (0, _) => "–".to_owned(),
            (_, Some(margin)) => format!("± {margin:.1}"),
            (_, None) => t.too_few.to_owned(),
        },
        answers: report.total.responses,
        promoters: report.total.promoters,
        passives: report.total.passives,
        detractors: report.total.detractors,
        open_count: report.open_detractors.unwrap_or(0),
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
        rejected: funnel.rejected.into_iter().collect(),
        issued: money(funnel.rewards_issued_cents),
        revoked: money(funnel.rewards_revoked_cents),
        retention_rate: percent(retention.retention_rate),
        repeat_rate: percent(retention.repeat_purchase_rate),
        reminders: retention.reminders_sent,
        reminded_answers: retention.reminded_answers,
        winback_sent: retention.winback.sent,
        won_back: match (retention.winback.rate, retention.winback.margin_of_error) {
            (Some(rate), Some(margin)) => {
                format!("{} ({rate:.1} % ± {margin:.1})", retention.winback.won_back)
            }
            (Some(rate), None) => format!("{} ({rate:.1} %)", retention.winback.won_back),
            _ => retention.winback.won_back.to_string(),
        },
        winback_revenue: if retention.winback.revenue.is_empty() {
            "–".to_owned()
        } else {
            retention
                .winback
                .revenue
                .iter()
                .map(
                    |(currency, cents)| match domain::model::Currency::parse(currency) {
                        Ok(currency) => reward_mail::money(cents.unsigned_abs(), &currency, locale),
                        Err(_) => format!("{cents} {currency}"),
                    },
                )
                .collect::<Vec<_>>()
                .join(", ")
        },
    };
    let html = page.render().map_err(ApiError::internal)?;
    Ok(html_page(StatusCode::OK, html, &CONTENT_SECURITY_POLICY))
}

/// `Authorization: Basic base64(user:password)` with a staff key as the password; the user
/// name is not checked (there are no users, only keys).
pub(crate) fn authorised(headers: &HeaderMap, keys: &ApiKeys) -> bool {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("basic"))
        .and_then(|(_, encoded)| {
            base64::engine::general_purpose::STANDARD
                .decode(encoded.trim())
                .ok()
        })
        .and_then(|decoded| String::from_utf8(decoded).ok())
        .and_then(|credentials| {
            credentials
                .split_once(':')
                .map(|(_, password)| keys.accepts(password))
        })
        .unwrap_or(false)
}

/// 401 with the Basic challenge, so a browser asks for the key.
pub(crate) fn challenge() -> Response {
    let mut response = ApiError::Unauthorized.into_response();
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(REALM));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic(credentials: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        let encoded = base64::engine::general_purpose::STANDARD.encode(credentials);
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(&format!("Basic {encoded}")).expect("header"),
        );
        headers
    }

    #[test]
    fn the_password_must_be_a_staff_key() {
        let keys = ApiKeys::parse("dashboard-key-0123456789").expect("keys");
        assert!(authorised(&basic("staff:dashboard-key-0123456789"), &keys));
        assert!(authorised(&basic(":dashboard-key-0123456789"), &keys));
        assert!(!authorised(&basic("staff:wrong-key-0123456789"), &keys));
        assert!(!authorised(&basic("dashboard-key-0123456789"), &keys));
        assert!(!authorised(&HeaderMap::new(), &keys));
    }

    #[test]
    fn both_languages_render_without_script_or_remote_resources() {
        for t in [&GERMAN, &ENGLISH] {
            let page = DashboardPage {
                lang: "de",
                t,
                style: STYLE,
                from: "2026-09-01".into(),
                to: "2026-11-29".into(),
                notice: Some(t.saved),
                time_zone: "Europe/Berlin".into(),
                nps: "12.5".into(),
                margin: "± 3.0".into(),
                margin_is_note: false,
                answers: 8,
                promoters: 3,
                passives: 3,
                detractors: 2,
                open_count: 1,
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
                    status_text: t.status_contacted,
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
            };
            let html = page.render().expect("renders");
            assert!(!html.contains("<script"), "comments and notes are escaped");
            assert!(
                html.contains(r#"<option value="contacted" selected>"#),
                "{html}"
            );
            assert!(html.contains("alert(1)"), "the comment is shown, as text");
            assert!(html.contains(r#"id="held-rewards""#) && html.contains(t.rule_same_name));
            assert!(html.contains("o-2&#60;b&#62;") || html.contains("o-2&lt;b&gt;"));
            assert!(!html.contains("http://") && !html.contains("https://"));
        }
    }
}
