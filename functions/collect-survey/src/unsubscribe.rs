//! Unsubscribing: `/u/{token}` from a survey mail, `/u/c/{customer_id}/{key}` from a win-back
//! mail; each asks first (GET) and acts on the button or RFC 8058 one-click (POST).

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use domain::model::{CustomerId, SurveyToken, UnsubscribeKey};
use web::PathText;

use crate::{pages, AppState};

use crate::survey_pages::survey_error_page;

/// `GET /u/{token}`: asks for confirmation; changes nothing.
#[utoipa::path(
    get,
    path = "/u/{token}",
    tag = "survey pages",
    params(("token" = String, Path, description = "The survey's link token")),
    responses(
        (status = 200, description = "The confirmation page with one button", content_type = "text/html", body = String),
        (status = 404, description = "No such survey", content_type = "text/html", body = String),
        (status = 500, description = "A failure of ours", content_type = "text/html", body = String),
    )
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn unsubscribe_page(
    State(state): State<Arc<AppState>>,
    token: PathText,
    headers: HeaderMap,
) -> Response {
    let fallback = pages::choose_locale(None, &headers, state.default_locale);
    let Some(token) = token.parsed(SurveyToken::parse) else {
        return pages::not_found(fallback);
    };
    match state.surveys.find(&token).await {
        Ok(survey) => pages::unsubscribe_confirm(
            pages::choose_locale(survey.locale, &headers, state.default_locale),
            &state.shop.name,
        ),
        Err(error) => survey_error_page(error, fallback, &headers, state.default_locale),
    }
}

/// `POST /u/{token}`: the confirmation button and RFC 8058 one-click (`List-Unsubscribe=One-Click`).
#[utoipa::path(
    post,
    path = "/u/{token}",
    tag = "survey pages",
    params(("token" = String, Path, description = "The survey's link token")),
    responses(
        (status = 200, description = "\"You are unsubscribed\"", content_type = "text/html", body = String),
        (status = 404, description = "No such survey", content_type = "text/html", body = String),
        (status = 500, description = "A failure of ours", content_type = "text/html", body = String),
    )
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn unsubscribe(
    State(state): State<Arc<AppState>>,
    token: PathText,
    headers: HeaderMap,
) -> Response {
    let fallback = pages::choose_locale(None, &headers, state.default_locale);
    let Some(token) = token.parsed(SurveyToken::parse) else {
        return pages::not_found(fallback);
    };
    match state.surveys.unsubscribe(&token).await {
        Ok(survey) => pages::unsubscribed(
            pages::choose_locale(survey.locale, &headers, state.default_locale),
            &state.shop.name,
        ),
        Err(error) => survey_error_page(error, fallback, &headers, state.default_locale),
    }
}

/// A customer's own unsubscribe link's parameters, parsed; `None` for anything that is not one.
fn customer_link(
    PathText(path): PathText<(String, String)>,
) -> Option<(CustomerId, UnsubscribeKey)> {
    let (customer, key) = path?;
    Some((
        CustomerId::parse(&customer).ok()?,
        UnsubscribeKey::parse(&key).ok()?,
    ))
}

/// `GET /u/c/{customer_id}/{key}`: the win-back mail's unsubscribe link; asks for confirmation,
/// changes nothing.
#[utoipa::path(
    get,
    path = "/u/c/{customer_id}/{key}",
    tag = "survey pages",
    params(
        ("customer_id" = String, Path, description = "The shop's id for the customer"),
        ("key" = String, Path, description = "The link's key, as the mail carries it"),
    ),
    responses(
        (status = 200, description = "The confirmation page with one button", content_type = "text/html", body = String),
        (status = 404, description = "Not a customer's unsubscribe link", content_type = "text/html", body = String),
    )
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn unsubscribe_customer_page(
    State(state): State<Arc<AppState>>,
    path: PathText<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let locale = pages::choose_locale(None, &headers, state.default_locale);
    match customer_link(path) {
        Some((customer, key)) if state.surveys.opens_unsubscribe(&customer, &key) => {
            pages::unsubscribe_confirm(locale, &state.shop.name)
        }
        _ => pages::not_found(locale),
    }
}

/// `POST /u/c/{customer_id}/{key}`: the confirmation button and RFC 8058 one-click: opts the
/// address of the customer's profile out of surveys and win-back mails.
#[utoipa::path(
    post,
    path = "/u/c/{customer_id}/{key}",
    tag = "survey pages",
    params(
        ("customer_id" = String, Path, description = "The shop's id for the customer"),
        ("key" = String, Path, description = "The link's key, as the mail carries it"),
    ),
    responses(
        (status = 200, description = "\"You are unsubscribed\"", content_type = "text/html", body = String),
        (status = 404, description = "Not a customer's unsubscribe link, or a customer without a profile", content_type = "text/html", body = String),
        (status = 500, description = "A failure of ours", content_type = "text/html", body = String),
    )
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn unsubscribe_customer(
    State(state): State<Arc<AppState>>,
    path: PathText<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let fallback = pages::choose_locale(None, &headers, state.default_locale);
    let Some((customer, key)) = customer_link(path) else {
        return pages::not_found(fallback);
    };
    match state.surveys.unsubscribe_customer(&customer, &key).await {
        Ok(opt_out) => pages::unsubscribed(
            pages::choose_locale(opt_out.locale, &headers, state.default_locale),
            &state.shop.name,
        ),
        Err(error) => survey_error_page(error, fallback, &headers, state.default_locale),
    }
}
