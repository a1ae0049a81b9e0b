//! The thank-you mail with the one-click survey, and the detractor alert for support.

use askama::Template;

use super::letters::{render_pair, RenderError};
use crate::model::Locale;
use crate::ports::{DetractorAlert, OutgoingMail, SurveyMailJob};

/// One score button of the survey mail: the link that preselects it.
struct ScoreLink {
    score: u8,
    url: String,
    color: &'static str,
}

/// What the survey mail says, shared by its plain-text and HTML templates.
struct SurveyCopy<'a> {
    lang: &'a str,
    subject: &'a str,
    greeting: &'a str,
    thanks: &'a str,
    question: &'a str,
    low: &'a str,
    high: &'a str,
    links: &'a [ScoreLink],
    hint: &'a str,
    shop_name: &'a str,
    shop_url: &'a str,
    unsubscribe: &'a str,
    unsubscribe_url: &'a str,
    share: Option<ShareLine<'a>>,
}

/// The "share with friends" line: the referrer's page, when create-referral serves pages.
struct ShareLine<'a> {
    text: &'a str,
    label: &'a str,
    url: &'a str,
}

#[derive(Template)]
#[template(path = "survey.txt")]
struct SurveyText<'a> {
    m: &'a SurveyCopy<'a>,
}

#[derive(Template)]
#[template(path = "survey.html")]
struct SurveyHtml<'a> {
    m: &'a SurveyCopy<'a>,
}

/// What the detractor alert says, shared by its plain-text and HTML templates.
struct AlertCopy<'a> {
    subject: &'a str,
    intro: &'a str,
    rows: &'a [(&'a str, String)],
    shop_name: &'a str,
}

#[derive(Template)]
#[template(path = "detractor_alert.txt")]
struct AlertText<'a> {
    m: &'a AlertCopy<'a>,
}

#[derive(Template)]
#[template(path = "detractor_alert.html")]
struct AlertHtml<'a> {
    m: &'a AlertCopy<'a>,
}

pub fn survey(job: &SurveyMailJob) -> Result<OutgoingMail, RenderError> {
    survey_or_reminder(job, false)
}

/// The one reminder, days later: the same one-click links and unsubscribe headers, its own
/// subject and opening.
pub fn reminder(job: &SurveyMailJob) -> Result<OutgoingMail, RenderError> {
    survey_or_reminder(job, true)
}

fn survey_or_reminder(job: &SurveyMailJob, reminder: bool) -> Result<OutgoingMail, RenderError> {
    let shop = &job.shop;
    let locale = job.locale.unwrap_or(shop.default_locale);
    let name = job.name.as_ref().map(|n| n.as_ref().to_owned());
    let shop_name = &shop.name;
    let survey_url = |score: u8| format!("{}/s/{}?score={score}", job.links_base, job.token);
    let unsubscribe_url = format!("{}/u/{}", job.links_base, job.token);
    let (share_text, share_label) = match locale {
        Locale::De => (
            format!("Empfehlen Sie {shop_name} Ihren Freunden: Auf Ihrer persönlichen Seite finden Sie Ihren Link zum Teilen und sehen, was Ihre Empfehlungen Ihnen schon eingebracht haben."),
            "Zu Ihrer Empfehlungsseite",
        ),
        Locale::En => (
            format!("Share {shop_name} with friends: your own page has your link to share and shows what your recommendations have earned you."),
            "Open your referral page",
        ),
    };
    let (subject, greeting, thanks, question, low, high, hint, unsubscribe) = match locale {
        Locale::De => (
            format!("Vielen Dank für Ihren Einkauf bei {shop_name}"),
            name.map_or("Hallo,".to_owned(), |n| format!("Hallo {n},")),
            format!("vielen Dank für Ihren Einkauf bei {shop_name}! Wir hoffen, Sie haben Freude an Ihrer Bestellung."),
            format!("Wie wahrscheinlich ist es, dass Sie {shop_name} einem Freund empfehlen?"),
            "0 = sehr unwahrscheinlich",
            "10 = sehr wahrscheinlich",
            "Ein Klick öffnet die Seite mit Ihrer Bewertung; gezählt wird sie, sobald Sie dort auf „Bewertung absenden“ klicken. Ein Kommentar ist freiwillig.",
            "Keine Umfragen mehr erhalten",
        ),
        Locale::En => (
            format!("Thank you for your purchase at {shop_name}"),
            name.map_or("Hello,".to_owned(), |n| format!("Hello {n},")),
            format!("thank you for your purchase at {shop_name}! We hope you enjoy your order."),
            format!("How likely are you to recommend {shop_name} to a friend?"),
            "0 = not at all likely",
            "10 = extremely likely",
            "A click opens the page with your rating; it counts once you press \"Send rating\" there. A comment is optional.",
            "Stop receiving surveys",
        ),
    };
    let (subject, thanks) = if reminder {
        match locale {
            Locale::De => (
                format!("Ihre Meinung zu {shop_name}: eine Frage, ein Klick"),
                format!("vor ein paar Tagen haben wir Sie nach Ihrem Einkauf bei {shop_name} gefragt. Falls Sie noch nicht dazu gekommen sind: Ein Klick genügt, und wir fragen danach nicht noch einmal."),
            ),
            Locale::En => (
                format!("Your view of {shop_name}: one question, one click"),
                format!("a few days ago we asked about your purchase at {shop_name}. In case you have not got round to it: one click is all it takes, and we will not ask again."),
            ),
        }
    } else {
        (subject, thanks)
    };
    let links: Vec<ScoreLink> = (0..=10u8)
        .map(|score| ScoreLink {
            score,
            url: survey_url(score),
            color: match score {
                0..=6 => "#dc2626",
                7..=8 => "#ca8a04",
                _ => "#16a34a",
            },
        })
        .collect();
    let shop_url = shop.url.to_string();
    let copy = SurveyCopy {
        lang: locale.as_str(),
        subject: &subject,
        greeting: &greeting,
        thanks: &thanks,
        question: &question,
        low,
        high,
        links: &links,
        hint,
        shop_name,
        shop_url: &shop_url,
        unsubscribe,
        unsubscribe_url: &unsubscribe_url,
        share: job.share_page.as_deref().map(|url| ShareLine {
            text: &share_text,
            label: share_label,
            url,
        }),
    };
    let (text, html) = render_pair(&SurveyText { m: &copy }, &SurveyHtml { m: &copy })?;
    Ok(OutgoingMail {
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
        reply_to: None,
    })
}

/// To the shop's support address, in the shop's language: who was unhappy about which order.
pub fn detractor_alert(alert: &DetractorAlert) -> Result<OutgoingMail, RenderError> {
    let shop = &alert.shop;
    let comment = alert.comment.as_deref().unwrap_or("–");
    let (subject, intro, labels) = match shop.default_locale {
        Locale::De => (
            format!(
                "Kritische Bewertung ({}/10) zu Bestellung {}",
                alert.score, alert.order_id
            ),
            "Eine Kundin oder ein Kunde ist unzufrieden. Bitte melden Sie sich zeitnah.",
            ["Bewertung", "Kommentar", "Bestellung", "Kunde", "E-Mail"],
        ),
        Locale::En => (
            format!(
                "Critical rating ({}/10) for order {}",
                alert.score, alert.order_id
            ),
            "A customer is unhappy. Please get in touch soon.",
            ["Score", "Comment", "Order", "Customer", "Email"],
        ),
    };
    let rows = [
        (labels[0], format!("{}/10", alert.score)),
        (labels[1], comment.to_owned()),
        (labels[2], alert.order_id.to_string()),
        (labels[3], alert.customer_id.to_string()),
        (
            labels[4],
            alert
                .customer_email
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
        ),
    ];
    let copy = AlertCopy {
        subject: &subject,
        intro,
        rows: &rows,
        shop_name: &shop.name,
    };
    let (text, html) = render_pair(&AlertText { m: &copy }, &AlertHtml { m: &copy })?;
    Ok(OutgoingMail {
        to: alert.to.clone(),
        subject,
        text,
        html,
        headers: Vec::new(),
        reply_to: alert.customer_email.clone(),
    })
}
