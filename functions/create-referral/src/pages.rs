//! The share link's pages for the friend's first-order offer, in the shop's languages (the
//! words are in `shared/domain/locales/*/referral.ftl`): the offer with its one-field form, the
//! friend's code, and refusals. No scripts, no external resources; the stylesheet and security
//! headers of every customer page.

use std::borrow::Cow;

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::model::{ClaimRefusal, FriendOffer, Locale, OfferClaim, ReferralCode};
use domain::services::reward_mail::{day, money};
use domain::texts::{text, text_with, Arg};
use web::ApiError;

use crate::AppState;

#[derive(Template)]
#[template(path = "claim.html")]
struct ClaimPage<'a> {
    lang: &'static str,
    style: &'static str,
    shop: &'a str,
    title: String,
    text: String,
    error: Option<Cow<'static, str>>,
    email_label: Cow<'static, str>,
    send: Cow<'static, str>,
    privacy: Cow<'static, str>,
    without_code: &'a str,
    without_code_label: Cow<'static, str>,
}

#[derive(Template)]
#[template(path = "claimed.html")]
struct ClaimedPage<'a> {
    lang: &'static str,
    style: &'static str,
    shop: &'a str,
    title: &'a str,
    text: &'a str,
    coupon: &'a str,
    validity: &'a str,
    apply_url: &'a str,
    to_shop: &'a str,
    mailed: &'a str,
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage<'a> {
    lang: &'static str,
    style: &'static str,
    shop: &'a str,
    title: &'a str,
    text: &'a str,
    link: &'a str,
    link_label: &'a str,
}

fn page(status: StatusCode, template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => web::customer_page(status, html),
        Err(error) => ApiError::internal(error).into_response(),
    }
}

/// The offer, in words: what it is worth, from which order total, for how long.
fn offer_text(locale: Locale, shop: &str, offer: &FriendOffer) -> (String, String) {
    let amount = money(offer.amount_cents, &offer.currency, locale);
    let minimum = money(offer.min_order_cents, &offer.currency, locale);
    let args = [
        ("shop", Arg::from(shop)),
        ("amount", Arg::from(&amount)),
        ("minimum", Arg::from(&minimum)),
        ("days", Arg::from(offer.valid_days)),
    ];
    let title = text_with(locale, "offer-title", &args);
    let body = match offer.min_order_cents > 0 {
        true => text_with(locale, "offer-text-minimum", &args),
        false => text_with(locale, "offer-text", &args),
    };
    (title, body)
}

/// The offer page in `locale`, with `refusal` (an address that is no address) shown as its
/// error.
fn claim_page<'a>(
    locale: Locale,
    shop: &'a str,
    offer: &FriendOffer,
    refusal: Option<ClaimRefusal>,
    without_code: &'a str,
) -> ClaimPage<'a> {
    let (title, body) = offer_text(locale, shop, offer);
    ClaimPage {
        lang: locale.as_str(),
        style: web::PAGE_STYLE,
        shop,
        title,
        text: body,
        error: refusal.map(|r| refusal_text(locale, r).1),
        email_label: text(locale, "offer-email-label"),
        send: text(locale, "offer-send"),
        privacy: text(locale, "offer-privacy"),
        without_code,
        without_code_label: text(locale, "offer-without-code"),
    }
}

/// The offer with its form; with `refusal` (an address that is no address) at 422.
pub(crate) fn claim_form(
    state: &AppState,
    locale: Locale,
    code: &ReferralCode,
    refusal: Option<ClaimRefusal>,
) -> Response {
    let status = match refusal {
        None => StatusCode::OK,
        Some(_) => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let without_code = state.landing.for_code(code);
    let offer = state.offers.terms();
    page(
        status,
        &claim_page(locale, &state.shop.name, offer, refusal, &without_code),
    )
}

/// The friend's code, when it ends, and the button that applies it in the shop.
pub(crate) fn claimed(state: &AppState, locale: Locale, claim: &OfferClaim) -> Response {
    let amount = money(claim.amount_cents, &claim.currency, locale);
    let minimum = money(claim.min_order_cents, &claim.currency, locale);
    let until = day(claim.expires_at, locale);
    let args = [
        ("amount", Arg::from(&amount)),
        ("until", Arg::from(&until)),
        ("minimum", Arg::from(&minimum)),
    ];
    let validity = match claim.min_order_cents > 0 {
        true => text_with(locale, "claim-validity-minimum", &args),
        false => text_with(locale, "claim-validity", &args),
    };
    page(
        StatusCode::OK,
        &ClaimedPage {
            lang: locale.as_str(),
            style: web::PAGE_STYLE,
            shop: &state.shop.name,
            title: &text_with(locale, "claim-title", &args),
            text: &text(locale, "claim-text"),
            coupon: claim.coupon.as_ref(),
            validity: &validity,
            apply_url: &state.offers.apply_url(claim),
            to_shop: &text(locale, "claim-to-shop"),
            mailed: &text(locale, "claim-mailed"),
        },
    )
}

/// Why there is no code, at 422, with the way on to the shop.
pub(crate) fn refused(state: &AppState, locale: Locale, refusal: ClaimRefusal) -> Response {
    let (title, body) = refusal_text(locale, refusal);
    message(
        state,
        locale,
        StatusCode::UNPROCESSABLE_ENTITY,
        &title,
        &body,
    )
}

/// A referrer's page link that opens nothing: a mistyped link, or a customer whose data was
/// erased.
pub(crate) fn no_page(state: &AppState, locale: Locale) -> Response {
    let title = text(locale, "referrer-not-found-title");
    let body = text(locale, "referrer-not-found-text");
    message(state, locale, StatusCode::NOT_FOUND, &title, &body)
}

/// Something on our side failed: nothing was claimed, the visitor may try again.
pub(crate) fn failed(state: &AppState, locale: Locale, status: StatusCode) -> Response {
    let title = text(locale, "claim-failed-title");
    let body = text(locale, "claim-failed-text");
    message(state, locale, status, &title, &body)
}

fn message(
    state: &AppState,
    locale: Locale,
    status: StatusCode,
    title: &str,
    body: &str,
) -> Response {
    page(
        status,
        &MessagePage {
            lang: locale.as_str(),
            style: web::PAGE_STYLE,
            shop: &state.shop.name,
            title,
            text: body,
            link: state.shop_url.as_str(),
            link_label: &text(locale, "claim-continue"),
        },
    )
}

/// A refusal's heading and explanation.
fn refusal_text(locale: Locale, refusal: ClaimRefusal) -> (Cow<'static, str>, Cow<'static, str>) {
    match refusal {
        ClaimRefusal::InvalidEmail => (
            text(locale, "claim-invalid-email-title"),
            text(locale, "claim-invalid-email-text"),
        ),
        ClaimRefusal::SelfReferral => (
            text(locale, "claim-self-referral-title"),
            text(locale, "claim-self-referral-text"),
        ),
        ClaimRefusal::DisposableEmail => (
            text(locale, "claim-disposable-email-title"),
            text(locale, "claim-disposable-email-text"),
        ),
        ClaimRefusal::ExistingCustomer => (
            text(locale, "claim-existing-customer-title"),
            text(locale, "claim-existing-customer-text"),
        ),
        ClaimRefusal::AlreadyReferred => (
            text(locale, "claim-already-referred-title"),
            text(locale, "claim-already-referred-text"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use domain::model::Currency;

    use super::*;

    fn offer(min_order_cents: u64, valid_days: u32) -> FriendOffer {
        FriendOffer {
            amount_cents: 1000,
            currency: Currency::parse("EUR").expect("currency"),
            min_order_cents,
            valid_days,
        }
    }

    #[test]
    fn every_language_renders_the_offer_page_with_its_words() {
        for locale in Locale::ALL {
            for refusal in [None, Some(ClaimRefusal::InvalidEmail)] {
                let page = claim_page(locale, "Kiosk", &offer(2000, 30), refusal, "https://x/");
                let html = page.render().expect("renders");
                assert!(
                    html.contains(&format!(r#"<html lang="{locale}">"#)),
                    "{html}"
                );
                assert!(html.contains("Kiosk") && html.contains("30"), "{html}");
                assert!(
                    !html.contains("offer-") && !html.contains("claim-"),
                    "{html}"
                );
            }
        }
    }

    #[test]
    fn the_french_offer_page_is_in_french() {
        let page = claim_page(Locale::Fr, "Kiosque", &offer(0, 1), None, "https://x/");
        assert!(page
            .title
            .contains("de réduction sur votre première commande"));
        assert!(
            page.text.contains("Un ami vous recommande Kiosque"),
            "{}",
            page.text
        );
        assert!(
            page.text.ends_with("valable 1 jour."),
            "one day, singular: {}",
            page.text
        );
        assert!(!page.text.contains(" dès "), "no minimum: {}", page.text);
        assert_eq!(page.email_label, "Votre adresse e-mail");
        let html = page.render().expect("renders");
        assert!(html.contains("Recevoir mon code"), "{html}");
    }

    #[test]
    fn the_minimum_order_is_named_only_when_there_is_one() {
        let (_, with) = offer_text(Locale::En, "Kiosk", &offer(2000, 30));
        assert!(
            with.contains("of €20.00 or more") && with.ends_with("30 days."),
            "{with}"
        );
        let (_, without) = offer_text(Locale::De, "Kiosk", &offer(0, 30));
        assert!(
            !without.contains(" ab ") && without.ends_with("30 Tage."),
            "{without}"
        );
    }
}
