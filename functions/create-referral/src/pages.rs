//! The share link's pages for the friend's first-order offer, in German and English: the offer
//! with its one-field form, the friend's code, and refusals. No scripts, no external resources;
//! the stylesheet and security headers of every customer page.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::model::{ClaimRefusal, FriendOffer, Locale, OfferClaim, ReferralCode};
use domain::services::reward_mail::{day, money};
use web::ApiError;

use crate::AppState;

#[derive(Template)]
#[template(path = "claim.html")]
struct ClaimPage<'a> {
    lang: &'static str,
    style: &'static str,
    shop: &'a str,
    title: &'a str,
    text: &'a str,
    error: Option<&'a str>,
    email_label: &'a str,
    send: &'a str,
    privacy: &'a str,
    without_code: &'a str,
    without_code_label: &'a str,
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
    let days = offer.valid_days;
    let above = offer.min_order_cents > 0;
    match locale {
        Locale::De => (
            format!("{amount} Rabatt auf Ihre erste Bestellung"),
            match above {
                true => format!("Ein Freund empfiehlt Ihnen {shop}. Mit Ihrem persönlichen Code sparen Sie {amount} bei Ihrer ersten Bestellung ab {minimum}. Der Code gilt {days} Tage."),
                false => format!("Ein Freund empfiehlt Ihnen {shop}. Mit Ihrem persönlichen Code sparen Sie {amount} bei Ihrer ersten Bestellung. Der Code gilt {days} Tage."),
            },
        ),
        Locale::En => (
            format!("{amount} off your first order"),
            match above {
                true => format!("A friend recommends {shop} to you. Your personal code takes {amount} off your first order of {minimum} or more. It is valid for {days} days."),
                false => format!("A friend recommends {shop} to you. Your personal code takes {amount} off your first order. It is valid for {days} days."),
            },
        ),
    }
}

/// The offer with its form; with `refusal` (an address that is no address) at 422.
pub(crate) fn claim_form(
    state: &AppState,
    locale: Locale,
    code: &ReferralCode,
    refusal: Option<ClaimRefusal>,
) -> Response {
    let shop = &state.shop.name;
    let offer = state.offers.terms();
    let (title, text) = offer_text(locale, shop, offer);
    let error = refusal.map(|r| refusal_text(locale, r).1);
    let (email_label, send, privacy, without_code_label) = match locale {
        Locale::De => (
            "Ihre E-Mail-Adresse",
            "Code anfordern",
            "Wir senden Ihnen den Code an diese Adresse und nutzen sie für nichts anderes. Damit jede Person das Angebot einmal erhält, speichern wir nur einen verschlüsselten Fingerabdruck der Adresse.",
            "Ohne Code weiter zum Shop",
        ),
        Locale::En => (
            "Your email address",
            "Get my code",
            "We send the code to this address and use it for nothing else. To give each person the offer once, we keep only a keyed fingerprint of the address.",
            "Continue to the shop without a code",
        ),
    };
    let status = match refusal {
        None => StatusCode::OK,
        Some(_) => StatusCode::UNPROCESSABLE_ENTITY,
    };
    page(
        status,
        &ClaimPage {
            lang: locale.as_str(),
            style: web::PAGE_STYLE,
            shop,
            title: &title,
            text: &text,
            error,
            email_label,
            send,
            privacy,
            without_code: &state.landing.for_code(code),
            without_code_label,
        },
    )
}

/// The friend's code, when it ends, and the button that applies it in the shop.
pub(crate) fn claimed(state: &AppState, locale: Locale, claim: &OfferClaim) -> Response {
    let amount = money(claim.amount_cents, &claim.currency, locale);
    let minimum = money(claim.min_order_cents, &claim.currency, locale);
    let until = day(claim.expires_at, locale);
    let above = claim.min_order_cents > 0;
    let (title, text, validity, to_shop, mailed) = match locale {
        Locale::De => (
            format!("Ihr Code über {amount}"),
            "Geben Sie ihn an der Kasse ein, oder gehen Sie mit dem Knopf direkt zum Shop: Der Code ist dann schon eingelöst.".to_owned(),
            match above {
                true => format!("Gültig bis {until} für Ihre erste Bestellung ab {minimum}."),
                false => format!("Gültig bis {until} für Ihre erste Bestellung."),
            },
            "Jetzt einkaufen",
            "Wir haben Ihnen den Code auch per E-Mail geschickt.",
        ),
        Locale::En => (
            format!("Your {amount} code"),
            "Enter it at checkout, or use the button to go to the shop with the code already applied.".to_owned(),
            match above {
                true => format!("Valid until {until} for your first order of {minimum} or more."),
                false => format!("Valid until {until} for your first order."),
            },
            "Shop now",
            "We have also sent you the code by email.",
        ),
    };
    page(
        StatusCode::OK,
        &ClaimedPage {
            lang: locale.as_str(),
            style: web::PAGE_STYLE,
            shop: &state.shop.name,
            title: &title,
            text: &text,
            coupon: claim.coupon.as_ref(),
            validity: &validity,
            apply_url: &state.offers.apply_url(claim),
            to_shop,
            mailed,
        },
    )
}

/// Why there is no code, at 422, with the way on to the shop.
pub(crate) fn refused(state: &AppState, locale: Locale, refusal: ClaimRefusal) -> Response {
    let (title, text) = refusal_text(locale, refusal);
    message(state, locale, StatusCode::UNPROCESSABLE_ENTITY, title, text)
}

/// A referrer's page link that opens nothing: a mistyped link, or a customer whose data was
/// erased.
pub(crate) fn no_page(state: &AppState, locale: Locale) -> Response {
    let (title, text) = match locale {
        Locale::De => (
            "Seite nicht gefunden",
            "Dieser Link ist ungültig oder nicht mehr gültig. Bitte verwenden Sie den vollständigen Link aus Ihrer E-Mail.",
        ),
        Locale::En => (
            "Page not found",
            "This link is not valid, or no longer valid. Please use the complete link from your email.",
        ),
    };
    message(state, locale, StatusCode::NOT_FOUND, title, text)
}

/// Something on our side failed: nothing was claimed, the visitor may try again.
pub(crate) fn failed(state: &AppState, locale: Locale, status: StatusCode) -> Response {
    let (title, text) = match locale {
        Locale::De => (
            "Das hat leider nicht geklappt",
            "Bitte versuchen Sie es in ein paar Minuten noch einmal.",
        ),
        Locale::En => ("Something went wrong", "Please try again in a few minutes."),
    };
    message(state, locale, status, title, text)
}

fn message(
    state: &AppState,
    locale: Locale,
    status: StatusCode,
    title: &str,
    text: &str,
) -> Response {
    let link_label = match locale {
        Locale::De => "Weiter zum Shop",
        Locale::En => "Continue to the shop",
    };
    page(
        status,
        &MessagePage {
            lang: locale.as_str(),
            style: web::PAGE_STYLE,
            shop: &state.shop.name,
            title,
            text,
            link: state.shop_url.as_str(),
            link_label,
        },
    )
}

/// A refusal's heading and explanation.
fn refusal_text(locale: Locale, refusal: ClaimRefusal) -> (&'static str, &'static str) {
    match (locale, refusal) {
        (Locale::De, ClaimRefusal::InvalidEmail) => ("Ungültige Adresse", "Bitte geben Sie eine gültige E-Mail-Adresse ein."),
        (Locale::De, ClaimRefusal::SelfReferral) => ("Das ist Ihr eigener Link", "Teilen Sie ihn mit Freunden: Der Rabatt ist für sie, und Sie erhalten einen Gutschein, wenn sie bestellen."),
        (Locale::De, ClaimRefusal::DisposableEmail) => ("Bitte Ihre eigene Adresse", "Wegwerf-Adressen nehmen wir für dieses Angebot nicht an. Mit Ihrer gewohnten E-Mail-Adresse klappt es."),
        (Locale::De, ClaimRefusal::ExistingCustomer) => ("Sie haben schon bei uns bestellt", "Dieses Angebot gilt für die erste Bestellung. Schön, dass Sie wieder da sind!"),
        (Locale::De, ClaimRefusal::AlreadyReferred) => ("Sie wurden schon empfohlen", "Das Angebot für Empfohlene gibt es einmal pro Person, und Sie haben es bereits erhalten."),
        (Locale::En, ClaimRefusal::InvalidEmail) => ("Invalid address", "Please enter a valid email address."),
        (Locale::En, ClaimRefusal::SelfReferral) => ("This is your own link", "Share it with friends: the discount is for them, and you get a coupon when they order."),
        (Locale::En, ClaimRefusal::DisposableEmail) => ("Please use your own address", "This offer does not take throwaway addresses. Your usual email address will do."),
        (Locale::En, ClaimRefusal::ExistingCustomer) => ("You have ordered with us before", "This offer is for a first order. Good to see you again!"),
        (Locale::En, ClaimRefusal::AlreadyReferred) => ("You were referred before", "The offer for referred friends is once per person, and you have had it already."),
    }
}
