//! What reward-referral reads from its environment, once, at start-up.

use ::settings::SettingsError;
use ::settings::{
    DiscountPlatformChoice, DynamoTable, Fingerprints, FriendTerms, ReferralBaseUrl, ReferrerTerms,
    RetentionPeriod, ShopPlatforms, ShopPresentation, Staff, Storefront, WebhookEndpoint,
    WinbackLapse,
};
use clap::Parser;
use domain::model::{
    HttpUrl, ReviewDecision, ReviewLimits, RewardRules, WinbackRules, DEFAULT_COUPON_VALID_DAYS,
    DEFAULT_MAX_ORDERS_PER_IP, DEFAULT_MAX_REWARDS_PER_WEEK, DEFAULT_REVIEW_DAYS,
};
use domain::services::{ReviewPolicy, DEFAULT_ACTIVITY_WINDOW_DAYS};
use shop_platforms::Reading;

#[derive(Debug, Clone, Parser)]
#[command(no_binary_name = true)]
pub struct Settings {
    #[command(flatten)]
    pub storefront: Storefront,
    #[command(flatten)]
    pub staff: Staff,
    #[command(flatten)]
    pub fingerprints: Fingerprints,
    #[command(flatten)]
    pub shop: ShopPresentation,
    #[command(flatten)]
    pub webhooks: WebhookEndpoint,
    #[command(flatten)]
    pub platforms: ShopPlatforms,
    #[command(flatten)]
    pub discount_platform: DiscountPlatformChoice,
    #[command(flatten)]
    pub referrer: ReferrerTerms,
    #[command(flatten)]
    pub friend: FriendTerms,
    #[command(flatten)]
    pub referral_base: ReferralBaseUrl,
    /// The name under which the storefront keeps the referral code: Shopify cart attribute, WooCommerce order meta key, and the landing page's query parameter.
    #[arg(long, env = "REFERRAL_ATTRIBUTE", default_value = "ref", value_parser = Reading::parse)]
    pub referral_attribute: Reading,
    /// Days from `placed_at` until coupons are usable; `0` = at once.
    #[arg(long, env = "REWARD_HOLD_DAYS", default_value_t = 14)]
    pub reward_hold_days: u32,
    /// Days (1–3650) a coupon can be used, counted from when it becomes usable; after that our API answers `410 expired` and the platform's discount has ended at the same instant.
    #[arg(long, env = "COUPON_VALID_DAYS", default_value_t = DEFAULT_COUPON_VALID_DAYS,
          value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub coupon_valid_days: u32,
    /// An order keeps its customer active this many days (1–3660), for retention; read where
    /// orders are recorded, because that is where activity spans are written.
    #[arg(long, env = "ACTIVE_WINDOW_DAYS", default_value_t = DEFAULT_ACTIVITY_WINDOW_DAYS,
          value_parser = clap::value_parser!(u32).range(1..=3660))]
    pub active_window_days: u32,
    #[command(flatten)]
    pub winback_lapse: WinbackLapse,
    /// The win-back coupon's value in minor units (cents), in REWARD_CURRENCY.
    #[arg(long, env = "WINBACK_REWARD_CENTS", default_value_t = 1000)]
    pub winback_reward_cents: u64,
    /// Days (1–3650) the win-back coupon can be used from the mail; an order within them wins the customer back, with or without the coupon.
    #[arg(long, env = "WINBACK_VALID_DAYS", default_value_t = 30,
          value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub winback_valid_days: u32,
    /// collect-survey's public URL, where customers' own unsubscribe links (`/u/c/…`) are served: every win-back mail carries one, so WINBACK_DAYS above 0 needs it.
    #[arg(long, env = "SURVEY_BASE_URL", value_parser = HttpUrl::parse)]
    pub survey_base_url: Option<HttpUrl>,
    /// Hold a referred order's rewards for review when more than this many referred orders came from its IP within 7 days; `0` = off.
    #[arg(long, env = "REVIEW_MAX_ORDERS_PER_IP", default_value_t = DEFAULT_MAX_ORDERS_PER_IP)]
    pub review_max_orders_per_ip: u32,
    /// Hold a referrer's rewards for review when they had more than this many rewarded referrals within 7 days; `0` = off.
    #[arg(long, env = "REVIEW_MAX_REWARDS_PER_WEEK", default_value_t = DEFAULT_MAX_REWARDS_PER_WEEK)]
    pub review_max_rewards_per_week: u32,
    /// `1`: hold the rewards when the friend ships to an address one of the referrer's orders shipped to; `0` = off.
    #[arg(long, env = "REVIEW_SHIPPING_ADDRESS", default_value_t = 1,
          value_parser = clap::value_parser!(u8).range(0..=1))]
    pub review_shipping_address: u8,
    /// `1`: hold the rewards when the friend's and the referrer's full names are the same; `0` = off.
    #[arg(long, env = "REVIEW_SAME_NAME", default_value_t = 1,
          value_parser = clap::value_parser!(u8).range(0..=1))]
    pub review_same_name: u8,
    /// What becomes of a held reward nobody decided within REVIEW_DAYS: `approve` or `reject`.
    #[arg(long, env = "REVIEW_AUTO", default_value = "approve", value_parser = parse_decision)]
    pub review_auto: ReviewDecision,
    /// Days (1–365) a held reward waits for a decision before REVIEW_AUTO decides it.
    #[arg(long, env = "REVIEW_DAYS", default_value_t = DEFAULT_REVIEW_DAYS,
          value_parser = clap::value_parser!(u32).range(1..=365))]
    pub review_days: u32,
}

fn parse_decision(raw: &str) -> Result<ReviewDecision, String> {
    ReviewDecision::parse(raw.trim()).ok_or_else(|| "must be approve or reject".to_owned())
}

impl Settings {
    /// Which rules hold rewards for review, and what decides a held reward nobody decided.
    pub fn review(&self) -> ReviewPolicy {
        ReviewPolicy {
            limits: ReviewLimits {
                max_orders_per_ip: self.review_max_orders_per_ip,
                max_rewards_per_week: self.review_max_rewards_per_week,
                shipping_address: self.review_shipping_address == 1,
                same_name: self.review_same_name == 1,
            },
            auto: self.review_auto,
            days: self.review_days,
        }
    }

    pub fn rules(&self) -> RewardRules {
        RewardRules {
            referrer_cents: self.referrer.referrer_reward_cents,
            friend_cents: self.friend.friend_reward_cents,
            currency: self.friend.currency.reward_currency.clone(),
            min_order_cents: self.friend.min_order_cents,
            referrer_cap: self.referrer.referrer_cap,
            hold_days: self.reward_hold_days,
            valid_days: self.coupon_valid_days,
            friend_reward: self.friend.friend_reward,
        }
    }

    /// The win-back's terms and where its mails' unsubscribe links point; a marketing mail
    /// without an unsubscribe link is never sent, so the flow needs SURVEY_BASE_URL.
    pub fn winback(&self) -> Result<Option<(WinbackRules, HttpUrl)>, SettingsError> {
        if self.winback_lapse.winback_days == 0 {
            return Ok(None);
        }
        let base = self
            .survey_base_url
            .clone()
            .ok_or_else(|| SettingsError::Missing("SURVEY_BASE_URL".into()))?;
        let rules = WinbackRules {
            lapse_days: self.winback_lapse.winback_days,
            reward_cents: self.winback_reward_cents,
            currency: self.friend.currency.reward_currency.clone(),
            valid_days: self.winback_valid_days,
        };
        Ok(Some((rules, base)))
    }
}

/// The Lambda binary's settings: the function's, plus where its state lives.
#[derive(Debug, Clone, Parser)]
#[command(no_binary_name = true)]
pub struct LambdaSettings {
    #[command(flatten)]
    pub function: Settings,
    #[command(flatten)]
    pub table: DynamoTable,
    #[command(flatten)]
    pub retention: RetentionPeriod,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(extra: &[(&str, &str)]) -> Result<Settings, ::settings::SettingsError> {
        let required = [
            ("API_KEYS", "key-aaaaaaaaaaaaaaaa"),
            ("STAFF_API_KEYS", "staff-key-aaaaaaaaaaaaaaaa"),
            ("FINGERPRINT_KEY", "fingerprint-key-aaaaaaaaaaaaaaaaaaaaaa"),
            ("SHOP_URL", "https://shop.example"),
            ("SHOP_NAME", "Demo"),
        ];
        ::settings::load(|name| {
            extra
                .iter()
                .chain(required.iter())
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value).to_owned())
        })
    }

    #[test]
    fn defaults_match_the_documented_program() {
        let settings = load(&[]).expect("defaults");
        let rules = settings.rules();
        assert_eq!(
            (
                rules.referrer_cents,
                rules.friend_cents,
                rules.min_order_cents,
                rules.referrer_cap,
                rules.hold_days
            ),
            (1000, 1000, 2000, 25, 14)
        );
        assert_eq!(rules.currency.as_ref(), "EUR");
        assert_eq!(settings.active_window_days, 365);
        assert_eq!(rules.valid_days, 365);
        assert_eq!(
            settings.discount_platform.discount_platform,
            domain::model::DiscountPlatform::None
        );
    }

    #[test]
    fn a_win_back_needs_somewhere_to_unsubscribe() {
        assert!(load(&[])
            .expect("defaults")
            .winback()
            .expect("off")
            .is_none());
        let missing = load(&[("WINBACK_DAYS", "90")])
            .expect("parses")
            .winback()
            .expect_err("no unsubscribe link without SURVEY_BASE_URL");
        assert_eq!(
            missing.to_string(),
            "missing required environment variable SURVEY_BASE_URL"
        );
        let (rules, base) = load(&[
            ("WINBACK_DAYS", "90"),
            ("SURVEY_BASE_URL", "https://s.example/"),
        ])
        .expect("parses")
        .winback()
        .expect("valid")
        .expect("on");
        assert_eq!(
            (rules.lapse_days, rules.reward_cents, rules.valid_days),
            (90, 1000, 30)
        );
        assert_eq!(base.to_string(), "https://s.example");
    }

    #[test]
    fn bad_values_name_the_variable() {
        for (name, value) in [
            ("REFERRER_CAP", "-1"),
            ("ACTIVE_WINDOW_DAYS", "0"),
            ("ACTIVE_WINDOW_DAYS", "3661"),
            ("REWARD_CURRENCY", "EURO"),
            ("COUPON_VALID_DAYS", "0"),
            ("DISCOUNT_PLATFORM", "magento"),
        ] {
            let error = load(&[(name, value)]).expect_err("invalid");
            assert!(error.to_string().contains(name), "{name}={value}: {error}");
        }
    }
}
