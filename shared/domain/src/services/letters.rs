//! Writing out a letter: the deliverer turns the facts a message holds into the mail it sends,
//! in the reader's language, as plain text and mail-client-safe HTML. The words come from the
//! catalog ([`crate::texts`]); so do the ways a locale writes amounts, days and labels.

use std::fmt::Write as _;

use askama::Template;
use chrono::{DateTime, Utc};

use super::{reward_mail, survey_mail};
use crate::model::{Currency, Locale};
use crate::ports::{Letter, OutgoingMail};
use crate::texts::{text, text_with, Arg};

/// A mail template that did not render: the message fails for good, with this reason on it.
#[derive(Debug, thiserror::Error)]
#[error("rendering a mail template failed")]
pub struct RenderError(#[from] askama::Error);

/// Renders a mail's plain-text and HTML templates.
pub(crate) fn render_pair(
    text: &impl Template,
    html: &impl Template,
) -> Result<(String, String), RenderError> {
    Ok((text.render()?, html.render()?))
}

pub fn render(letter: &Letter) -> Result<OutgoingMail, RenderError> {
    match letter {
        Letter::Reward(mail) => reward_mail::render(mail),
        Letter::Offer(mail) => reward_mail::render_offer(mail),
        Letter::Survey(job) => survey_mail::survey(job),
        Letter::SurveyReminder(job) => survey_mail::reminder(job),
        Letter::DetractorAlert(alert) => survey_mail::detractor_alert(alert),
        Letter::Winback(mail) => reward_mail::render_winback(mail),
        Letter::Rendered(mail) => Ok(mail.clone()),
    }
}

/// "Hello Anna," or, without a name, "Hello,".
pub(crate) fn greeting(locale: Locale, name: Option<&str>) -> String {
    match name {
        Some(name) => text_with(locale, "mail-greeting-name", &[("name", Arg::from(name))]),
        None => text(locale, "mail-greeting").into_owned(),
    }
}

/// A label and its value on one line of a plain-text mail, with the locale's punctuation
/// (French puts a no-break space before the colon).
pub(crate) fn labelled(locale: Locale, label: &str, value: &str) -> String {
    text_with(
        locale,
        "mail-label-value",
        &[("label", Arg::from(label)), ("value", Arg::from(value))],
    )
}

/// An amount as the reader's locale writes it: "10,00 €" in German, "€10.00" in English,
/// "10,00 €" with a no-break space in French. Currencies without a common symbol are written
/// with their code. The catalog places the parts; the cents are always two digits.
pub fn money(cents: u64, currency: &Currency, locale: Locale) -> String {
    let major = (cents / 100).to_string();
    let minor = format!("{:02}", cents % 100);
    let symbol = match currency.as_ref() {
        "EUR" => Some("€"),
        "USD" => Some("$"),
        "GBP" => Some("£"),
        _ => None,
    };
    let (major, minor) = (Arg::from(&major), Arg::from(&minor));
    match symbol {
        Some(symbol) => text_with(
            locale,
            "mail-money-symbol",
            &[
                ("major", major),
                ("minor", minor),
                ("symbol", Arg::from(symbol)),
            ],
        ),
        None => {
            let code: &str = currency.as_ref();
            text_with(
                locale,
                "mail-money-code",
                &[
                    ("major", major),
                    ("minor", minor),
                    ("code", Arg::from(code)),
                ],
            )
        }
    }
}

/// The calendar day (UTC) in the reader's convention: the catalog holds the chrono format.
pub fn day(at: DateTime<Utc>, locale: Locale) -> String {
    let format = text(locale, "mail-day-format");
    let mut written = String::new();
    // A format the catalog got wrong is an error, not a panic in the middle of a mail.
    if write!(written, "{}", at.format(&format)).is_err() {
        tracing::error!(%locale, %format, "the catalog's day format does not format");
        return at.format("%Y-%m-%d").to_string();
    }
    written
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::model::CustomerName;
    use crate::model::{
        Beneficiary, CouponCode, CustomerId, Email, HttpUrl, OrderId, Reward, Score, SurveyToken,
    };
    use crate::ports::{
        DetractorAlert, OfferMail, RewardMail, ShopIdentity, SurveyMailJob, WinbackMail,
    };

    fn every_letter(locale: Locale) -> Vec<Letter> {
        let shop = ShopIdentity {
            name: "Demo & Co".into(),
            url: HttpUrl::parse("https://shop.example").expect("url"),
            default_locale: locale,
        };
        let to = Email::parse("anna@example.com").expect("email");
        let at = Utc
            .with_ymd_and_hms(2026, 3, 15, 12, 0, 0)
            .single()
            .expect("time");
        let coupon = CouponCode::parse("ABCDEFGH2345").expect("coupon");
        let euro = Currency::parse("EUR").expect("currency");
        let reward = |beneficiary| {
            Letter::Reward(RewardMail {
                to: to.clone(),
                name: None,
                locale: Some(locale),
                reward: Reward {
                    beneficiary,
                    customer_id: CustomerId::parse("c-1").expect("id"),
                    coupon: coupon.clone(),
                    amount_cents: 1000,
                    currency: euro.clone(),
                    available_from: at,
                    valid_until: None,
                },
                page_url: Some("https://r.example/me/ABCD2345/key".into()),
                shop: shop.clone(),
            })
        };
        vec![
            reward(Beneficiary::Referrer),
            reward(Beneficiary::Friend),
            Letter::Offer(OfferMail {
                to: to.clone(),
                locale,
                coupon: coupon.clone(),
                amount_cents: 1000,
                min_order_cents: 2500,
                currency: euro.clone(),
                expires_at: at,
                apply_url: "https://shop.example/discount/ABCDEFGH2345".into(),
                shop: shop.clone(),
            }),
            Letter::Survey(SurveyMailJob {
                to: to.clone(),
                name: None,
                locale: Some(locale),
                token: SurveyToken::generate(),
                links_base: "https://s.example".into(),
                share_page: Some("https://r.example/me/ABCD2345/key".into()),
                shop: shop.clone(),
            }),
            Letter::SurveyReminder(SurveyMailJob {
                to: to.clone(),
                name: Some(CustomerName::parse("Anna").expect("name")),
                locale: Some(locale),
                token: SurveyToken::generate(),
                links_base: "https://s.example".into(),
                share_page: None,
                shop: shop.clone(),
            }),
            Letter::Winback(WinbackMail {
                to: to.clone(),
                name: None,
                locale: Some(locale),
                coupon: coupon.clone(),
                amount_cents: 500,
                currency: euro.clone(),
                expires_at: at,
                unsubscribe_url: "https://s.example/u/c/c-1/8JCQ6GyW_7Q60ZuRUExLLw".into(),
                shop: shop.clone(),
            }),
            Letter::DetractorAlert(DetractorAlert {
                to: Email::parse("support@shop.example").expect("email"),
                score: Score::new(2).expect("score"),
                comment: Some("<b>late</b>".into()),
                order_id: OrderId::parse("1001").expect("order"),
                customer_id: CustomerId::parse("c-1").expect("id"),
                customer_email: Some(to.clone()),
                shop,
            }),
        ]
    }

    #[test]
    fn every_letter_renders_in_every_language_with_its_facts() {
        for locale in Locale::ALL {
            for letter in every_letter(locale) {
                let mail = render(&letter).expect("renders");
                let support = matches!(letter, Letter::DetractorAlert(_));
                let to = if support {
                    "support@shop.example"
                } else {
                    "anna@example.com"
                };
                assert_eq!(mail.to.to_string(), to);
                assert!(!mail.subject.is_empty(), "{letter:?}");
                assert!(
                    mail.html.contains(&format!("lang=\"{}\"", locale.as_str())) || support,
                    "{}",
                    mail.html
                );
                let fact = match &letter {
                    Letter::DetractorAlert(_) => "1001",
                    Letter::Survey(job) | Letter::SurveyReminder(job) => job.token.as_ref(),
                    _ => "ABCDEFGH2345",
                };
                assert!(
                    mail.text.contains(fact) && mail.html.contains(fact),
                    "{fact}"
                );
                assert!(!mail.html.contains("<b>late"), "escaped");
                // A message missing from a catalog shows as its id.
                for id in ["mail-", "survey-"] {
                    assert!(
                        !mail.subject.contains(id) && !mail.text.contains(id),
                        "{locale}: {}",
                        mail.text
                    );
                }
            }
        }
    }

    #[test]
    fn the_reminder_has_its_own_words_and_the_survey_s_links_and_headers() {
        for locale in Locale::ALL {
            let letters = every_letter(locale);
            let Some(Letter::SurveyReminder(job)) = letters
                .iter()
                .find(|l| matches!(l, Letter::SurveyReminder(_)))
            else {
                panic!("a reminder");
            };
            let reminder = render(&Letter::SurveyReminder(job.clone())).expect("renders");
            let survey = render(&Letter::Survey(job.clone())).expect("renders");
            assert_ne!(reminder.subject, survey.subject);
            assert_eq!(reminder.headers, survey.headers, "the unsubscribe headers");
            for score in 0..=10 {
                let link = format!("https://s.example/s/{}?score={score}", job.token);
                assert!(reminder.text.contains(&link), "{link}");
            }
        }
    }

    #[test]
    fn amounts_and_days_follow_the_locale() {
        let euro = Currency::parse("EUR").expect("currency");
        let franc = Currency::parse("CHF").expect("currency");
        assert_eq!(money(123_405, &euro, Locale::De), "1234,05 €");
        assert_eq!(money(123_405, &euro, Locale::En), "€1234.05");
        assert_eq!(money(5, &euro, Locale::Fr), "0,05\u{a0}€");
        assert_eq!(money(1000, &franc, Locale::De), "10,00 CHF");
        assert_eq!(money(1000, &franc, Locale::En), "CHF 10.00");
        assert_eq!(money(1000, &franc, Locale::Fr), "10,00\u{a0}CHF");
        let at = Utc
            .with_ymd_and_hms(2026, 3, 5, 23, 0, 0)
            .single()
            .expect("time");
        assert_eq!(day(at, Locale::De), "05.03.2026");
        assert_eq!(day(at, Locale::En), "5 March 2026");
        assert_eq!(day(at, Locale::Fr), "05/03/2026");
    }
}
