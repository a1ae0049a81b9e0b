//! The reward mails (referrer: "your friend ordered"; friend: "thank you, here is a coupon for
//! next time"), the friend's first-order code and the win-back mail, in the reader's language
//! (words from the catalog, see [`crate::texts`]), as plain text and mail-client-safe HTML.

use askama::Template;

use super::letters::{greeting, labelled, render_pair, RenderError};
use crate::model::{Beneficiary, Locale};
use crate::ports::{OfferMail, OutgoingMail, RewardMail, WinbackMail};
use crate::texts::{text, text_with, Arg};

/// How the reader's locale writes an amount and a day; other crates name them from here.
pub use super::letters::{day, money};

struct RewardWording {
    subject: String,
    greeting: String,
    paragraphs: Vec<String>,
    coupon_label: String,
    usable_from: String,
    closing: String,
}

/// What a reward mail says, shared by its plain-text and HTML templates.
struct RewardCopy<'a> {
    lang: &'a str,
    subject: &'a str,
    greeting: &'a str,
    paragraphs: &'a [String],
    label: &'a str,
    coupon: &'a str,
    /// "label: coupon" as the plain-text mail writes it, in the locale's typography.
    coupon_line: String,
    usable: &'a str,
    closing: &'a str,
    shop: &'a str,
    url: &'a str,
    /// A line with a link below the coupon: the referrer's page.
    more: Option<MoreLink<'a>>,
}

struct MoreLink<'a> {
    text: &'a str,
    label: &'a str,
    url: &'a str,
    /// "label: url" for the plain-text mail.
    line: String,
}

impl<'a> MoreLink<'a> {
    fn new(locale: Locale, text: &'a str, label: &'a str, url: &'a str) -> Self {
        let line = labelled(locale, label, url);
        Self {
            text,
            label,
            url,
            line,
        }
    }
}

#[derive(Template)]
#[template(path = "reward.txt")]
struct RewardText<'a> {
    m: &'a RewardCopy<'a>,
}

#[derive(Template)]
#[template(path = "reward.html")]
struct RewardHtml<'a> {
    m: &'a RewardCopy<'a>,
}

pub fn render(mail: &RewardMail) -> Result<OutgoingMail, RenderError> {
    let shop = &mail.shop;
    let locale = mail.locale.unwrap_or(shop.default_locale);
    let amount = money(mail.reward.amount_cents, &mail.reward.currency, locale);
    let date = day(mail.reward.available_from, locale);
    let name = mail.name.as_ref().map(|n| n.as_ref().to_owned());
    let copy = copy(
        locale,
        mail.reward.beneficiary,
        &shop.name,
        name.as_deref(),
        &amount,
        &date,
    );
    let coupon = mail.reward.coupon.as_ref();

    let shop_url = shop.url.to_string();
    let more_text = text(locale, "mail-referral-page-text");
    let more_label = text(locale, "mail-referral-page-link");
    let view = RewardCopy {
        lang: locale.as_str(),
        subject: &copy.subject,
        greeting: &copy.greeting,
        paragraphs: &copy.paragraphs,
        label: &copy.coupon_label,
        coupon,
        coupon_line: labelled(locale, &copy.coupon_label, coupon),
        usable: &copy.usable_from,
        closing: &copy.closing,
        shop: &shop.name,
        url: &shop_url,
        more: mail
            .page_url
            .as_deref()
            .map(|url| MoreLink::new(locale, &more_text, &more_label, url)),
    };
    let (text, html) = render_pair(&RewardText { m: &view }, &RewardHtml { m: &view })?;
    Ok(OutgoingMail {
        to: mail.to.clone(),
        subject: copy.subject,
        text,
        html,
        headers: Vec::new(),
        reply_to: None,
    })
}

/// The friend's first-order code, mailed when they claim the offer: amount, minimum order, the
/// last day, and the link that applies it.
pub fn render_offer(mail: &OfferMail) -> Result<OutgoingMail, RenderError> {
    let (locale, shop, apply_url) = (mail.locale, &mail.shop, mail.apply_url.as_str());
    let amount = money(mail.amount_cents, &mail.currency, locale);
    let minimum = money(mail.min_order_cents, &mail.currency, locale);
    let until = day(mail.expires_at, locale);
    let name = &shop.name;
    let subject = text_with(
        locale,
        "mail-offer-subject",
        &[("amount", Arg::from(&amount)), ("shop", Arg::from(name))],
    );
    let greeting = greeting(locale, None);
    let paragraphs = vec![
        text_with(locale, "mail-offer-welcome", &[("shop", Arg::from(name))]),
        text_with(
            locale,
            "mail-offer-saving",
            &[
                ("amount", Arg::from(&amount)),
                ("minimum", Arg::from(&minimum)),
            ],
        ),
        text_with(locale, "mail-offer-apply", &[("url", Arg::from(apply_url))]),
    ];
    let label = text(locale, "mail-offer-code-label");
    let usable = text_with(locale, "mail-valid-until", &[("date", Arg::from(&until))]);
    let closing = text(locale, "mail-closing");
    let coupon = mail.coupon.as_ref();
    let view = RewardCopy {
        lang: locale.as_str(),
        subject: &subject,
        greeting: &greeting,
        paragraphs: &paragraphs,
        label: &label,
        coupon,
        coupon_line: labelled(locale, &label, coupon),
        usable: &usable,
        closing: &closing,
        shop: name,
        url: apply_url,
        more: None,
    };
    let (text, html) = render_pair(&RewardText { m: &view }, &RewardHtml { m: &view })?;
    Ok(OutgoingMail {
        to: mail.to.clone(),
        subject,
        text,
        html,
        headers: Vec::new(),
        reply_to: None,
    })
}

/// The win-back mail: a coupon for a customer whose last order is a buying cycle old, valid
/// until its last day.
pub fn render_winback(mail: &WinbackMail) -> Result<OutgoingMail, RenderError> {
    let shop = &mail.shop;
    let locale = mail.locale.unwrap_or(shop.default_locale);
    let amount = money(mail.amount_cents, &mail.currency, locale);
    let until = day(mail.expires_at, locale);
    let name = mail.name.as_ref().map(|n| n.as_ref().to_owned());
    let copy = copy(
        locale,
        Beneficiary::Winback,
        &shop.name,
        name.as_deref(),
        &amount,
        &until,
    );
    let shop_url = shop.url.to_string();
    let unsubscribe_text = text(locale, "mail-winback-unsubscribe-text");
    let unsubscribe_label = text(locale, "mail-winback-unsubscribe-link");
    let coupon = mail.coupon.as_ref();
    let view = RewardCopy {
        lang: locale.as_str(),
        subject: &copy.subject,
        greeting: &copy.greeting,
        paragraphs: &copy.paragraphs,
        label: &copy.coupon_label,
        coupon,
        coupon_line: labelled(locale, &copy.coupon_label, coupon),
        usable: &copy.usable_from,
        closing: &copy.closing,
        shop: &shop.name,
        url: &shop_url,
        more: Some(MoreLink::new(
            locale,
            &unsubscribe_text,
            &unsubscribe_label,
            &mail.unsubscribe_url,
        )),
    };
    let (text, html) = render_pair(&RewardText { m: &view }, &RewardHtml { m: &view })?;
    Ok(OutgoingMail {
        to: mail.to.clone(),
        subject: copy.subject,
        text,
        html,
        // A marketing mail: one-click unsubscribe (RFC 8058), as every survey mail has.
        headers: vec![
            (
                "List-Unsubscribe".into(),
                format!("<{}>", mail.unsubscribe_url),
            ),
            (
                "List-Unsubscribe-Post".into(),
                "List-Unsubscribe=One-Click".into(),
            ),
        ],
        reply_to: None,
    })
}

/// The words of a reward mail; for a win-back, `date` is the coupon's last day.
fn copy(
    locale: Locale,
    beneficiary: Beneficiary,
    shop: &str,
    name: Option<&str>,
    amount: &str,
    date: &str,
) -> RewardWording {
    let (shop, amount, date) = (Arg::from(shop), Arg::from(amount), Arg::from(date));
    let (subject, paragraphs, usable_from) = match beneficiary {
        Beneficiary::Referrer => (
            text_with(
                locale,
                "mail-reward-referrer-subject",
                &[("amount", amount), ("shop", shop)],
            ),
            vec![
                text_with(locale, "mail-reward-referrer-ordered", &[("shop", shop)]),
                text_with(locale, "mail-reward-referrer-coupon", &[("amount", amount)]),
            ],
            text_with(locale, "mail-usable-from", &[("date", date)]),
        ),
        Beneficiary::Friend => (
            text_with(locale, "mail-reward-friend-subject", &[("amount", amount)]),
            vec![
                text_with(locale, "mail-reward-friend-thanks", &[("shop", shop)]),
                text_with(locale, "mail-coupon-next-order", &[("amount", amount)]),
            ],
            text_with(locale, "mail-usable-from", &[("date", date)]),
        ),
        Beneficiary::Winback => (
            text_with(
                locale,
                "mail-winback-subject",
                &[("amount", amount), ("shop", shop)],
            ),
            vec![
                text_with(locale, "mail-winback-missed", &[("shop", shop)]),
                text_with(locale, "mail-coupon-next-order", &[("amount", amount)]),
            ],
            text_with(locale, "mail-valid-until", &[("date", date)]),
        ),
    };
    RewardWording {
        subject,
        greeting: greeting(locale, name),
        paragraphs,
        coupon_label: text(locale, "mail-coupon-label").into_owned(),
        usable_from,
        closing: text(locale, "mail-closing").into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::model::{CouponCode, Currency, CustomerId, CustomerName, Email, HttpUrl, Reward};
    use crate::ports::ShopIdentity;

    fn mail(locale: Option<Locale>, beneficiary: Beneficiary, name: &str) -> RewardMail {
        RewardMail {
            to: Email::parse("anna@example.com").expect("email"),
            name: Some(CustomerName::parse(name).expect("name")),
            locale,
            reward: Reward {
                beneficiary,
                customer_id: CustomerId::parse("c-1").expect("id"),
                coupon: CouponCode::parse("ABCDEFGH2345").expect("coupon"),
                amount_cents: 1000,
                currency: Currency::parse("EUR").expect("currency"),
                available_from: Utc
                    .with_ymd_and_hms(2026, 3, 15, 12, 0, 0)
                    .single()
                    .expect("time"),
                valid_until: None,
            },
            page_url: None,
            shop: shop(),
        }
    }

    fn shop() -> ShopIdentity {
        ShopIdentity {
            name: "Demo & Co".into(),
            url: HttpUrl::parse("https://shop.example").expect("url"),
            default_locale: Locale::De,
        }
    }

    #[test]
    fn german_referrer_mail_names_coupon_amount_and_date() {
        let rendered = render(&mail(None, Beneficiary::Referrer, "Anna")).expect("renders");
        assert!(rendered.subject.contains("10,00 €"), "{}", rendered.subject);
        assert!(rendered.text.contains("Hallo Anna,"));
        assert!(rendered.text.contains("Ihr Gutscheincode: ABCDEFGH2345"));
        assert!(rendered.text.contains("einlösbar ab 15.03.2026"));
        assert!(rendered.html.contains("lang=\"de\""));
        assert!(rendered.html.contains("Demo &#38; Co"));
    }

    #[test]
    fn the_referrers_mail_links_their_page_when_there_is_one() {
        let page = "https://r.example/me/ABCD2345/8JCQ6GyW_7Q60ZuRUExLLw";
        let without = render(&mail(None, Beneficiary::Referrer, "Anna")).expect("renders");
        assert!(!without.text.contains("Empfehlungsseite"));
        let with = RewardMail {
            page_url: Some(page.into()),
            ..mail(Some(Locale::En), Beneficiary::Referrer, "Anna")
        };
        let rendered = render(&with).expect("renders");
        assert!(rendered
            .text
            .contains(&format!("Open your referral page: {page}")));
        assert!(rendered.html.contains(&format!("<a href=\"{page}\"")));
    }

    #[test]
    fn english_friend_mail_thanks_for_the_first_order() {
        let rendered =
            render(&mail(Some(Locale::En), Beneficiary::Friend, "Bob")).expect("renders");
        assert!(rendered.subject.starts_with("Thank you for your purchase"));
        assert!(rendered.text.contains("usable from 15 March 2026"));
        assert!(rendered.text.contains("€10.00"));
    }

    /// French writes the amount after the number with a no-break space, the day as 15/03/2026,
    /// and a no-break space before a colon.
    #[test]
    fn french_referrer_mail_names_amount_and_date_the_french_way() {
        let rendered =
            render(&mail(Some(Locale::Fr), Beneficiary::Referrer, "Anne")).expect("renders");
        assert!(
            rendered.subject.contains("10,00\u{a0}€"),
            "{}",
            rendered.subject
        );
        assert!(
            rendered.subject.contains("Demo & Co"),
            "{}",
            rendered.subject
        );
        assert!(rendered.text.contains("Bonjour Anne,"), "{}", rendered.text);
        assert!(rendered.text.contains("15/03/2026"), "{}", rendered.text);
        assert!(
            rendered
                .text
                .contains("Votre code de réduction\u{a0}: ABCDEFGH2345"),
            "{}",
            rendered.text
        );
        assert!(rendered.html.contains("lang=\"fr\""));
    }

    #[test]
    fn names_are_escaped_in_html() {
        let rendered =
            render(&mail(None, Beneficiary::Friend, "<script>x</script>")).expect("renders");
        assert!(!rendered.html.contains("<script>"));
        assert!(rendered.html.contains("&#60;script&#62;x"));
    }
}
