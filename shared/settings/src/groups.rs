//! Settings several functions read, declared once so that a variable's parsing, default and
//! doc cannot differ between functions. A function's own settings flatten the groups it uses.

use clap::Args;
use domain::model::{
    Concurrency, Currency, DiscountPlatform, Email, FingerprintKey, FriendOffer, FriendReward,
    HttpUrl, Locale, Retention, RetrySchedule, SendRate, WebhookSecrets, WebhookUrl,
    DEFAULT_FRIEND_OFFER_DAYS,
};
use domain::services::{Discounts, Events, ReferralLinks, ShopIdentity};
use shop_platforms::{ShopifyShop, SigningSecret};
use web::{ApiKeys, PlatformSecrets};

/// The keys of the shop's storefront or backend: referrals, orders, refunds, coupons, surveys.
#[derive(Debug, Clone, Args)]
pub struct Storefront {
    /// Comma-separated storefront keys (each ≥ 16 characters; several allow rotation): referrals, orders, refunds, coupons and survey requests. Refused on staff and privacy routes.
    #[arg(long, env = "API_KEYS", value_parser = ApiKeys::parse)]
    pub api_keys: ApiKeys,
}

/// The keys of the shop's staff: reading feedback, follow-ups, the dashboard, the outbox.
#[derive(Debug, Clone, Args)]
pub struct Staff {
    /// Comma-separated staff keys (each ≥ 16 characters): NPS, answers and exports, follow-ups, the dashboard's password, the outbox listing and requeue. Refused on storefront and privacy routes.
    #[arg(long, env = "STAFF_API_KEYS", value_parser = ApiKeys::parse)]
    pub staff_api_keys: ApiKeys,
}

/// The keys that may export and erase a customer's data.
#[derive(Debug, Clone, Args)]
pub struct Privacy {
    /// Comma-separated privacy keys (each ≥ 16 characters): a customer's export and erasure (customer-data). Refused on every other route.
    #[arg(long, env = "PRIVACY_API_KEYS", value_parser = ApiKeys::parse)]
    pub privacy_api_keys: ApiKeys,
}

#[derive(Debug, Clone, Args)]
pub struct ShopUrl {
    /// The shop's base URL (`https://…`): unknown referral codes redirect there, mails link to it.
    #[arg(long, env = "SHOP_URL", value_parser = HttpUrl::parse)]
    pub shop_url: HttpUrl,
}

/// How the shop presents itself in mails and pages.
#[derive(Debug, Clone, Args)]
pub struct ShopPresentation {
    #[command(flatten)]
    pub url: ShopUrl,
    #[command(flatten)]
    pub name: ShopName,
    /// `de`, `en` or `fr`: the language of mails and pages for customers whose locale is unknown.
    #[arg(long, env = "DEFAULT_LOCALE", default_value = "de", value_parser = Locale::parse)]
    pub default_locale: Locale,
}

impl ShopPresentation {
    pub fn identity(&self) -> ShopIdentity {
        ShopIdentity {
            name: self.name.shop_name.clone(),
            url: self.url.shop_url.clone(),
            default_locale: self.default_locale,
        }
    }
}

#[derive(Debug, Clone, Args)]
pub struct ShopName {
    /// The shop's name as customers know it (mails, pages, the sender's display name).
    #[arg(long, env = "SHOP_NAME")]
    pub shop_name: String,
}

/// Whether the shop receives webhook events: every function that writes one reads it, and
/// without it none are written.
#[derive(Debug, Clone, Args)]
pub struct WebhookEndpoint {
    /// Where the shop receives webhook events (https, or http on loopback). Unset: no events are written.
    #[arg(long, env = "WEBHOOK_URL", value_parser = WebhookUrl::parse)]
    pub webhook_url: Option<WebhookUrl>,
}

impl WebhookEndpoint {
    pub fn events(&self) -> Events {
        Events::new(self.webhook_url.is_some())
    }
}

/// How outbox messages are delivered (deliver-outbox, and the local stack's delivery task).
#[derive(Debug, Clone, Args)]
pub struct Delivery {
    /// Space-separated Standard Webhooks secrets (`whsec_` + base64 of 24–64 random bytes); every event is signed with each. Required with WEBHOOK_URL.
    #[arg(long, env = "WEBHOOK_SECRET", value_parser = WebhookSecrets::parse)]
    pub webhook_secret: Option<WebhookSecrets>,
    /// Seconds to wait after each failed delivery attempt (with jitter); after the last, the message is `failed`.
    #[arg(long, env = "OUTBOX_RETRY_SECONDS", default_value = domain::model::DEFAULT_RETRY_SECONDS)]
    pub outbox_retry_seconds: RetrySchedule,
    /// Messages one deliverer sends at once (1–64): sends wait on SES, the webhook receiver or the platform, so several at once multiply throughput.
    #[arg(long, env = "OUTBOX_CONCURRENCY", default_value = domain::model::DEFAULT_OUTBOX_CONCURRENCY)]
    pub outbox_concurrency: Concurrency,
}

#[derive(Debug, Clone, Args)]
pub struct PublicBaseUrl {
    /// Base of the links this function hands out, e.g. its function URL or a custom domain; set
    /// it behind a custom domain, so links do not trust the `Host` header. Unset: from the
    /// request.
    #[arg(long, env = "PUBLIC_BASE_URL", value_parser = HttpUrl::parse)]
    pub public_base_url: Option<HttpUrl>,
}

#[derive(Debug, Clone, Args)]
pub struct Sender {
    /// Sender address of mails (on Lambda an SES-verified identity).
    #[arg(long, env = "MAIL_FROM", value_parser = Email::parse)]
    pub mail_from: Email,
}

/// Lambda only: the local stack keeps its data in an embedded store.
#[derive(Debug, Clone, Args)]
pub struct DynamoTable {
    /// The DynamoDB table holding all state (Lambda only).
    #[arg(long, env = "TABLE_NAME")]
    pub table_name: String,
}

/// Lambda only: the local stack writes mails into a folder.
#[derive(Debug, Clone, Args)]
pub struct SesSending {
    /// SES configuration set to send with (Lambda only).
    #[arg(long, env = "SES_CONFIGURATION_SET")]
    pub ses_configuration_set: Option<String>,
    /// Mails per second one deliverer sends at most (Lambda only): the account's SES maximum send rate, 14 once production access is granted. A send SES still refuses as too fast waits a second and does not use up an attempt.
    #[arg(long, env = "SES_MAX_SEND_RATE", default_value = domain::model::DEFAULT_SES_MAX_SEND_RATE)]
    pub ses_max_send_rate: SendRate,
}

/// The shop platforms whose order webhooks this function takes (reward-referral and
/// collect-survey); a platform without its secret has no route.
#[derive(Debug, Clone, Args)]
pub struct ShopPlatforms {
    /// Shopify's webhook signing secret (the app's client secret, or the key under Settings → Notifications → Webhooks). Unset: `POST /webhooks/shopify` answers 404.
    #[arg(long, env = "SHOPIFY_WEBHOOK_SECRET", value_parser = SigningSecret::parse)]
    pub shopify_webhook_secret: Option<SigningSecret>,
    /// The secret typed into the WooCommerce webhooks (WooCommerce → Settings → Advanced → Webhooks). Unset: `POST /webhooks/woocommerce` answers 404.
    #[arg(long, env = "WOOCOMMERCE_WEBHOOK_SECRET", value_parser = SigningSecret::parse)]
    pub woocommerce_webhook_secret: Option<SigningSecret>,
    #[command(flatten)]
    pub shopify_shop: ShopifyShopUrl,
}

/// The Shopify shop this stack belongs to: webhook receivers check deliveries against it, and
/// with `DISCOUNT_PLATFORM=shopify` deliver-outbox calls its Admin API.
#[derive(Debug, Clone, Args)]
pub struct ShopifyShopUrl {
    /// The Shopify shop's admin origin, `https://<name>.myshopify.com`: deliveries whose `X-Shopify-Shop-Domain` or privacy payload names another shop are refused (401 `wrong_shop`), and with `DISCOUNT_PLATFORM=shopify` discounts are created there. Set it: an app's secret signs the webhooks of every shop that installs it. `http://` only on loopback, for a test's fake admin API, which checks no delivery's shop.
    #[arg(long, env = "SHOPIFY_SHOP_URL", value_parser = ShopifyShop::parse)]
    pub shopify_shop_url: Option<ShopifyShop>,
}

/// Where coupons become discount codes: reward-referral writes a message per coupon issued or
/// revoked, deliver-outbox delivers it.
#[derive(Debug, Clone, Args)]
pub struct DiscountPlatformChoice {
    /// `none`, `shopify` or `woocommerce`: the platform in which every coupon issued also becomes a discount code (created by deliver-outbox; ended when the coupon is revoked), so the shop's checkout accepts it. `none`: only this API knows the coupons.
    #[arg(long, env = "DISCOUNT_PLATFORM", default_value = "none", value_parser = discount_platform)]
    pub discount_platform: DiscountPlatform,
}

impl DiscountPlatformChoice {
    pub fn discounts(&self) -> Discounts {
        Discounts::new(self.discount_platform)
    }
}

/// What the referred friend gets and on what terms: reward-referral applies them to orders,
/// create-referral to claims of the first-order offer.
#[derive(Debug, Clone, Args)]
pub struct FriendTerms {
    /// `first_order`: the share link offers the friend a discount on their first order (claimed with their address); `next_order`: the link redirects to the shop and the friend gets a coupon for a later order once their first is rewarded; `both`.
    #[arg(long, env = "FRIEND_REWARD", default_value = "first_order", value_parser = friend_reward)]
    pub friend_reward: FriendReward,
    /// The friend's reward in minor units (cents): the first-order discount and the next-order coupon.
    #[arg(long, env = "FRIEND_REWARD_CENTS", default_value_t = 1000)]
    pub friend_reward_cents: u64,
    #[command(flatten)]
    pub currency: RewardCurrency,
    /// The smallest order total that earns a reward, and that the friend's first-order discount applies to, in minor units.
    #[arg(long, env = "MIN_ORDER_CENTS", default_value_t = 2000)]
    pub min_order_cents: u64,
}

/// What a referrer earns: reward-referral pays it, create-referral's referrer page says it.
#[derive(Debug, Clone, Args)]
pub struct ReferrerTerms {
    /// The referrer's coupon value, in minor units (cents).
    #[arg(long, env = "REFERRER_REWARD_CENTS", default_value_t = 1000)]
    pub referrer_reward_cents: u64,
    /// Rewarded referrals per referrer, ever.
    #[arg(long, env = "REFERRER_CAP", default_value_t = 25)]
    pub referrer_cap: u64,
}

/// Where create-referral serves share links and referrers' pages, for the links other functions
/// put in mails and pages.
#[derive(Debug, Clone, Args)]
pub struct ReferralBaseUrl {
    /// create-referral's public URL: promoters' share links go through it so clicks are counted, and the thank-you mail, the promoter's thank-you page and the referrer's reward mail link the referrer's own page there. Unset: share links go to `<SHOP_URL>/?ref=<code>` and no page is linked.
    #[arg(long, env = "REFERRAL_BASE_URL", value_parser = HttpUrl::parse)]
    pub referral_base_url: Option<HttpUrl>,
}

impl ReferralBaseUrl {
    pub fn links(&self, shop_url: &HttpUrl) -> ReferralLinks {
        match &self.referral_base_url {
            Some(base) => ReferralLinks::Function(base.clone()),
            None => ReferralLinks::ShopLanding(shop_url.clone()),
        }
    }
}

/// The currency of every coupon and of the amounts reported about them (score-nps).
#[derive(Debug, Clone, Args)]
pub struct RewardCurrency {
    /// Currency of coupons (ISO 4217); orders in another currency are `currency_mismatch`.
    #[arg(long, env = "REWARD_CURRENCY", default_value = "EUR", value_parser = Currency::parse)]
    pub reward_currency: Currency,
}

fn friend_reward(raw: &str) -> Result<FriendReward, String> {
    FriendReward::parse(raw).ok_or_else(|| "must be one of first_order, next_order, both".into())
}

/// How long a claimed first-order offer lasts (create-referral).
#[derive(Debug, Clone, Args)]
pub struct FriendOfferDays {
    /// Days (1–3650) the friend's first-order discount can be used, counted from the claim.
    #[arg(long, env = "FRIEND_OFFER_DAYS", default_value_t = DEFAULT_FRIEND_OFFER_DAYS,
          value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub friend_offer_days: u32,
}

impl FriendTerms {
    pub fn offer(&self, days: &FriendOfferDays) -> FriendOffer {
        FriendOffer {
            amount_cents: self.friend_reward_cents,
            currency: self.currency.reward_currency.clone(),
            min_order_cents: self.min_order_cents,
            valid_days: days.friend_offer_days,
        }
    }
}

fn discount_platform(raw: &str) -> Result<DiscountPlatform, String> {
    DiscountPlatform::parse(raw).ok_or_else(|| "must be one of none, shopify, woocommerce".into())
}

impl ShopPlatforms {
    pub fn secrets(&self) -> PlatformSecrets {
        PlatformSecrets {
            shopify: self.shopify_webhook_secret.clone(),
            woocommerce: self.woocommerce_webhook_secret.clone(),
            shopify_shop: self.shopify_shop.shopify_shop_url.clone(),
        }
    }
}

/// The secret behind every fingerprint of an address (guards, opt-outs, guest ids, lookups by
/// address): every function that meets an address reads it, and all must read the same one.
#[derive(Clone, Args)]
pub struct Fingerprints {
    /// Secret (≥ 32 bytes, e.g. `openssl rand -hex 32`) keying the HMAC-SHA256 fingerprints of addresses; without it nobody can tell whether an address is in the table. Never change it: guards and opt-outs are found by it.
    #[arg(long, env = "FINGERPRINT_KEY", value_parser = FingerprintKey::parse, hide_env_values = true)]
    pub fingerprint_key: FingerprintKey,
}

/// Never printed, like the key itself.
impl std::fmt::Debug for Fingerprints {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Fingerprints(…)")
    }
}

/// How long personal details are kept (`RETENTION_DAYS`).
#[derive(Debug, Clone, Args)]
pub struct RetentionPeriod {
    /// Days (30–3650) after which survey answers and comments, order records, outbox messages and claims of the friend's offer are deleted (DynamoDB TTL; the local store sweeps hourly). Counters, guards, opt-outs, coupons and profiles stay.
    #[arg(long, env = "RETENTION_DAYS", default_value_t = domain::model::DEFAULT_RETENTION_DAYS, value_parser = retention_days)]
    pub retention_days: u32,
}

impl RetentionPeriod {
    pub fn retention(&self) -> Retention {
        // The value parser admitted only valid day counts.
        Retention::days(self.retention_days).unwrap_or_default()
    }
}

fn retention_days(raw: &str) -> Result<u32, String> {
    raw.trim()
        .parse()
        .ok()
        .and_then(|days| Retention::days(days).ok().map(|_| days))
        .ok_or_else(|| domain::model::RetentionError.to_string())
}

/// Survey reminders: collect-survey schedules them, deliver-outbox sends those due while they are
/// on, so turning them off stops the ones already waiting too.
#[derive(Debug, Clone, Args)]
pub struct SurveyReminders {
    /// Days after the survey mail until one reminder goes to a customer who has not answered (not after an answer, an unsubscribe or an erasure, nor when the link expires first); `0` = no reminders, and none already scheduled is sent.
    #[arg(long, env = "SURVEY_REMINDER_DAYS", default_value_t = 4)]
    pub survey_reminder_days: u32,
}

/// The win-back's lapse: reward-referral schedules each customer's win-back by it, deliver-outbox
/// sends those due while it is on, so turning it off stops the ones already waiting too.
#[derive(Debug, Clone, Args)]
pub struct WinbackLapse {
    /// Days (0–3650) after a customer's last order until they are mailed a win-back coupon, at most once per this many days; each order moves it; `0` = no win-back mails, and none already scheduled is sent.
    #[arg(long, env = "WINBACK_DAYS", default_value_t = 0,
          value_parser = clap::value_parser!(u32).range(0..=3650))]
    pub winback_days: u32,
}
