use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::model::{
    rfc3339, Creation, CustomerId, CustomerName, Email, Locale, ReferralCode, ReferralRequest,
};
use domain::ports::Click;
use serde::Serialize;
use utoipa::ToSchema;
use web::{choose_locale, ApiError, JsonFields, LinkVisit, PathText};

use crate::share_links::ShareLinks;
use crate::AppState;

#[derive(Serialize, ToSchema)]
pub(crate) struct ReferralBody {
    customer_id: String,
    code: String,
    link: String,
    /// The customer's own referral page (copy and share buttons, friends' progress, rewards): a capability link for them alone, dead once their data is erased.
    page_url: String,
    created_at: String,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct StatsBody {
    customer_id: String,
    code: String,
    link: String,
    /// The customer's own referral page, as in `POST /referrals`.
    page_url: String,
    clicks: u64,
    conversions: u64,
}

/// `POST /referrals`: 201 with a new code on the first call for a customer, 200 with it after.
#[utoipa::path(
    post,
    path = "/referrals",
    tag = "referrals",
    request_body = web::openapi::CustomerFields,
    responses(
        (status = 201, description = "A new code: the customer's first call", body = ReferralBody),
        (status = 200, description = "The customer's existing code; later calls change nothing", body = ReferralBody),
        (status = 400, description = "`invalid_json`, `invalid_field` (with `field`), or `bad_request` when no valid `Host` lets the link be built", body = web::ErrorEnvelope),
    ),
    security(("storefront_key" = []))
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn create_referral(
    State(state): State<Arc<AppState>>,
    links: ShareLinks,
    body: JsonFields,
) -> Result<(StatusCode, Json<ReferralBody>), ApiError> {
    let request = ReferralRequest {
        customer_id: body.required("customer_id", CustomerId::parse)?,
        email: body.required("email", Email::parse)?,
        name: body.optional("name", CustomerName::parse)?,
        locale: body.optional("locale", Locale::parse)?,
    };
    let link = |code: &ReferralCode| links.to(code);
    let (issued, creation) = state.referrals.get_or_create(request, &link).await?;
    let status = match creation {
        Creation::Created => StatusCode::CREATED,
        Creation::Existing => StatusCode::OK,
    };
    Ok((
        status,
        Json(ReferralBody {
            link: links.to(&issued.code),
            page_url: links.page(&issued.code, &state.referrals.page_key(&issued)),
            customer_id: issued.customer_id.to_string(),
            code: issued.code.to_string(),
            created_at: rfc3339(issued.created_at),
        }),
    ))
}

/// `GET /referrals/{customer_id}`: the code, its link and counters.
#[utoipa::path(
    get,
    path = "/referrals/{customer_id}",
    tag = "referrals",
    params(("customer_id" = String, Path, description = "The shop's id for the customer")),
    responses(
        (status = 200, description = "The customer's code, link and counters", body = StatsBody),
        (status = 400, description = "`invalid_field` `customer_id`, or `bad_request` when no valid `Host` lets the link be built", body = web::ErrorEnvelope),
        (status = 404, description = "`not_found`: the customer has no code", body = web::ErrorEnvelope),
    ),
    security(("storefront_key" = []))
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn referral_stats(
    State(state): State<Arc<AppState>>,
    links: ShareLinks,
    customer_id: PathText,
) -> Result<Json<StatsBody>, ApiError> {
    let customer_id = customer_id.field("customer_id", CustomerId::parse)?;
    let stats = state
        .referrals
        .stats(&customer_id)
        .await?
        .ok_or_else(|| ApiError::NotFound("this customer has no referral code".into()))?;
    Ok(Json(StatsBody {
        customer_id: stats.issued.customer_id.to_string(),
        link: links.to(&stats.issued.code),
        page_url: links.page(&stats.issued.code, &state.referrals.page_key(&stats.issued)),
        code: stats.issued.code.to_string(),
        clicks: stats.clicks,
        conversions: stats.conversions,
    }))
}

/// `GET /r/{code}`: a customer followed a shared link. With the friend's first-order offer
/// (`FRIEND_REWARD` `first_order` or `both`) a known code shows the claim page; otherwise, and
/// for any unknown code, a redirect: the customer reaches the shop whatever happens to our
/// bookkeeping. `HEAD` answers the same and counts nothing; so do link previews, crawlers,
/// scripts and prefetches, and a visitor's further clicks on the code within the hour.
#[utoipa::path(
    get,
    path = "/r/{code}",
    tag = "share links",
    params(("code" = String, Path, description = "A referral code, any case; anything else leads to the shop")),
    responses(
        (status = 200, description = "The claim page of the friend's first-order offer (a known code, `FRIEND_REWARD` `first_order` or `both`), in the visitor's language; a person's first click on the code within the hour counted (not a link preview, crawler, script or prefetch)", content_type = "text/html"),
        (status = 302, description = "To the landing URL with the code for a known code without the offer (the click counted as for 200), else to `SHOP_URL`",
            headers(("location" = String, description = "Where the customer goes"), ("cache-control" = String, description = "`no-store`"))),
    )
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn follow_link(
    State(state): State<Arc<AppState>>,
    method: Method,
    headers: HeaderMap,
    LinkVisit(visit): LinkVisit,
    code: PathText,
) -> Response {
    let code = code.parsed(ReferralCode::parse);
    let Some(code) = code else {
        return redirect(state.shop_url.as_str());
    };
    // HEAD is what link unfurlers and monitors send; only a person's visit counts.
    let known = if method == Method::HEAD {
        state.referrals.is_known(&code).await
    } else {
        state
            .referrals
            .follow(&code, &visit)
            .await
            .map(Click::known_code)
    };
    let known = match known {
        Ok(known) => known,
        Err(error) => {
            // The click is lost, the customer is not: show them the offer or send them on.
            tracing::error!(error = %error, "could not count a referral click");
            true
        }
    };
    if !known {
        return redirect(state.shop_url.as_str());
    }
    if state.friend_reward.offers_claim() {
        let locale = choose_locale(None, &headers, state.shop.default_locale);
        return crate::pages::claim_form(&state, locale, &code, None);
    }
    redirect(&state.landing.for_code(&code))
}

/// `GET /r/`: a truncated link still takes the customer to the shop.
#[utoipa::path(
    get,
    path = "/r/",
    tag = "share links",
    responses(
        (status = 302, description = "To `SHOP_URL`",
            headers(("location" = String, description = "The shop"), ("cache-control" = String, description = "`no-store`"))),
    )
)]
pub(crate) async fn follow_empty_link(State(state): State<Arc<AppState>>) -> Response {
    redirect(state.shop_url.as_str())
}

pub(crate) fn redirect(location: &str) -> Response {
    (
        StatusCode::FOUND,
        [
            (header::LOCATION, location.to_owned()),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
    )
        .into_response()
}
