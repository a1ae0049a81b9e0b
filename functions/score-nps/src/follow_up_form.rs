//! `POST /dashboard`: the dashboard's follow-up form. Under the dashboard's login (a staff key as
//! the Basic password), and only from the dashboard's own origin: a browser sends Basic
//! credentials with any site's form, so without the check another page could mark follow-ups in
//! the staff's name. Answers with a redirect back to the dashboard (post, redirect, get), so a
//! reload sends nothing twice.

use std::sync::Arc;

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use domain::model::{FollowUpNote, FollowUpStatus, SurveyId};
use domain::services::SurveyError;
use serde::Deserialize;
use utoipa::ToSchema;
use web::ApiError;

use crate::dashboard_auth::{authorised, challenge};
use crate::AppState;

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

    pub(crate) fn parse(raw: &str) -> Option<Self> {
        [Self::Saved, Self::NotFound, Self::NoFollowUp]
            .into_iter()
            .find(|notice| notice.as_str() == raw)
    }
}

/// The form's fields, as the dashboard posts them.
#[derive(Deserialize, ToSchema)]
pub(crate) struct FollowUpForm {
    /// The answer's public id (`srv_…`).
    survey_id: String,
    /// `open`, `contacted` or `resolved`.
    status: String,
    /// Replaces the previous note; empty removes it (at most 1000 characters).
    #[serde(default)]
    note: String,
    /// The dashboard's range, to return to it.
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

/// `POST /dashboard`: marks a detractor's follow-up from the dashboard, then back to it.
#[utoipa::path(
    post,
    path = "/dashboard",
    tag = "feedback",
    request_body(content = FollowUpForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 303, description = "Back to the dashboard (same range) with `notice` `saved`, `not_found` (no such answer, or erased) or `no_follow_up`",
            headers(("location" = String, description = "`dashboard?from&to&notice#s-<survey_id>`"))),
        (status = 400, description = "`bad_request` (not the form), or `invalid_field` naming `survey_id`, `status` or `note`", body = web::ErrorEnvelope),
        (status = 401, description = "`unauthorized`, with the Basic challenge", body = web::ErrorEnvelope),
        (status = 403, description = "`cross_origin`: not posted from the dashboard's own origin (`Sec-Fetch-Site: same-origin`, or an `Origin` naming this host)", body = web::ErrorEnvelope),
    ),
    security(("dashboard_login" = []))
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn mark(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    form: Result<Form<FollowUpForm>, FormRejection>,
) -> Result<Response, ApiError> {
    if !authorised(&headers, &state.staff_keys) {
        return Ok(challenge());
    }
    if !same_origin(&headers) {
        return Err(ApiError::Forbidden {
            code: "cross_origin",
            message: "the follow-up form is accepted only from the dashboard's own page".into(),
        });
    }
    let Form(form) = form.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let survey_id =
        SurveyId::parse(&form.survey_id).map_err(|e| ApiError::invalid_field("survey_id", e))?;
    let status =
        FollowUpStatus::parse(&form.status).map_err(|e| ApiError::invalid_field("status", e))?;
    let note = FollowUpNote::parse(&form.note).map_err(|e| ApiError::invalid_field("note", e))?;
    let notice = match state.follow_ups.record(&survey_id, status, note).await {
        Ok(_) => Notice::Saved,
        Err(SurveyError::NotFound) => Notice::NotFound,
        Err(SurveyError::NoFollowUp) => Notice::NoFollowUp,
        Err(error) => return Err(error.into()),
    };
    Ok(back_to_dashboard(&form.from, &form.to, notice, &survey_id))
}

/// A browser's form post from our own page: `Sec-Fetch-Site: same-origin` where the browser sends
/// it (no page can set it), else an `Origin` whose host is the one addressed. Neither, or
/// `Origin: null`, is refused.
fn same_origin(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        return site.as_bytes() == b"same-origin";
    }
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let origin = headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .and_then(|origin| {
            origin
                .strip_prefix("https://")
                .or_else(|| origin.strip_prefix("http://"))
        });
    matches!((origin, host), (Some(origin), Some(host)) if origin.eq_ignore_ascii_case(host))
}

/// 303 to the dashboard the form was on: the same range (when it is one), the notice, and the
/// answer's place on the page.
fn back_to_dashboard(from: &str, to: &str, notice: Notice, survey_id: &SurveyId) -> Response {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (name, value) in [("from", from), ("to", to)] {
        if NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").is_ok() {
            query.append_pair(name, value.trim());
        }
    }
    query.append_pair("notice", notice.as_str());
    let location = format!("dashboard?{}#s-{survey_id}", query.finish());
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.insert(*name, HeaderValue::from_static(value));
        }
        headers
    }

    #[test]
    fn only_the_dashboards_own_origin_may_post() {
        assert!(same_origin(&headers(&[("sec-fetch-site", "same-origin")])));
        assert!(!same_origin(&headers(&[
            ("sec-fetch-site", "same-site"),
            ("origin", "https://a.example"),
            ("host", "a.example")
        ])));
        assert!(!same_origin(&headers(&[("sec-fetch-site", "cross-site")])));
        assert!(same_origin(&headers(&[
            ("origin", "https://a.example"),
            ("host", "a.example")
        ])));
        assert!(same_origin(&headers(&[
            ("origin", "http://127.0.0.1:9000"),
            ("host", "127.0.0.1:9000")
        ])));
        assert!(!same_origin(&headers(&[
            ("origin", "https://evil.example"),
            ("host", "a.example")
        ])));
        assert!(!same_origin(&headers(&[
            ("origin", "null"),
            ("host", "a.example")
        ])));
        assert!(!same_origin(&headers(&[("host", "a.example")])));
    }

    #[test]
    fn the_redirect_keeps_the_range_and_drops_anything_else() {
        let id = SurveyId::parse("srv_0123456789abcdef0123456789abcdef").expect("id");
        let response = back_to_dashboard("2026-11-01", "x&notice=evil", Notice::Saved, &id);
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            response.headers()[header::LOCATION],
            "dashboard?from=2026-11-01&notice=saved#s-srv_0123456789abcdef0123456789abcdef"
        );
    }
}
