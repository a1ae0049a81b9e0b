//! Claims of the friend's first-order offer: the form on the share link's page, and the same
//! claim for a storefront's own pages.

use std::sync::Arc;

use axum::extract::rejection::FormRejection;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::{Form, Json};
use domain::model::{
    rfc3339, ClaimRefusal, Creation, CustomerId, Email, Locale, OfferClaim, ReferralCode,
};
use domain::services::{ClaimError, Claimer};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use web::{choose_locale, ApiError, JsonFields, PathText};

use crate::handlers::redirect;
use crate::pages;
use crate::AppState;

/// The claim form's one field, as the page's form posts it.
#[derive(Deserialize, ToSchema)]
pub(crate) struct ClaimForm {
    /// The friend's address; anything that is not one is answered with the `invalid_email` page.
    #[schema(example = "friend@example.com")]
    email: String,
}

/// `POST /r/{code}` (form field `email`): the friend claims the offer on the share link's page
/// and sees their code, or why there is none.
#[utoipa::path(
    post,
    path = "/r/{code}",
    tag = "share links",
    params(("code" = String, Path, description = "The referral code whose page the form is on")),
    request_body(content = ClaimForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "The friend's code page: the code, its validity and a button to the shop with it applied; the code is mailed too", content_type = "text/html"),
        (status = 422, description = "A refusal page in the visitor's language: `invalid_email`, `self_referral`, `disposable_email`, `existing_customer`, `already_referred`; nothing was created", content_type = "text/html"),
        (status = 302, description = "To `SHOP_URL`: an unknown code, or the offer is off (`FRIEND_REWARD=next_order`)",
            headers(("location" = String, description = "The shop"))),
    )
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn claim_on_page(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    code: PathText,
    form: Result<Form<ClaimForm>, FormRejection>,
) -> Response {
    let code = code.parsed(ReferralCode::parse);
    let Some(code) = code.filter(|_| state.friend_reward.offers_claim()) else {
        return redirect(state.shop_url.as_str());
    };
    let locale = choose_locale(None, &headers, state.shop.default_locale);
    let email = form
        .ok()
        .and_then(|Form(form)| Email::parse(&form.email).ok());
    let Some(email) = email else {
        return pages::claim_form(&state, locale, &code, Some(ClaimRefusal::InvalidEmail));
    };
    let claimer = Claimer {
        email,
        customer_id: None,
        locale,
    };
    match state.offers.claim(&code, &claimer).await {
        Ok((claim, _)) => pages::claimed(&state, locale, &claim),
        Err(ClaimError::Refused(refusal)) => pages::refused(&state, locale, refusal),
        Err(ClaimError::UnknownCode) => redirect(state.shop_url.as_str()),
        Err(error) => {
            tracing::error!(error = %error, "a claim on the share link's page failed");
            pages::failed(&state, locale, ApiError::from(error).status())
        }
    }
}

/// The friend's code as a storefront shows it.
#[derive(Serialize, ToSchema)]
pub(crate) struct ClaimBody {
    /// The friend's discount code.
    coupon: String,
    amount_cents: u64,
    currency: String,
    /// The smallest order subtotal it applies to.
    min_order_cents: u64,
    /// When the offer ends (RFC 3339).
    expires_at: String,
    /// The shop with the code applied: Shopify `/discount/<code>?redirect=/`, WooCommerce
    /// `/?coupon=<code>`, else `/?ref=<referral code>&coupon=<code>`.
    apply_url: String,
}

/// `POST /referrals/{code}/claims`'s body.
#[derive(ToSchema)]
#[allow(
    dead_code,
    reason = "describes the body for the API document; JsonFields reads it"
)]
pub(crate) struct ClaimRequest {
    /// The friend's address: the code is mailed there, and its keyed fingerprint makes the
    /// claim one per person.
    #[schema(format = Email, example = "friend@example.com")]
    email: String,
    /// The shop's id for the friend, when they have an account.
    #[schema(schema_with = web::field_schemas::customer_id)]
    customer_id: Option<String>,
    /// The mail's language; default `DEFAULT_LOCALE`.
    #[schema(schema_with = web::field_schemas::locale)]
    locale: Option<String>,
}

/// `POST /referrals/{code}/claims`: the friend's first-order offer for a shop's own storefront.
/// One claim per person: a repeat (on this code or another) answers the first claim's code.
#[utoipa::path(
    post,
    path = "/referrals/{code}/claims",
    tag = "referrals",
    params(("code" = String, Path, description = "The referral code the friend came with")),
    request_body = ClaimRequest,
    responses(
        (status = 201, description = "A new claim: the friend's code, also mailed to them", body = ClaimBody),
        (status = 200, description = "The person's earlier claim (on this code or, first come, another's): nothing new", body = ClaimBody),
        (status = 400, description = "`invalid_json`, or `invalid_field` `customer_id` or `locale`", body = web::ErrorEnvelope),
        (status = 404, description = "`not_found`: no such referral code, or the offer is off (`FRIEND_REWARD=next_order`)", body = web::ErrorEnvelope),
        (status = 422, description = "`invalid_email`, `self_referral`, `disposable_email`, `existing_customer` or `already_referred`: nothing was created", body = web::ErrorEnvelope),
    ),
    security(("storefront_key" = []))
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn claim_offer(
    State(state): State<Arc<AppState>>,
    code: PathText,
    body: JsonFields,
) -> Result<(StatusCode, Json<ClaimBody>), ApiError> {
    if !state.friend_reward.offers_claim() {
        return Err(ApiError::NotFound(
            "the friend's first-order offer is off (FRIEND_REWARD=next_order)".into(),
        ));
    }
    let code = code.found(ReferralCode::parse, "no such referral code")?;
    let email = body
        .optional("email", Email::parse)
        .ok()
        .flatten()
        .ok_or(ClaimError::Refused(ClaimRefusal::InvalidEmail))?;
    let claimer = Claimer {
        email,
        customer_id: body.optional("customer_id", CustomerId::parse)?,
        locale: body
            .optional("locale", Locale::parse)?
            .unwrap_or(state.shop.default_locale),
    };
    let (claim, creation) = state.offers.claim(&code, &claimer).await?;
    let status = match creation {
        Creation::Created => StatusCode::CREATED,
        Creation::Existing => StatusCode::OK,
    };
    Ok((status, Json(claim_body(&state, &claim))))
}

fn claim_body(state: &AppState, claim: &OfferClaim) -> ClaimBody {
    ClaimBody {
        coupon: claim.coupon.to_string(),
        amount_cents: claim.amount_cents,
        currency: claim.currency.to_string(),
        min_order_cents: claim.min_order_cents,
        expires_at: rfc3339(claim.expires_at),
        apply_url: state.offers.apply_url(claim),
    }
}
