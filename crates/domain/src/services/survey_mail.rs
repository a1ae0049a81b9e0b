//! The thank-you mail with the one-click survey, and the detractor alert for support.

use crate::html::escape;
use crate::model::{Answer, CustomerName, Email, Locale, Survey, SurveyToken};
use crate::ports::OutgoingMail;

use super::reward_mail::ShopIdentity;

/// Everything the survey mail shows; rendered when the survey request commits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyMailJob {
    pub to: Email,
    pub name: Option<CustomerName>,
    pub locale: Option<Locale>,
    pub token: SurveyToken,
    /// Public base URL of collect-survey at the time of sending; links are `<base>/s/<token>`.
    pub links_base: String,
}

pub fn survey(job: &SurveyMailJob, shop: &ShopIdentity) -> OutgoingMail {
    let locale = job.locale.unwrap_or(shop.default_locale);
    let name = job.name.as_ref().map(|n| n.as_ref().to_owned());
    let shop_name = &shop.name;
    let survey_url = |score: u8| format!("{}/s/{}?score={score}", job.links_base, job.token);
    let unsubscribe_url = format!("{}/u/{}", job.links_base, job.token);
    let (subject, greeting, thanks, question, low, high, hint, unsubscribe) = match locale {
        Locale::De => (
            format!("Vielen Dank für Ihren Einkauf bei {shop_name}"),
            name.map_or("Hallo,".to_owned(), |n| format!("Hallo {n},")),
            format!("vielen Dank für Ihren Einkauf bei {shop_name}! Wir hoffen, Sie haben Freude an Ihrer Bestellung."),
            format!("Wie wahrscheinlich ist es, dass Sie {shop_name} einem Freund empfehlen?"),
            "0 = sehr unwahrscheinlich",
            "10 = sehr wahrscheinlich",
            "Ein Klick genügt; auf der nächsten Seite können Sie Ihre Wahl bestätigen und einen Kommentar schreiben.",
            "Keine Umfragen mehr erhalten",
        ),
        Locale::En => (
            format!("Thank you for your purchase at {shop_name}"),
            name.map_or("Hello,".to_owned(), |n| format!("Hello {n},")),
            format!("thank you for your purchase at {shop_name}! We hope you enjoy your order."),
            format!("How likely are you to recommend {shop_name} to a friend?"),
            "0 = not at all likely",
            "10 = extremely likely",
            "One click is enough; on the next page you can confirm your choice and leave a comment.",
            "Stop receiving surveys",
        ),
    };
    let text_links: String = (0..=10u8)
        .map(|score| format!("  {score:>2}: {}\n", survey_url(score)))
        .collect();
    let text = format!(
        "{greeting}\n\n{thanks}\n\n{question}\n({low}, {high})\n\n{text_links}\n{hint}\n\n{shop_name}\n{shop_url}\n\n{unsubscribe}: {unsubscribe_url}\n",
        shop_url = shop.url,
    );
    let cells: String = (0..=10u8)
        .map(|score| {
            let color = match score {
                0..=6 => "#dc2626",
                7..=8 => "#ca8a04",
                _ => "#16a34a",
            };
            format!(
                r#"<td align="center" style="padding:2px;"><a href="{url}" style="display:block;min-width:26px;padding:10px 0;border-radius:6px;background:{color};color:#ffffff;font-weight:bold;text-decoration:none;font-family:Arial,Helvetica,sans-serif;font-size:16px;">{score}</a></td>"#,
                url = escape(&survey_url(score)),
            )
        })
        .collect();
    let html = format!(
        r#"<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{subject}</title></head>
<body style="margin:0;padding:0;background:#f4f4f5;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f4f5;"><tr><td align="center" style="padding:24px 8px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:600px;background:#ffffff;border-radius:8px;font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5;color:#18181b;">
<tr><td style="padding:32px 24px 8px 24px;"><p style="margin:0 0 16px 0;">{greeting}</p><p style="margin:0 0 16px 0;">{thanks}</p><p style="margin:0 0 8px 0;font-weight:bold;">{question}</p></td></tr>
<tr><td style="padding:0 16px;"><table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr>{cells}</tr></table></td></tr>
<tr><td style="padding:4px 24px 0 24px;"><table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="font-size:12px;color:#52525b;"><tr><td align="left">{low}</td><td align="right">{high}</td></tr></table></td></tr>
<tr><td style="padding:16px 24px 24px 24px;"><p style="margin:0 0 16px 0;font-size:14px;color:#52525b;">{hint}</p><p style="margin:0;"><a href="{shop_url}" style="color:#16a34a;">{shop_name}</a></p></td></tr>
</table>
<p style="font-family:Arial,Helvetica,sans-serif;font-size:12px;color:#71717a;margin:16px 0 0 0;"><a href="{unsubscribe_url}" style="color:#71717a;">{unsubscribe}</a></p>
</td></tr></table></body></html>
"#,
        lang = locale.as_str(),
        subject = escape(&subject),
        greeting = escape(&greeting),
        thanks = escape(&thanks),
        question = escape(&question),
        low = escape(low),
        high = escape(high),
        hint = escape(hint),
        shop_url = escape(shop.url.as_str()),
        shop_name = escape(shop_name),
        unsubscribe = escape(unsubscribe),
        unsubscribe_url = escape(&unsubscribe_url),
    );
    OutgoingMail {
        to: job.to.clone(),
        subject,
        text,
        html,
        headers: vec![
            ("List-Unsubscribe".into(), format!("<{unsubscribe_url}>")),
            (
                "List-Unsubscribe-Post".into(),
                "List-Unsubscribe=One-Click".into(),
            ),
        ],
    }
}

/// To the shop's support address, in the shop's language: who was unhappy about which order.
pub fn detractor_alert(
    survey: &Survey,
    answer: &Answer,
    shop: &ShopIdentity,
    support: &Email,
) -> OutgoingMail {
    let comment = answer.comment.as_ref().map_or("–", AsRef::as_ref);
    let (subject, intro, labels) = match shop.default_locale {
        Locale::De => (
            format!(
                "Kritische Bewertung ({}/10) zu Bestellung {}",
                answer.score, survey.order_id
            ),
            "Eine Kundin oder ein Kunde ist unzufrieden. Bitte melden Sie sich zeitnah.",
            ["Bewertung", "Kommentar", "Bestellung", "Kunde", "E-Mail"],
        ),
        Locale::En => (
            format!(
                "Critical rating ({}/10) for order {}",
                answer.score, survey.order_id
            ),
            "A customer is unhappy. Please get in touch soon.",
            ["Score", "Comment", "Order", "Customer", "Email"],
        ),
    };
    let rows = [
        (labels[0], format!("{}/10", answer.score)),
        (labels[1], comment.to_owned()),
        (labels[2], survey.order_id.to_string()),
        (labels[3], survey.customer_id.to_string()),
        (labels[4], survey.email.to_string()),
    ];
    let text = format!(
        "{intro}\n\n{}\n\n{}\n",
        rows.iter()
            .map(|(label, value)| format!("{label}: {value}"))
            .collect::<Vec<_>>()
            .join("\n"),
        shop.name
    );
    let html_rows: String = rows
        .iter()
        .map(|(label, value)| {
            format!(
                r#"<tr><td style="padding:4px 12px 4px 0;color:#52525b;vertical-align:top;">{}</td><td style="padding:4px 0;white-space:pre-wrap;">{}</td></tr>"#,
                escape(label),
                escape(value)
            )
        })
        .collect();
    let html = format!(
        r#"<!DOCTYPE html><html><head><meta charset="utf-8"><title>{subject}</title></head><body style="font-family:Arial,Helvetica,sans-serif;font-size:15px;color:#18181b;"><p>{intro}</p><table role="presentation" cellpadding="0" cellspacing="0">{html_rows}</table></body></html>"#,
        subject = escape(&subject),
        intro = escape(intro),
    );
    OutgoingMail {
        to: support.clone(),
        subject,
        text,
        html,
        headers: Vec::new(),
    }
}
