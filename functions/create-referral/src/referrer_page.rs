//! The referrer's own page (`GET /me/{code}/{key}`): their share link with copy and share
//! buttons, the program in words, and how their link has done, with no friend's personal data.
//! The one script is inline and allowed by its hash; without it the page still shows everything
//! and the share buttons still work (they are links).

use std::sync::{Arc, LazyLock};

use askama::Template;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use domain::model::{
    Coupon, CouponStatus, FriendOffer, FriendReward, Locale, PageKey, ReferralCode,
    ReferrerProgress, RewardState,
};
use domain::services::reward_mail::{day, money};
use web::{choose_locale, ApiError};

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
    link_label: &'a str,
    link: &'a str,
    copy: &'a str,
    copied: &'a str,
    share: &'a str,
    message: &'a str,
    mail: &'a str,
    mail_url: &'a str,
    whatsapp_url: &'a str,
    sms_url: &'a str,
    progress_title: &'a str,
    stats: &'a [Stat],
    rewards_title: &'a str,
    rewards: &'a [RewardRow],
    no_rewards: &'a str,
    privacy: &'a str,
}

struct Stat {
    id: &'static str,
    label: &'static str,
    value: String,
}

struct RewardRow {
    coupon: String,
    amount: String,
    status: &'static str,
    status_text: &'static str,
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
    path: Result<Path<(String, String)>, PathRejection>,
) -> Response {
    let fallback = choose_locale(None, &headers, state.shop.default_locale);
    let Some((code, key)) = path.ok().and_then(|Path((code, key))| {
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
    let words = Words::new(locale, shop);
    let terms = program_text(
        locale,
        state.friend_reward,
        offer,
        &money(state.referrer.reward_cents, &offer.currency, locale),
    );
    let friend_gets = friend_text(locale, state.friend_reward, offer);
    let message = match locale {
        Locale::De => {
            format!("Ich kaufe gern bei {shop} ein. Mit meinem Link {friend_gets}: {link}")
        }
        Locale::En => format!("I like shopping at {shop}. With my link {friend_gets}: {link}"),
    };
    let subject = match locale {
        Locale::De => format!("Eine Empfehlung: {shop}"),
        Locale::En => format!("A recommendation: {shop}"),
    };
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
        title: &words.title,
        offer: &terms,
        link_label: words.link_label,
        link,
        copy: words.copy,
        copied: words.copied,
        share: words.share,
        message: &message,
        mail: words.mail,
        mail_url: &format!(
            "mailto:?subject={}&body={}",
            encode(&subject),
            encode(&message)
        ),
        whatsapp_url: &format!("https://wa.me/?text={}", encode(&message)),
        sms_url: &format!("sms:?&body={}", encode(&message)),
        progress_title: words.progress_title,
        stats: &stats,
        rewards_title: words.rewards_title,
        rewards: &rewards,
        no_rewards: words.no_rewards,
        privacy: words.privacy,
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

/// The page's fixed words.
struct Words {
    title: String,
    link_label: &'static str,
    copy: &'static str,
    copied: &'static str,
    share: &'static str,
    mail: &'static str,
    progress_title: &'static str,
    rewards_title: &'static str,
    no_rewards: &'static str,
    privacy: &'static str,
}

impl Words {
    fn new(locale: Locale, shop: &str) -> Self {
        match locale {
            Locale::De => Self {
                title: format!("Empfehlen Sie {shop} weiter"),
                link_label: "Ihr persönlicher Link",
                copy: "Link kopieren",
                copied: "Kopiert ✓",
                share: "Teilen …",
                mail: "E-Mail",
                progress_title: "Was Ihr Link bisher bewirkt hat",
                rewards_title: "Ihre Prämien",
                no_rewards: "Noch keine: Sobald ein Freund zum ersten Mal bestellt, erscheint Ihr Gutschein hier und kommt per E-Mail.",
                privacy: "Hier stehen nur Zahlen: Wer Ihrem Link gefolgt ist, zeigen wir niemandem. Diese Seite ist nur für Sie; teilen Sie den Link oben, nicht die Adresse dieser Seite.",
            },
            Locale::En => Self {
                title: format!("Recommend {shop} to your friends"),
                link_label: "Your personal link",
                copy: "Copy link",
                copied: "Copied ✓",
                share: "Share …",
                mail: "Email",
                progress_title: "What your link has done so far",
                rewards_title: "Your rewards",
                no_rewards: "None yet: as soon as a friend places their first order, your coupon appears here and comes by email.",
                privacy: "Only numbers here: we show nobody who followed your link. This page is for you alone; share the link above, not this page's address.",
            },
        }
    }
}

/// What a friend gets, as the friend is told it ("you get 10,00 € off your first order").
fn friend_text(locale: Locale, reward: FriendReward, offer: &FriendOffer) -> String {
    let amount = money(offer.amount_cents, &offer.currency, locale);
    match (locale, reward) {
        (Locale::De, FriendReward::NextOrder) => {
            format!("bekommst du nach deiner ersten Bestellung einen Gutschein über {amount}")
        }
        (Locale::De, _) => format!("bekommst du {amount} Rabatt auf deine erste Bestellung"),
        (Locale::En, FriendReward::NextOrder) => {
            format!("you get a {amount} coupon after your first order")
        }
        (Locale::En, _) => format!("you get {amount} off your first order"),
    }
}

/// The program in one sentence, as the referrer is told it.
fn program_text(
    locale: Locale,
    reward: FriendReward,
    offer: &FriendOffer,
    referrer_amount: &str,
) -> String {
    let amount = money(offer.amount_cents, &offer.currency, locale);
    let minimum = money(offer.min_order_cents, &offer.currency, locale);
    let above = offer.min_order_cents > 0;
    match locale {
        Locale::De => {
            let first = match above {
                true => format!("ihre erste Bestellung ab {minimum}"),
                false => "ihre erste Bestellung".to_owned(),
            };
            let friends = match reward {
                FriendReward::FirstOrder => format!("{amount} Rabatt auf {first}"),
                FriendReward::NextOrder => {
                    format!("nach {first} einen Gutschein über {amount} für die nächste")
                }
                FriendReward::Both => format!(
                    "{amount} Rabatt auf {first} und danach einen Gutschein über {amount} für die nächste"
                ),
            };
            format!("Ihre Freunde erhalten {friends}, und Sie erhalten {referrer_amount} für die erste Bestellung jedes Freundes.")
        }
        Locale::En => {
            let first = match above {
                true => format!("their first order of {minimum} or more"),
                false => "their first order".to_owned(),
            };
            let friends = match reward {
                FriendReward::FirstOrder => format!("{amount} off {first}"),
                FriendReward::NextOrder => {
                    format!("a {amount} coupon for their next order after {first}")
                }
                FriendReward::Both => {
                    format!("{amount} off {first} and a {amount} coupon for the next one")
                }
            };
            format!("Your friends get {friends}, and you get {referrer_amount} for each friend's first order.")
        }
    }
}

fn stats(locale: Locale, state: &AppState, progress: &ReferrerProgress) -> Vec<Stat> {
    let cap = state.referrer.cap;
    let (clicks, claims, ordered, open) = match locale {
        Locale::De => (
            "Klicks auf Ihren Link",
            "Freunde mit Rabattcode",
            "Freunde, die bestellt haben",
            "Prämien noch möglich",
        ),
        Locale::En => (
            "Clicks on your link",
            "Friends who claimed their discount",
            "Friends who ordered",
            "Rewards still to earn",
        ),
    };
    let of = match locale {
        Locale::De => "von",
        Locale::En => "of",
    };
    let mut stats = vec![Stat {
        id: "clicks",
        label: clicks,
        value: progress.clicks.to_string(),
    }];
    if state.friend_reward.offers_claim() {
        stats.push(Stat {
            id: "claims",
            label: claims,
            value: progress.claims.to_string(),
        });
    }
    stats.push(Stat {
        id: "conversions",
        label: ordered,
        value: progress.conversions.to_string(),
    });
    stats.push(Stat {
        id: "remaining",
        label: open,
        value: format!("{} {of} {cap}", progress.remaining(cap)),
    });
    stats
}

fn reward_row(locale: Locale, coupon: &Coupon, now: DateTime<Utc>) -> RewardRow {
    let reward = &coupon.reward;
    let state = RewardState::of(coupon, now);
    let from = day(reward.available_from, locale);
    let until = reward.valid_until.map(|end| day(end, locale));
    let (status_text, validity) = match (locale, state) {
        (Locale::De, RewardState::Coupon(CouponStatus::Pending)) => (
            "noch nicht einlösbar",
            format!(
                "einlösbar ab {from}{}",
                until.map_or(String::new(), |u| format!(", bis {u}"))
            ),
        ),
        (Locale::De, RewardState::Coupon(CouponStatus::Available)) => (
            "einlösbar",
            until.map_or("ohne Ablaufdatum".into(), |u| format!("gültig bis {u}")),
        ),
        (Locale::De, RewardState::Coupon(CouponStatus::Review)) => {
            ("wird geprüft", "einlösbar nach der Freigabe".into())
        }
        (Locale::De, RewardState::Coupon(CouponStatus::Redeemed)) => ("eingelöst", String::new()),
        (Locale::De, RewardState::Coupon(CouponStatus::Revoked)) => {
            ("storniert (Bestellung zurückgegeben)", String::new())
        }
        (Locale::De, RewardState::Expired) => (
            "abgelaufen",
            until.map_or(String::new(), |u| format!("am {u}")),
        ),
        (Locale::En, RewardState::Coupon(CouponStatus::Pending)) => (
            "not usable yet",
            format!(
                "usable from {from}{}",
                until.map_or(String::new(), |u| format!(" until {u}"))
            ),
        ),
        (Locale::En, RewardState::Coupon(CouponStatus::Available)) => (
            "ready to use",
            until.map_or("no end date".into(), |u| format!("valid until {u}")),
        ),
        (Locale::En, RewardState::Coupon(CouponStatus::Review)) => {
            ("being reviewed", "usable once approved".into())
        }
        (Locale::En, RewardState::Coupon(CouponStatus::Redeemed)) => ("used", String::new()),
        (Locale::En, RewardState::Coupon(CouponStatus::Revoked)) => {
            ("cancelled (order returned)", String::new())
        }
        (Locale::En, RewardState::Expired) => (
            "expired",
            until.map_or(String::new(), |u| format!("on {u}")),
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
