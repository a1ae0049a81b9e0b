//! The thank-you mail with the one-click survey, and the detractor alert for support. The words
//! come from the catalog ([`crate::texts`]); the question and the scale's ends are the survey
//! page's, so the mail and the page ask the same.

use askama::Template;

use super::letters::{greeting, labelled, render_pair, RenderError};
use crate::ports::{DetractorAlert, OutgoingMail, SurveyMailJob};
use crate::texts::{text, text_with, Arg};

/// One score button of the survey mail: the link that preselects it.
struct ScoreLink {
    score: u8,
    url: String,
    color: &'static str,
    /// "score: url" for the plain-text mail, the score right-aligned.
    line: String,
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
    /// "unsubscribe: url" for the plain-text mail.
    unsubscribe_line: String,
    share: Option<ShareLine<'a>>,
}

/// The "share with friends" line: the referrer's page, when create-referral serves pages.
struct ShareLine<'a> {
    text: &'a str,
    label: &'a str,
    url: &'a str,
    /// "label: url" for the plain-text mail.
    line: String,
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
    /// The rows as "label: value" lines, for the plain-text mail.
    lines: &'a [String],
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
    let with_shop = [("shop", Arg::from(shop_name))];
    let share_text = text_with(locale, "mail-survey-share", &with_shop);
    let share_label = text(locale, "mail-referral-page-link");
    let (subject, thanks) = if reminder {
        (
            text_with(locale, "mail-reminder-subject", &with_shop),
            text_with(locale, "mail-reminder-opening", &with_shop),
        )
    } else {
        (
            text_with(locale, "mail-survey-subject", &with_shop),
            text_with(locale, "mail-survey-thanks", &with_shop),
        )
    };
    let greeting = greeting(locale, name.as_deref());
    let question = text_with(locale, "survey-question", &with_shop);
    let low = text(locale, "survey-scale-low");
    let high = text(locale, "survey-scale-high");
    let hint = text(locale, "mail-survey-hint");
    let unsubscribe = text(locale, "mail-survey-unsubscribe");
    let links: Vec<ScoreLink> = (0..=10u8)
        .map(|score| {
            let url = survey_url(score);
            ScoreLink {
                score,
                line: labelled(locale, &format!("{score:>2}"), &url),
                url,
                color: match score {
                    0..=6 => "#dc2626",
                    7..=8 => "#ca8a04",
                    _ => "#16a34a",
                },
            }
        })
        .collect();
    let shop_url = shop.url.to_string();
    let copy = SurveyCopy {
        lang: locale.as_str(),
        subject: &subject,
        greeting: &greeting,
        thanks: &thanks,
        question: &question,
        low: &low,
        high: &high,
        links: &links,
        hint: &hint,
        shop_name,
        shop_url: &shop_url,
        unsubscribe: &unsubscribe,
        unsubscribe_url: &unsubscribe_url,
        unsubscribe_line: labelled(locale, &unsubscribe, &unsubscribe_url),
        share: job.share_page.as_deref().map(|url| ShareLine {
            text: &share_text,
            label: &share_label,
            url,
            line: labelled(locale, &share_label, url),
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
    let locale = shop.default_locale;
    let comment = alert.comment.as_deref().unwrap_or("–");
    let order = alert.order_id.to_string();
    let subject = text_with(
        locale,
        "mail-alert-subject",
        &[
            ("score", Arg::from(alert.score.value())),
            ("order", Arg::from(&order)),
        ],
    );
    let intro = text(locale, "mail-alert-intro");
    let labels = [
        text(locale, "mail-alert-score"),
        text(locale, "mail-alert-comment"),
        text(locale, "mail-alert-order"),
        text(locale, "mail-alert-customer"),
        text(locale, "mail-alert-email"),
    ];
    let rows = [
        (&*labels[0], format!("{}/10", alert.score)),
        (&*labels[1], comment.to_owned()),
        (&*labels[2], order.clone()),
        (&*labels[3], alert.customer_id.to_string()),
        (
            &*labels[4],
            alert
                .customer_email
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
        ),
    ];
    let lines: Vec<String> = rows
        .iter()
        .map(|(label, value)| labelled(locale, label, value))
        .collect();
    let copy = AlertCopy {
        subject: &subject,
        intro: &intro,
        rows: &rows,
        lines: &lines,
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
