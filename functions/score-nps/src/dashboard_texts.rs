//! The dashboard's words in each locale, from the catalog
//! (`shared/domain/locales/*/dashboard.ftl`): built once per locale on first use, so a page
//! render only looks them up. Also the figures the page writes out in words: rejections,
//! win-backs and their revenue.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::LazyLock;

use domain::model::{Currency, FollowUpStatus, Locale, ReviewRule};
use domain::services::{reward_mail, WinbackReport};
use domain::texts::{text, text_with, Arg};

use crate::chart;
use crate::follow_up_form::Notice;

/// The page's fixed words in one language. Words with a figure in them (`dashboard-times-in`,
/// `dashboard-open-detractors`, `dashboard-rejected`) are formatted with it by the page.
pub(crate) struct Texts {
    pub(crate) title: Cow<'static, str>,
    pub(crate) range: Cow<'static, str>,
    pub(crate) show: Cow<'static, str>,
    pub(crate) nps: Cow<'static, str>,
    pub(crate) margin: Cow<'static, str>,
    pub(crate) answers: Cow<'static, str>,
    pub(crate) promoters: Cow<'static, str>,
    pub(crate) passives: Cow<'static, str>,
    pub(crate) detractors: Cow<'static, str>,
    pub(crate) trend: Cow<'static, str>,
    pub(crate) per_week: Cow<'static, str>,
    no_answers: Cow<'static, str>,
    pub(crate) too_few: Cow<'static, str>,
    /// strftime of a week's start under the chart.
    date_format: Cow<'static, str>,
    /// strftime of a time on the shop's clock.
    pub(crate) time_format: Cow<'static, str>,
    pub(crate) none_open: Cow<'static, str>,
    pub(crate) more_open: Cow<'static, str>,
    pub(crate) status: Cow<'static, str>,
    pub(crate) status_open: Cow<'static, str>,
    pub(crate) status_contacted: Cow<'static, str>,
    pub(crate) status_resolved: Cow<'static, str>,
    pub(crate) note: Cow<'static, str>,
    pub(crate) save: Cow<'static, str>,
    pub(crate) changed: Cow<'static, str>,
    pub(crate) reviews: Cow<'static, str>,
    pub(crate) no_reviews: Cow<'static, str>,
    pub(crate) more_reviews: Cow<'static, str>,
    pub(crate) referrer: Cow<'static, str>,
    pub(crate) friend: Cow<'static, str>,
    pub(crate) held_since: Cow<'static, str>,
    pub(crate) review_hint: Cow<'static, str>,
    rule_orders_per_ip: Cow<'static, str>,
    rule_rewards_per_week: Cow<'static, str>,
    rule_shipping_address: Cow<'static, str>,
    rule_same_name: Cow<'static, str>,
    saved: Cow<'static, str>,
    not_found: Cow<'static, str>,
    no_follow_up: Cow<'static, str>,
    pub(crate) order: Cow<'static, str>,
    pub(crate) customer: Cow<'static, str>,
    pub(crate) segment: Cow<'static, str>,
    pub(crate) no_comment: Cow<'static, str>,
    pub(crate) funnel: Cow<'static, str>,
    pub(crate) codes: Cow<'static, str>,
    pub(crate) clicks: Cow<'static, str>,
    pub(crate) claims: Cow<'static, str>,
    pub(crate) rewarded: Cow<'static, str>,
    pub(crate) issued: Cow<'static, str>,
    pub(crate) revoked: Cow<'static, str>,
    pub(crate) retention: Cow<'static, str>,
    pub(crate) retention_rate: Cow<'static, str>,
    pub(crate) repeat_rate: Cow<'static, str>,
    pub(crate) reminders: Cow<'static, str>,
    pub(crate) reminded_answers: Cow<'static, str>,
    pub(crate) winback_sent: Cow<'static, str>,
    pub(crate) won_back: Cow<'static, str>,
    pub(crate) winback_revenue: Cow<'static, str>,
}

/// Every locale's words, in the order of [`Locale::ALL`].
static ALL: LazyLock<Vec<Texts>> =
    LazyLock::new(|| Locale::ALL.into_iter().map(Texts::new).collect());

impl Texts {
    /// The words for `locale`, built on first use.
    pub(crate) fn of(locale: Locale) -> &'static Texts {
        let at = Locale::ALL.iter().position(|l| *l == locale).unwrap_or(0);
        &ALL[at]
    }

    fn new(locale: Locale) -> Self {
        Self {
            title: text(locale, "dashboard-title"),
            range: text(locale, "dashboard-range"),
            show: text(locale, "dashboard-show"),
            nps: text(locale, "dashboard-nps"),
            margin: text(locale, "dashboard-margin"),
            answers: text(locale, "dashboard-answers"),
            promoters: text(locale, "dashboard-promoters"),
            passives: text(locale, "dashboard-passives"),
            detractors: text(locale, "dashboard-detractors"),
            trend: text(locale, "dashboard-trend"),
            per_week: text(locale, "dashboard-per-week"),
            no_answers: text(locale, "dashboard-no-answers"),
            too_few: text(locale, "dashboard-too-few"),
            date_format: text(locale, "dashboard-date-format"),
            time_format: text(locale, "dashboard-time-format"),
            none_open: text(locale, "dashboard-none-open"),
            more_open: text(locale, "dashboard-more-open"),
            status: text(locale, "dashboard-status"),
            status_open: text(locale, "dashboard-status-open"),
            status_contacted: text(locale, "dashboard-status-contacted"),
            status_resolved: text(locale, "dashboard-status-resolved"),
            note: text(locale, "dashboard-note"),
            save: text(locale, "dashboard-save"),
            changed: text(locale, "dashboard-changed"),
            reviews: text(locale, "dashboard-reviews"),
            no_reviews: text(locale, "dashboard-no-reviews"),
            more_reviews: text(locale, "dashboard-more-reviews"),
            referrer: text(locale, "dashboard-referrer"),
            friend: text(locale, "dashboard-friend"),
            held_since: text(locale, "dashboard-held-since"),
            review_hint: text(locale, "dashboard-review-hint"),
            rule_orders_per_ip: text(locale, "dashboard-rule-orders-per-ip"),
            rule_rewards_per_week: text(locale, "dashboard-rule-rewards-per-week"),
            rule_shipping_address: text(locale, "dashboard-rule-shipping-address"),
            rule_same_name: text(locale, "dashboard-rule-same-name"),
            saved: text(locale, "dashboard-saved"),
            not_found: text(locale, "dashboard-not-found"),
            no_follow_up: text(locale, "dashboard-no-follow-up"),
            order: text(locale, "dashboard-order"),
            customer: text(locale, "dashboard-customer"),
            segment: text(locale, "dashboard-segment"),
            no_comment: text(locale, "dashboard-no-comment"),
            funnel: text(locale, "dashboard-funnel"),
            codes: text(locale, "dashboard-codes"),
            clicks: text(locale, "dashboard-clicks"),
            claims: text(locale, "dashboard-claims"),
            rewarded: text(locale, "dashboard-rewarded"),
            issued: text(locale, "dashboard-issued"),
            revoked: text(locale, "dashboard-revoked"),
            retention: text(locale, "dashboard-retention"),
            retention_rate: text(locale, "dashboard-retention-rate"),
            repeat_rate: text(locale, "dashboard-repeat-rate"),
            reminders: text(locale, "dashboard-reminders"),
            reminded_answers: text(locale, "dashboard-reminded-answers"),
            winback_sent: text(locale, "dashboard-winback-sent"),
            won_back: text(locale, "dashboard-won-back"),
            winback_revenue: text(locale, "dashboard-winback-revenue"),
        }
    }

    pub(crate) fn rule_word(&self, rule: ReviewRule) -> &str {
        match rule {
            ReviewRule::OrdersPerIp => &self.rule_orders_per_ip,
            ReviewRule::RewardsPerWeek => &self.rule_rewards_per_week,
            ReviewRule::ShippingAddress => &self.rule_shipping_address,
            ReviewRule::SameName => &self.rule_same_name,
        }
    }

    pub(crate) fn status_word(&self, status: FollowUpStatus) -> &str {
        match status {
            FollowUpStatus::Open => &self.status_open,
            FollowUpStatus::Contacted => &self.status_contacted,
            FollowUpStatus::Resolved => &self.status_resolved,
        }
    }

    pub(crate) fn notice(&self, notice: Notice) -> &str {
        match notice {
            Notice::Saved => &self.saved,
            Notice::NotFound => &self.not_found,
            Notice::NoFollowUp => &self.no_follow_up,
        }
    }

    pub(crate) fn chart_words(&self) -> chart::Words<'_> {
        chart::Words {
            no_answers: &self.no_answers,
            too_few: &self.too_few,
            date_format: &self.date_format,
        }
    }
}

/// Each reason a referral was rejected for (its code, as the API names it), in words, with
/// its count.
pub(crate) fn rejections(locale: Locale, rejected: BTreeMap<String, i64>) -> Vec<(String, i64)> {
    rejected
        .into_iter()
        .map(|(reason, count)| {
            let args = [("reason", Arg::from(&reason))];
            (text_with(locale, "dashboard-rejected", &args), count)
        })
        .collect()
}

/// Customers won back, with the rate and its margin where there is one: "3 (25.0 % ± 24.5)".
pub(crate) fn won_back(winback: &WinbackReport) -> String {
    match (winback.rate, winback.margin_of_error) {
        (Some(rate), Some(margin)) => format!("{} ({rate:.1} % ± {margin:.1})", winback.won_back),
        (Some(rate), None) => format!("{} ({rate:.1} %)", winback.won_back),
        _ => winback.won_back.to_string(),
    }
}

/// The won-back orders' totals, one amount per currency, or "–".
pub(crate) fn revenue(winback: &WinbackReport, locale: Locale) -> String {
    if winback.revenue.is_empty() {
        return "–".to_owned();
    }
    winback
        .revenue
        .iter()
        .map(|(currency, cents)| match Currency::parse(currency) {
            Ok(currency) => reward_mail::money(cents.unsigned_abs(), &currency, locale),
            Err(_) => format!("{cents} {currency}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use std::fmt::Write;

    use chrono::{NaiveDate, TimeZone, Utc};

    use super::*;
    use crate::time_zone::ShopTimeZone;

    /// The formats are the catalog's: one a translator got wrong must fail here, not panic on
    /// the page (chrono and jiff refuse an unknown specifier only when the text is written).
    #[test]
    fn every_locale_has_its_words_and_formats_that_format() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 2).expect("date");
        let at = Utc
            .with_ymd_and_hms(2026, 11, 2, 9, 30, 0)
            .single()
            .expect("time");
        let berlin = ShopTimeZone::parse("Europe/Berlin").expect("zone");
        for locale in Locale::ALL {
            let t = Texts::of(locale);
            assert!(!t.title.starts_with("dashboard-"), "{locale}: {}", t.title);
            let mut written = String::new();
            assert!(
                write!(written, "{}", day.format(&t.date_format)).is_ok(),
                "{locale}"
            );
            assert!(written.contains('2'), "{locale}: {written}");
            let time = berlin.format(at, &t.time_format);
            assert!(
                time.contains("10:30") && time.contains("2026"),
                "{locale}: {time}"
            );
        }
        assert_eq!(
            berlin.format(at, &Texts::of(Locale::Fr).time_format),
            "02/11/2026 10:30 CET"
        );
        assert_eq!(
            Texts::of(Locale::Fr).status_word(FollowUpStatus::Resolved),
            "traité"
        );
        let open = |locale, count: u8| {
            text_with(
                locale,
                "dashboard-open-detractors",
                &[("count", Arg::from(count))],
            )
        };
        assert_eq!(open(Locale::Fr, 1), "Détracteurs à recontacter (1 ouvert)");
        assert_eq!(open(Locale::Fr, 2), "Détracteurs à recontacter (2 ouverts)");
        assert_eq!(open(Locale::En, 2), "Detractors to follow up (2 open)");
    }
}
