//! The two reward mails (referrer: "your friend ordered"; friend: "thank you, here is a coupon
//! for next time"), in German and English, as plain text and mail-client-safe HTML.

use askama::Template;
use chrono::{DateTime, Utc};

use super::letters::{render_pair, RenderError};
use crate::model::{Beneficiary, Currency, Locale};
use crate::ports::{OfferMail, OutgoingMail, RewardMail, WinbackMail};

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
    let (more_text, more_label) = match locale {
        Locale::De => (
            "Auf Ihrer persönlichen Seite sehen Sie, wie viele Freunde Ihrer Empfehlung gefolgt sind, und alle Ihre Gutscheine.",
            "Zu Ihrer Empfehlungsseite",
        ),
        Locale::En => (
            "Your own page shows how many friends followed your recommendation, and all your coupons.",
            "Open your referral page",
        ),
    };
    let view = RewardCopy {
        lang: locale.as_str(),
        subject: &copy.subject,
        greeting: &copy.greeting,
        paragraphs: &copy.paragraphs,
        label: &copy.coupon_label,
        coupon,
        usable: &copy.usable_from,
        closing: &copy.closing,
        shop: &shop.name,
        url: &shop_url,
        more: mail.page_url.as_deref().map(|url| MoreLink {
            text: more_text,
            label: more_label,
            url,
        }),
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
    let (subject, greeting, paragraphs, label, usable, closing) = match locale {
        Locale::De => (
            format!("Ihr {amount}-Gutschein für die erste Bestellung bei {name}"),
            "Hallo,",
            vec![
                format!("ein Freund hat Ihnen {name} empfohlen. Willkommen!"),
                format!(
                    "Mit diesem Code sparen Sie {amount} bei Ihrer ersten Bestellung ab {minimum}."
                ),
                format!("Zum Shop mit eingelöstem Code: {apply_url}"),
            ],
            "Ihr Gutscheincode",
            format!("gültig bis {until}"),
            "Herzliche Grüße",
        ),
        Locale::En => (
            format!("Your {amount} code for your first order at {name}"),
            "Hello,",
            vec![
                format!("a friend recommended {name} to you. Welcome!"),
                format!("This code takes {amount} off your first order of {minimum} or more."),
                format!("To the shop with the code applied: {apply_url}"),
            ],
            "Your code",
            format!("valid until {until}"),
            "Best wishes",
        ),
    };
    let view = RewardCopy {
        lang: locale.as_str(),
        subject: &subject,
        greeting,
        paragraphs: &paragraphs,
        label,
        coupon: mail.coupon.as_ref(),
        usable: &usable,
        closing,
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
    let (unsubscribe_text, unsubscribe_label) = match locale {
        Locale::De => ("Sie möchten solche Mails nicht mehr erhalten?", "Abmelden"),
        Locale::En => ("Rather not receive mails like this?", "Unsubscribe"),
    };
    let view = RewardCopy {
        lang: locale.as_str(),
        subject: &copy.subject,
        greeting: &copy.greeting,
        paragraphs: &copy.paragraphs,
        label: &copy.coupon_label,
        coupon: mail.coupon.as_ref(),
        usable: &copy.usable_from,
        closing: &copy.closing,
        shop: &shop.name,
        url: &shop_url,
        more: Some(MoreLink {
            text: unsubscribe_text,
            label: unsubscribe_label,
            url: &mail.unsubscribe_url,
        }),
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
    match (locale, beneficiary) {
        (Locale::De, Beneficiary::Referrer) => RewardWording {
            subject: format!("Danke für Ihre Empfehlung – Ihr {amount}-Gutschein von {shop}"),
            greeting: name.map_or("Hallo,".into(), |n| format!("Hallo {n},")),
            paragraphs: vec![
                format!("jemand, dem Sie {shop} empfohlen haben, hat gerade zum ersten Mal bei uns bestellt."),
                format!("Als Dankeschön schenken wir Ihnen einen Gutschein über {amount}."),
            ],
            coupon_label: "Ihr Gutscheincode".into(),
            usable_from: format!("einlösbar ab {date}"),
            closing: "Herzliche Grüße".into(),
        },
        (Locale::De, Beneficiary::Friend) => RewardWording {
            subject: format!("Vielen Dank für Ihren Einkauf – {amount} für Ihre nächste Bestellung"),
            greeting: name.map_or("Hallo,".into(), |n| format!("Hallo {n},")),
            paragraphs: vec![
                format!("vielen Dank für Ihre erste Bestellung bei {shop}! Schön, dass Sie auf Empfehlung zu uns gefunden haben."),
                format!("Für Ihre nächste Bestellung schenken wir Ihnen einen Gutschein über {amount}."),
            ],
            coupon_label: "Ihr Gutscheincode".into(),
            usable_from: format!("einlösbar ab {date}"),
            closing: "Herzliche Grüße".into(),
        },
        (Locale::En, Beneficiary::Referrer) => RewardWording {
            subject: format!("Thanks for the recommendation – your {amount} coupon from {shop}"),
            greeting: name.map_or("Hello,".into(), |n| format!("Hello {n},")),
            paragraphs: vec![
                format!("someone you recommended {shop} to has just placed their first order with us."),
                format!("As a thank-you, here is a coupon worth {amount}."),
            ],
            coupon_label: "Your coupon code".into(),
            usable_from: format!("usable from {date}"),
            closing: "Best wishes".into(),
        },
        (Locale::De, Beneficiary::Winback) => RewardWording {
            subject: format!("Wir vermissen Sie – {amount} für Ihre nächste Bestellung bei {shop}"),
            greeting: name.map_or("Hallo,".into(), |n| format!("Hallo {n},")),
            paragraphs: vec![
                format!("Ihre letzte Bestellung bei {shop} ist eine Weile her, und wir würden uns freuen, Sie wiederzusehen."),
                format!("Für Ihre nächste Bestellung schenken wir Ihnen einen Gutschein über {amount}."),
            ],
            coupon_label: "Ihr Gutscheincode".into(),
            usable_from: format!("gültig bis {date}"),
            closing: "Herzliche Grüße".into(),
        },
        (Locale::En, Beneficiary::Winback) => RewardWording {
            subject: format!("We miss you – {amount} off your next order at {shop}"),
            greeting: name.map_or("Hello,".into(), |n| format!("Hello {n},")),
            paragraphs: vec![
                format!("it has been a while since your last order at {shop}, and we would love to see you again."),
                format!("For your next order, here is a coupon worth {amount}."),
            ],
            coupon_label: "Your coupon code".into(),
            usable_from: format!("valid until {date}"),
            closing: "Best wishes".into(),
        },
        (Locale::En, Beneficiary::Friend) => RewardWording {
            subject: format!("Thank you for your purchase – {amount} off your next order"),
            greeting: name.map_or("Hello,".into(), |n| format!("Hello {n},")),
            paragraphs: vec![
                format!("thank you for your first order at {shop}! We are glad a friend sent you our way."),
                format!("For your next order, here is a coupon worth {amount}."),
            ],
            coupon_label: "Your coupon code".into(),
            usable_from: format!("usable from {date}"),
            closing: "Best wishes".into(),
        },
    }
}

/// "10,00 €" in German, "€10.00" in English; codes without a common symbol are written out.
pub fn money(cents: u64, currency: &Currency, locale: Locale) -> String {
    let (major, minor) = (cents / 100, cents % 100);
    let symbol = match currency.as_ref() {
        "EUR" => Some("€"),
        "USD" => Some("$"),
        "GBP" => Some("£"),
        _ => None,
    };
    match (locale, symbol) {
        (Locale::De, Some(symbol)) => format!("{major},{minor:02} {symbol}"),
        (Locale::De, None) => format!("{major},{minor:02} {currency}"),
        (Locale::En, Some(symbol)) => format!("{symbol}{major}.{minor:02}"),
        (Locale::En, None) => format!("{currency} {major}.{minor:02}"),
    }
}

/// The calendar day (UTC) in the reader's convention.
pub fn day(at: DateTime<Utc>, locale: Locale) -> String {
    match locale {
        Locale::De => at.format("%d.%m.%Y").to_string(),
        Locale::En => at.format("%-d %B %Y").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::model::{CouponCode, CustomerId, CustomerName, Email, HttpUrl, Reward};
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
        assert!(rendered.text.contains("ABCDEFGH2345"));
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

    #[test]
    fn names_are_escaped_in_html() {
        let rendered =
            render(&mail(None, Beneficiary::Friend, "<script>x</script>")).expect("renders");
        assert!(!rendered.html.contains("<script>"));
        assert!(rendered.html.contains("&#60;script&#62;x"));
    }
}
