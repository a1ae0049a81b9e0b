//! The referrer's own page (`GET /me/{code}/{key}`): their share link with copy and share
//! buttons, the program in words, and how their link has done, with no friend's personal data.
//! The one script is inline and allowed by its hash; without it the page still shows everything
//! and the share buttons still work (they are links).

use std::borrow::Cow;
use std::sync::{Arc, LazyLock};

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use domain::model::{
    Coupon, CouponStatus, FriendOffer, FriendReward, Locale, PageKey, ReferralCode,
    ReferrerProgress, RewardState,
};
use domain::services::reward_mail::{day, money};
use domain::texts::{text, text_with, Arg};
use web::{choose_locale, ApiError, PathText};

use crate::share_links::ShareLinks;
use crate::AppState;

/// Copies the link (the clipboard API, else the selection), and offers the system's share sheet
/// where the browser has one. Buttons that need it stay hidden until it runs.
const SCRIPT: &str = "(function(){var link=document.getElementById('link'),copy=document.getElementById('copy'),share=document.getElementById('native');function copied(){copy.textContent=copy.getAttribute('data-done');}function select(){var range=document.createRange(),chosen=window.getSelection();range.selectNodeContents(link);chosen.removeAllRanges();chosen.addRange(range);try{if(document.execCommand('copy')){copied();}}catch(e){}}copy.hidden=false;copy.addEventListener('click',function(){if(navigator.clipboard&&navigator.clipboard.writeText){navigator.clipboard.writeText(link.textContent).then(copied,select);}else{select();}});if(navigator.share){share.hidden=false;share.addEventListener('click',function(){navigator.share({title:document.title,text:share.getAttribute('data-text'),url:link.textContent}).catch(function(){});});}})();";

static POLICY: LazyLock<String> =
    LazyLock::new(|| web::scripted_page_policy(web::PAGE_STYLE, SCRIPT));

#[derive(Template)]
#[template(path = "referrer.html")]
struct ReferrerPage<'a> {
    lang: &'static str,
    style: &'static str,
    script: &'static str,
    shop: &'a str,
    shop_url: &'a str,
    title: &'a str,
    offer: &'a str,
    link_label: Cow<'static, str>,
    link: &'a str,
    copy: Cow<'static, str>,
    copied: Cow<'static, str>,
    share: Cow<'static, str>,
    message: &'a str,
    mail: Cow<'static, str>,
    mail_url: &'a str,
    whatsapp_url: &'a str,
    sms_url: &'a str,
    progress_title: Cow<'static, str>,
    stats: &'a [Stat],
    rewards_title: Cow<'static, str>,
    rewards: &'a [RewardRow],
    no_rewards: Cow<'static, str>,
    privacy: Cow<'static, str>,
}

struct Stat {
    id: &'static str,
    label: Cow<'static, str>,
    value: String,
}

struct RewardRow {
    coupon: String,
    amount: String,
    status: &'static str,
    status_text: Cow<'static, str>,
    validity: String,
}

/// `GET /me/{code}/{key}`: the referrer's page. An unknown code, an erased customer's code or a
/// key that is not the owner's all answer the same 404, so a guess learns nothing.
#[utoipa::path(
    get,
    path = "/me/{code}/{key}",
    tag = "share links",
    params(
        ("code" = String, Path, description = "The referrer's code"),
        ("key" = String, Path, description = "The page's key, as `page_url` gives it"),
    ),
    responses(
        (status = 200, description = "The referrer's page in their language: share link with copy and share buttons, the program's terms, clicks, friends who claimed and ordered, reward coupons with status and validity, rewards left under the cap", content_type = "text/html"),
        (status = 404, description = "No such page: unknown code, erased customer, or a key that does not open it", content_type = "text/html"),
    )
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn referrer_page(
    State(state): State<Arc<AppState>>,
    links: ShareLinks,
    headers: HeaderMap,
    PathText(path): PathText<(String, String)>,
) -> Response {
    let fallback = choose_locale(None, &headers, state.shop.default_locale);
    let Some((code, key)) = path.and_then(|(code, key)| {
        Some((ReferralCode::parse(&code).ok()?, PageKey::parse(&key).ok()?))
    }) else {
        return crate::pages::no_page(&state, fallback);
    };
    let progress = match state.pages.open(&code, &key).await {
        Ok(Some(progress)) => progress,
        Ok(None) => return crate::pages::no_page(&state, fallback),
        Err(error) => {
            tracing::error!(error = %error, "could not read a referrer's page");
            return crate::pages::failed(&state, fallback, StatusCode::SERVICE_UNAVAILABLE);
        }
    };
    let locale = choose_locale(progress.locale, &headers, state.shop.default_locale);
    render(&state, locale, &links.to(&code), &progress)
}

fn render(state: &AppState, locale: Locale, link: &str, progress: &ReferrerProgress) -> Response {
    let shop = state.shop.name.as_str();
    let offer = state.offers.terms();
    let amount = money(offer.amount_cents, &offer.currency, locale);
    let terms = program_text(locale, state, offer, &amount);
    let args = [
        ("shop", Arg::from(shop)),
        ("amount", Arg::from(&amount)),
        ("link", Arg::from(link)),
    ];
    // What the friend is told they get: a discount, or a coupon only after their first order.
    let message = match state.friend_reward {
        FriendReward::NextOrder => text_with(locale, "referrer-message-next-order", &args),
        _ => text_with(locale, "referrer-message", &args),
    };
    let subject = text_with(locale, "referrer-subject", &args);
    let now = state.pages.now();
    let stats = stats(locale, state, progress);
    let rewards: Vec<RewardRow> = progress
        .rewards
        .iter()
        .map(|coupon| reward_row(locale, coupon, now))
        .collect();
    let page = ReferrerPage {
        lang: locale.as_str(),
        style: web::PAGE_STYLE,
        script: SCRIPT,
        shop,
        shop_url: state.shop_url.as_str(),
        title: &text_with(locale, "referrer-title", &args),
        offer: &terms,
        link_label: text(locale, "referrer-link-label"),
        link,
        copy: text(locale, "referrer-copy"),
        copied: text(locale, "referrer-copied"),
        share: text(locale, "referrer-share"),
        message: &message,
        mail: text(locale, "referrer-mail"),
        mail_url: &format!(
            "mailto:?subject={}&body={}",
            encode(&subject),
            encode(&message)
        ),
        whatsapp_url: &format!("https://wa.me/?text={}", encode(&message)),
        sms_url: &format!("sms:?&body={}", encode(&message)),
        progress_title: text(locale, "referrer-progress-title"),
        stats: &stats,
        rewards_title: text(locale, "referrer-rewards-title"),
        rewards: &rewards,
        no_rewards: text(locale, "referrer-no-rewards"),
        privacy: text(locale, "referrer-privacy"),
    };
    match page.render() {
        Ok(html) => web::html_page(StatusCode::OK, html, &POLICY),
        Err(error) => ApiError::internal(error).into_response(),
    }
}

/// Percent-encoding for a URL's query or `mailto:` header value: spaces as `%20`, which every
/// mail and SMS app reads (a `+` would be shown as a plus).
fn encode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

/// The program in one sentence, as the referrer is told it: what friends get (`$reward` picks
/// the catalog's variant) and what the referrer gets for each.
fn program_text(locale: Locale, state: &AppState, offer: &FriendOffer, amount: &str) -> String {
    let minimum = money(offer.min_order_cents, &offer.currency, locale);
    let bonus = money(state.referrer.reward_cents, &offer.currency, locale);
    let args = [
        ("reward", Arg::from(state.friend_reward.as_str())),
        ("amount", Arg::from(amount)),
        ("minimum", Arg::from(&minimum)),
        ("bonus", Arg::from(&bonus)),
    ];
    match offer.min_order_cents > 0 {
        true => text_with(locale, "referrer-program-minimum", &args),
        false => text_with(locale, "referrer-program", &args),
    }
}

fn stats(locale: Locale, state: &AppState, progress: &ReferrerProgress) -> Vec<Stat> {
    let cap = state.referrer.cap;
    let mut stats = vec![Stat {
        id: "clicks",
        label: text(locale, "referrer-clicks"),
        value: progress.clicks.to_string(),
    }];
    if state.friend_reward.offers_claim() {
        stats.push(Stat {
            id: "claims",
            label: text(locale, "referrer-claims"),
            value: progress.claims.to_string(),
        });
    }
    stats.push(Stat {
        id: "conversions",
        label: text(locale, "referrer-conversions"),
        value: progress.conversions.to_string(),
    });
    let remaining = [
        ("remaining", Arg::from(progress.remaining(cap))),
        ("cap", Arg::from(cap)),
    ];
    stats.push(Stat {
        id: "remaining",
        label: text(locale, "referrer-remaining"),
        value: text_with(locale, "referrer-remaining-count", &remaining),
    });
    stats
}

fn reward_row(locale: Locale, coupon: &Coupon, now: DateTime<Utc>) -> RewardRow {
    let reward = &coupon.reward;
    let state = RewardState::of(coupon, now);
    let from = day(reward.available_from, locale);
    let until = reward.valid_until.map(|end| day(end, locale));
    let args = [
        ("from", Arg::from(&from)),
        ("until", Arg::from(until.as_deref().unwrap_or_default())),
    ];
    let (status_text, validity) = match (state, &until) {
        (RewardState::Coupon(CouponStatus::Pending), None) => (
            text(locale, "referrer-status-pending"),
            text_with(locale, "referrer-usable-from", &args),
        ),
        (RewardState::Coupon(CouponStatus::Pending), Some(_)) => (
            text(locale, "referrer-status-pending"),
            text_with(locale, "referrer-usable-from-until", &args),
        ),
        (RewardState::Coupon(CouponStatus::Available), None) => (
            text(locale, "referrer-status-available"),
            text(locale, "referrer-no-end-date").into_owned(),
        ),
        (RewardState::Coupon(CouponStatus::Available), Some(_)) => (
            text(locale, "referrer-status-available"),
            text_with(locale, "referrer-valid-until", &args),
        ),
        (RewardState::Coupon(CouponStatus::Review), _) => (
            text(locale, "referrer-status-review"),
            text(locale, "referrer-usable-once-approved").into_owned(),
        ),
        (RewardState::Coupon(CouponStatus::Redeemed), _) => {
            (text(locale, "referrer-status-redeemed"), String::new())
        }
        (RewardState::Coupon(CouponStatus::Revoked), _) => {
            (text(locale, "referrer-status-revoked"), String::new())
        }
        (RewardState::Expired, None) => (text(locale, "referrer-status-expired"), String::new()),
        (RewardState::Expired, Some(_)) => (
            text(locale, "referrer-status-expired"),
            text_with(locale, "referrer-expired-on", &args),
        ),
    };
    RewardRow {
        coupon: reward.coupon.to_string(),
        amount: money(reward.amount_cents, &reward.currency, locale),
        status: state.as_str(),
        status_text,
        validity,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_allows_exactly_the_pages_script() {
        assert!(POLICY.contains(&format!("script-src {}", web::style_source(SCRIPT))));
        assert!(!POLICY.contains("unsafe-inline"));
    }

    #[test]
    fn share_texts_are_encoded_for_mail_and_sms_apps() {
        assert_eq!(
            encode("10 € & mehr: https://x/r/A?b=1"),
            "10%20%E2%82%AC%20%26%20mehr%3A%20https%3A%2F%2Fx%2Fr%2FA%3Fb%3D1"
        );
    }
}
