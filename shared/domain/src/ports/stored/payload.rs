//! An outbox message's payload as both stores keep it: JSON, tagged by its form. Mails are kept as
//! the facts they tell (ports::Letter), with short field names: a mail message is written, claimed
//! and settled as one item, so its size is its cost.

use serde::{Deserialize, Serialize};

use super::{corrupt, parse_timestamp};
use crate::model::{
    rfc3339, Beneficiary, CouponCode, Currency, CustomerId, CustomerName, DiscountOrigin, Email,
    HttpUrl, Locale, NewDiscount, OrderId, ReferralCode, ReviewDecision, Reward, Score,
    SurveyToken,
};
use crate::ports::{
    DetractorAlert, DiscountAction, Letter, OfferMail, OutgoingMail, Payload, ReminderPlan,
    ReviewPlan, RewardMail, Scheduled, ShopIdentity, StoreError, SurveyMailJob, WinbackMail,
    WinbackPlan,
};

/// An outbox message's payload as stored.
#[derive(Serialize, Deserialize)]
#[serde(tag = "form", rename_all = "snake_case")]
enum PayloadRecord {
    RewardMail {
        to: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        locale: Option<String>,
        #[serde(flatten)]
        reward: RewardRecord,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        page: Option<String>,
        shop: ShopRecord,
    },
    OfferMail {
        to: String,
        locale: String,
        coupon: String,
        amount: u64,
        minimum: u64,
        currency: String,
        until: String,
        apply: String,
        shop: ShopRecord,
    },
    SurveyMail(SurveyRecord),
    ReminderMail(SurveyRecord),
    WinbackMail {
        to: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        locale: Option<String>,
        coupon: String,
        amount: u64,
        currency: String,
        until: String,
        unsub: String,
        shop: ShopRecord,
    },
    SurveyReminder {
        token: String,
        base: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        page: Option<String>,
        shop: ShopRecord,
        link_until: String,
    },
    Winback {
        customer: String,
        amount: u64,
        currency: String,
        days: u32,
        unsub: String,
        shop: ShopRecord,
    },
    ReviewDecision {
        order: String,
        decision: String,
        shop: ShopRecord,
    },
    DetractorAlert {
        to: String,
        score: u8,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        comment: Option<String>,
        order: String,
        customer: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        email: Option<String>,
        shop: ShopRecord,
    },
    /// A mail written rendered, by versions before letters.
    Mail {
        to: String,
        subject: String,
        text: String,
        html: String,
        headers: Vec<(String, String)>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reply_to: Option<String>,
    },
    Event {
        body: String,
    },
    DiscountCreate {
        coupon: String,
        beneficiary: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        order_id: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        referral_code: Option<String>,
        /// A win-back coupon's discount (it has neither an order nor a referral code).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        winback: bool,
        #[serde(default, skip_serializing_if = "is_zero")]
        min_order_cents: u64,
        customer_id: String,
        amount_cents: u64,
        currency: String,
        starts_at: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ends_at: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        email: Option<String>,
    },
    DiscountDeactivate {
        coupon: String,
    },
}

/// The survey mail's and its reminder's facts.
#[derive(Serialize, Deserialize)]
struct SurveyRecord {
    to: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    locale: Option<String>,
    token: String,
    base: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    page: Option<String>,
    shop: ShopRecord,
}

fn survey_record(job: &SurveyMailJob) -> SurveyRecord {
    SurveyRecord {
        to: job.to.to_string(),
        name: job.name.as_ref().map(|n| n.as_ref().to_owned()),
        locale: job.locale.map(|l| l.as_str().to_owned()),
        token: job.token.to_string(),
        base: job.links_base.clone(),
        page: job.share_page.clone(),
        shop: shop_record(&job.shop),
    }
}

fn survey_job(record: SurveyRecord) -> Result<SurveyMailJob, StoreError> {
    Ok(SurveyMailJob {
        to: email(&record.to)?,
        name: name(record.name)?,
        locale: record.locale.as_deref().map(locale).transpose()?,
        token: survey_token(&record.token)?,
        links_base: record.base,
        share_page: record.page,
        shop: shop_from(record.shop)?,
    })
}

fn survey_token(raw: &str) -> Result<SurveyToken, StoreError> {
    SurveyToken::parse(raw).map_err(|_| corrupt("survey token"))
}

fn currency(raw: &str) -> Result<Currency, StoreError> {
    Currency::parse(raw).map_err(|_| corrupt("currency"))
}

fn scheduled_record(step: &Scheduled) -> PayloadRecord {
    match step {
        Scheduled::SurveyReminder(plan) => PayloadRecord::SurveyReminder {
            token: plan.token.to_string(),
            base: plan.links_base.clone(),
            page: plan.share_page.clone(),
            shop: shop_record(&plan.shop),
            link_until: rfc3339(plan.link_expires_at),
        },
        Scheduled::Winback(plan) => PayloadRecord::Winback {
            customer: plan.customer_id.to_string(),
            amount: plan.amount_cents,
            currency: plan.currency.to_string(),
            days: plan.valid_days,
            unsub: plan.unsubscribe_url.clone(),
            shop: shop_record(&plan.shop),
        },
        Scheduled::ReviewDecision(plan) => PayloadRecord::ReviewDecision {
            order: plan.order_id.to_string(),
            decision: plan.decision.as_str().to_owned(),
            shop: shop_record(&plan.shop),
        },
    }
}

/// How the shop presented itself when the mail was decided.
#[derive(Serialize, Deserialize)]
struct ShopRecord {
    name: String,
    url: String,
    locale: String,
}

/// A reward as stored inside a record (a reward mail's payload, a held reward).
#[derive(Serialize, Deserialize)]
pub(super) struct RewardRecord {
    beneficiary: String,
    customer: String,
    coupon: String,
    amount: u64,
    currency: String,
    from: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    until: Option<String>,
}

impl From<&Reward> for RewardRecord {
    fn from(reward: &Reward) -> Self {
        Self {
            beneficiary: reward.beneficiary.as_str().to_owned(),
            customer: reward.customer_id.to_string(),
            coupon: reward.coupon.to_string(),
            amount: reward.amount_cents,
            currency: reward.currency.to_string(),
            from: rfc3339(reward.available_from),
            until: reward.valid_until.map(rfc3339),
        }
    }
}

impl RewardRecord {
    pub(super) fn reward(&self) -> Result<Reward, StoreError> {
        Ok(Reward {
            beneficiary: Beneficiary::parse(&self.beneficiary)
                .ok_or_else(|| corrupt("reward beneficiary"))?,
            customer_id: CustomerId::parse(&self.customer)
                .map_err(|_| corrupt("reward customer"))?,
            coupon: CouponCode::parse(&self.coupon).map_err(|_| corrupt("reward coupon"))?,
            amount_cents: self.amount,
            currency: currency(&self.currency)?,
            available_from: parse_timestamp(&self.from)?,
            valid_until: self.until.as_deref().map(parse_timestamp).transpose()?,
        })
    }
}

fn shop_record(shop: &ShopIdentity) -> ShopRecord {
    ShopRecord {
        name: shop.name.clone(),
        url: shop.url.to_string(),
        locale: shop.default_locale.as_str().to_owned(),
    }
}

fn shop_from(record: ShopRecord) -> Result<ShopIdentity, StoreError> {
    Ok(ShopIdentity {
        name: record.name,
        url: HttpUrl::parse(&record.url).map_err(|_| corrupt("mail shop url"))?,
        default_locale: locale(&record.locale)?,
    })
}

fn locale(raw: &str) -> Result<Locale, StoreError> {
    Locale::parse(raw).map_err(|_| corrupt("mail locale"))
}

fn email(raw: &str) -> Result<Email, StoreError> {
    Email::parse(raw).map_err(|_| corrupt("mail address"))
}

fn name(raw: Option<String>) -> Result<Option<CustomerName>, StoreError> {
    raw.as_deref()
        .map(CustomerName::parse)
        .transpose()
        .map_err(|_| corrupt("mail name"))
}

fn letter_record(letter: &Letter) -> PayloadRecord {
    match letter {
        Letter::Reward(mail) => PayloadRecord::RewardMail {
            to: mail.to.to_string(),
            name: mail.name.as_ref().map(|n| n.as_ref().to_owned()),
            locale: mail.locale.map(|l| l.as_str().to_owned()),
            reward: RewardRecord::from(&mail.reward),
            page: mail.page_url.clone(),
            shop: shop_record(&mail.shop),
        },
        Letter::Offer(mail) => PayloadRecord::OfferMail {
            to: mail.to.to_string(),
            locale: mail.locale.as_str().to_owned(),
            coupon: mail.coupon.to_string(),
            amount: mail.amount_cents,
            minimum: mail.min_order_cents,
            currency: mail.currency.to_string(),
            until: rfc3339(mail.expires_at),
            apply: mail.apply_url.clone(),
            shop: shop_record(&mail.shop),
        },
        Letter::Survey(job) => PayloadRecord::SurveyMail(survey_record(job)),
        Letter::SurveyReminder(job) => PayloadRecord::ReminderMail(survey_record(job)),
        Letter::Winback(mail) => PayloadRecord::WinbackMail {
            to: mail.to.to_string(),
            name: mail.name.as_ref().map(|n| n.as_ref().to_owned()),
            locale: mail.locale.map(|l| l.as_str().to_owned()),
            coupon: mail.coupon.to_string(),
            amount: mail.amount_cents,
            currency: mail.currency.to_string(),
            until: rfc3339(mail.expires_at),
            unsub: mail.unsubscribe_url.clone(),
            shop: shop_record(&mail.shop),
        },
        Letter::DetractorAlert(alert) => PayloadRecord::DetractorAlert {
            to: alert.to.to_string(),
            score: alert.score.value(),
            comment: alert.comment.clone(),
            order: alert.order_id.to_string(),
            customer: alert.customer_id.to_string(),
            email: alert.customer_email.as_ref().map(ToString::to_string),
            shop: shop_record(&alert.shop),
        },
        Letter::Rendered(mail) => PayloadRecord::Mail {
            to: mail.to.to_string(),
            subject: mail.subject.clone(),
            text: mail.text.clone(),
            html: mail.html.clone(),
            headers: mail.headers.clone(),
            reply_to: mail.reply_to.as_ref().map(ToString::to_string),
        },
    }
}

fn is_zero(value: &u64) -> bool {
    *value == 0
}

pub fn payload_to_json(payload: &Payload) -> String {
    let record = match payload {
        Payload::Mail(letter) => letter_record(letter),
        Payload::Event { body } => PayloadRecord::Event { body: body.clone() },
        Payload::Discount(DiscountAction::Create(discount)) => PayloadRecord::DiscountCreate {
            coupon: discount.coupon.to_string(),
            beneficiary: discount.beneficiary.as_str().to_owned(),
            order_id: match &discount.origin {
                DiscountOrigin::Order(order_id) => Some(order_id.to_string()),
                DiscountOrigin::Claim(_) | DiscountOrigin::Winback => None,
            },
            referral_code: match &discount.origin {
                DiscountOrigin::Claim(code) => Some(code.to_string()),
                DiscountOrigin::Order(_) | DiscountOrigin::Winback => None,
            },
            winback: discount.origin == DiscountOrigin::Winback,
            min_order_cents: discount.min_order_cents,
            customer_id: discount.customer_id.to_string(),
            amount_cents: discount.amount_cents,
            currency: discount.currency.to_string(),
            starts_at: rfc3339(discount.starts_at),
            ends_at: discount.ends_at.map(rfc3339),
            email: discount.email.as_ref().map(ToString::to_string),
        },
        Payload::Discount(DiscountAction::Deactivate { coupon }) => {
            PayloadRecord::DiscountDeactivate {
                coupon: coupon.to_string(),
            }
        }
        Payload::Scheduled(step) => scheduled_record(step),
    };
    serde_json::to_string(&record).unwrap_or_else(|_| "{}".into())
}

pub fn payload_from_json(json: &str) -> Result<Payload, StoreError> {
    let record: PayloadRecord =
        serde_json::from_str(json).map_err(|_| corrupt("outbox payload"))?;
    Ok(match record {
        PayloadRecord::Mail {
            to,
            subject,
            text,
            html,
            headers,
            reply_to,
        } => Payload::Mail(Letter::Rendered(OutgoingMail {
            to: email(&to)?,
            subject,
            text,
            html,
            headers,
            reply_to: reply_to
                .as_deref()
                .map(Email::parse)
                .transpose()
                .map_err(|_| corrupt("outbox mail reply-to"))?,
        })),
        PayloadRecord::RewardMail {
            to,
            name: recipient,
            locale: language,
            reward,
            page,
            shop,
        } => Payload::Mail(Letter::Reward(RewardMail {
            to: email(&to)?,
            name: name(recipient)?,
            locale: language.as_deref().map(locale).transpose()?,
            reward: reward.reward()?,
            page_url: page,
            shop: shop_from(shop)?,
        })),
        PayloadRecord::OfferMail {
            to,
            locale: language,
            coupon,
            amount,
            minimum,
            currency,
            until,
            apply,
            shop,
        } => Payload::Mail(Letter::Offer(OfferMail {
            to: email(&to)?,
            locale: locale(&language)?,
            coupon: CouponCode::parse(&coupon).map_err(|_| corrupt("mail coupon"))?,
            amount_cents: amount,
            min_order_cents: minimum,
            currency: Currency::parse(&currency).map_err(|_| corrupt("mail currency"))?,
            expires_at: parse_timestamp(&until)?,
            apply_url: apply,
            shop: shop_from(shop)?,
        })),
        PayloadRecord::SurveyMail(record) => Payload::Mail(Letter::Survey(survey_job(record)?)),
        PayloadRecord::ReminderMail(record) => {
            Payload::Mail(Letter::SurveyReminder(survey_job(record)?))
        }
        PayloadRecord::WinbackMail {
            to,
            name: recipient,
            locale: language,
            coupon,
            amount,
            currency: code,
            until,
            unsub,
            shop,
        } => Payload::Mail(Letter::Winback(WinbackMail {
            to: email(&to)?,
            name: name(recipient)?,
            locale: language.as_deref().map(locale).transpose()?,
            coupon: CouponCode::parse(&coupon).map_err(|_| corrupt("mail coupon"))?,
            amount_cents: amount,
            currency: currency(&code)?,
            expires_at: parse_timestamp(&until)?,
            unsubscribe_url: unsub,
            shop: shop_from(shop)?,
        })),
        PayloadRecord::ReviewDecision {
            order,
            decision,
            shop,
        } => Payload::Scheduled(Scheduled::ReviewDecision(ReviewPlan {
            order_id: OrderId::parse(&order).map_err(|_| corrupt("review's order"))?,
            decision: ReviewDecision::parse(&decision).ok_or_else(|| corrupt("review decision"))?,
            shop: shop_from(shop)?,
        })),
        PayloadRecord::SurveyReminder {
            token,
            base,
            page,
            shop,
            link_until,
        } => Payload::Scheduled(Scheduled::SurveyReminder(ReminderPlan {
            token: survey_token(&token)?,
            links_base: base,
            share_page: page,
            shop: shop_from(shop)?,
            link_expires_at: parse_timestamp(&link_until)?,
        })),
        PayloadRecord::Winback {
            customer,
            amount,
            currency: code,
            days,
            unsub,
            shop,
        } => Payload::Scheduled(Scheduled::Winback(WinbackPlan {
            customer_id: CustomerId::parse(&customer).map_err(|_| corrupt("win-back customer"))?,
            amount_cents: amount,
            currency: currency(&code)?,
            valid_days: days,
            unsubscribe_url: unsub,
            shop: shop_from(shop)?,
        })),
        PayloadRecord::DetractorAlert {
            to,
            score,
            comment,
            order,
            customer,
            email: customer_email,
            shop,
        } => Payload::Mail(Letter::DetractorAlert(DetractorAlert {
            to: email(&to)?,
            score: Score::new(score).map_err(|_| corrupt("alert score"))?,
            comment,
            order_id: OrderId::parse(&order).map_err(|_| corrupt("alert order id"))?,
            customer_id: CustomerId::parse(&customer).map_err(|_| corrupt("alert customer"))?,
            customer_email: customer_email.as_deref().map(email).transpose()?,
            shop: shop_from(shop)?,
        })),
        PayloadRecord::Event { body } => Payload::Event { body },
        PayloadRecord::DiscountCreate {
            coupon,
            beneficiary,
            order_id,
            referral_code,
            winback,
            min_order_cents,
            customer_id,
            amount_cents,
            currency,
            starts_at,
            ends_at,
            email,
        } => Payload::Discount(DiscountAction::Create(NewDiscount {
            coupon: CouponCode::parse(&coupon).map_err(|_| corrupt("discount coupon"))?,
            beneficiary: Beneficiary::parse(&beneficiary)
                .ok_or_else(|| corrupt("discount beneficiary"))?,
            origin: match (order_id, referral_code) {
                (Some(order_id), _) => DiscountOrigin::Order(
                    OrderId::parse(&order_id).map_err(|_| corrupt("discount order id"))?,
                ),
                (None, Some(code)) => DiscountOrigin::Claim(
                    ReferralCode::parse(&code).map_err(|_| corrupt("discount referral code"))?,
                ),
                (None, None) if winback => DiscountOrigin::Winback,
                (None, None) => return Err(corrupt("discount without origin")),
            },
            min_order_cents,
            customer_id: CustomerId::parse(&customer_id)
                .map_err(|_| corrupt("discount customer id"))?,
            amount_cents,
            currency: Currency::parse(&currency).map_err(|_| corrupt("discount currency"))?,
            starts_at: parse_timestamp(&starts_at)?,
            ends_at: ends_at.as_deref().map(parse_timestamp).transpose()?,
            email: email
                .as_deref()
                .map(Email::parse)
                .transpose()
                .map_err(|_| corrupt("discount address"))?,
        })),
        PayloadRecord::DiscountDeactivate { coupon } => {
            Payload::Discount(DiscountAction::Deactivate {
                coupon: CouponCode::parse(&coupon).map_err(|_| corrupt("discount coupon"))?,
            })
        }
    })
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;

    fn shop() -> ShopIdentity {
        ShopIdentity {
            name: "Demo & Co".into(),
            url: HttpUrl::parse("https://shop.example").expect("url"),
            default_locale: Locale::De,
        }
    }

    fn at(year: i32) -> chrono::DateTime<Utc> {
        Utc.with_ymd_and_hms(year, 3, 15, 10, 0, 0).unwrap() + chrono::Duration::milliseconds(488)
    }

    fn round_trips(payload: Payload) -> String {
        let json = payload_to_json(&payload);
        assert_eq!(
            payload_from_json(&json).expect("reads back"),
            payload,
            "{json}"
        );
        json
    }

    #[test]
    fn letters_round_trip_and_stay_small() {
        let anna = Email::parse("anna@example.com").expect("email");
        let reward = Letter::Reward(RewardMail {
            to: anna.clone(),
            name: Some(CustomerName::parse("Anna").expect("name")),
            locale: Some(Locale::En),
            reward: Reward {
                beneficiary: Beneficiary::Referrer,
                customer_id: CustomerId::parse("c-1").expect("id"),
                coupon: CouponCode::parse("ABCDEFGH2345").expect("coupon"),
                amount_cents: 1000,
                currency: Currency::parse("EUR").expect("currency"),
                available_from: at(2026),
                valid_until: Some(at(2027)),
            },
            page_url: Some("https://r.example/me/ABCD2345/8JCQ6GyW_7Q60ZuRUExLLw".into()),
            shop: shop(),
        });
        let offer = Letter::Offer(OfferMail {
            to: anna.clone(),
            locale: Locale::De,
            coupon: CouponCode::parse("ABCDEFGH2345").expect("coupon"),
            amount_cents: 1000,
            min_order_cents: 2500,
            currency: Currency::parse("EUR").expect("currency"),
            expires_at: at(2026),
            apply_url: "https://shop.example/discount/ABCDEFGH2345".into(),
            shop: shop(),
        });
        let survey = Letter::Survey(SurveyMailJob {
            to: anna.clone(),
            name: None,
            locale: None,
            token: SurveyToken::generate(),
            links_base: "https://s.example".into(),
            share_page: None,
            shop: shop(),
        });
        let alert = Letter::DetractorAlert(DetractorAlert {
            to: Email::parse("support@shop.example").expect("email"),
            score: Score::new(3).expect("score"),
            comment: Some("Late, and the box was \"damaged\".".into()),
            order_id: OrderId::parse("1001").expect("order"),
            customer_id: CustomerId::parse("c-1").expect("id"),
            customer_email: Some(anna.clone()),
            shop: shop(),
        });
        for letter in [reward, offer, survey, alert] {
            let json = round_trips(Payload::Mail(letter));
            // A message item is about 300 bytes; with its letter it stays one 1 KB write.
            assert!(json.len() < 600, "{} bytes: {json}", json.len());
        }
    }

    #[test]
    fn scheduled_steps_and_their_letters_round_trip_and_stay_small() {
        let token = SurveyToken::generate();
        let reminder = Payload::Scheduled(Scheduled::SurveyReminder(ReminderPlan {
            token: token.clone(),
            links_base: "https://s.example".into(),
            share_page: Some("https://r.example/me/ABCD2345/8JCQ6GyW_7Q60ZuRUExLLw".into()),
            shop: shop(),
            link_expires_at: at(2026),
        }));
        let winback = Payload::Scheduled(Scheduled::Winback(WinbackPlan {
            customer_id: CustomerId::parse("c-1").expect("id"),
            amount_cents: 500,
            currency: Currency::parse("EUR").expect("currency"),
            valid_days: 30,
            unsubscribe_url: "https://s.example/u/c/c-1/8JCQ6GyW_7Q60ZuRUExLLw".into(),
            shop: shop(),
        }));
        let reminder_mail = Payload::Mail(Letter::SurveyReminder(SurveyMailJob {
            to: Email::parse("anna@example.com").expect("email"),
            name: None,
            locale: Some(Locale::De),
            token,
            links_base: "https://s.example".into(),
            share_page: None,
            shop: shop(),
        }));
        let winback_mail = Payload::Mail(Letter::Winback(WinbackMail {
            to: Email::parse("anna@example.com").expect("email"),
            name: Some(CustomerName::parse("Anna").expect("name")),
            locale: None,
            coupon: CouponCode::parse("ABCDEFGH2345").expect("coupon"),
            amount_cents: 500,
            currency: Currency::parse("EUR").expect("currency"),
            expires_at: at(2027),
            unsubscribe_url: "https://s.example/u/c/c-1/8JCQ6GyW_7Q60ZuRUExLLw".into(),
            shop: shop(),
        }));
        let winback_discount = Payload::Discount(DiscountAction::Create(NewDiscount {
            coupon: CouponCode::parse("ABCDEFGH2345").expect("coupon"),
            beneficiary: Beneficiary::Winback,
            origin: DiscountOrigin::Winback,
            customer_id: CustomerId::parse("c-1").expect("id"),
            amount_cents: 500,
            currency: Currency::parse("EUR").expect("currency"),
            starts_at: at(2026),
            ends_at: Some(at(2027)),
            min_order_cents: 0,
            email: None,
        }));
        for payload in [
            reminder,
            winback,
            reminder_mail,
            winback_mail,
            winback_discount,
        ] {
            let json = round_trips(payload);
            assert!(json.len() < 600, "{} bytes: {json}", json.len());
        }
    }

    #[test]
    fn a_mail_written_rendered_is_still_sent_as_written() {
        let json = r#"{"form":"mail","to":"anna@example.com","subject":"Hi","text":"Hello","html":"<p>Hello</p>","headers":[["List-Unsubscribe","<https://s.example/u/x>"]]}"#;
        let Payload::Mail(Letter::Rendered(mail)) = payload_from_json(json).expect("reads") else {
            panic!("not a rendered mail");
        };
        assert_eq!(mail.subject, "Hi");
        assert_eq!(mail.headers.len(), 1);
        round_trips(Payload::Mail(Letter::Rendered(mail)));
    }

    #[test]
    fn discount_payloads_round_trip() {
        let discount = NewDiscount {
            coupon: CouponCode::parse("ABCDEFGH2345").expect("coupon"),
            beneficiary: Beneficiary::Friend,
            origin: DiscountOrigin::Order(OrderId::parse("1001").expect("order")),
            customer_id: CustomerId::parse("7001").expect("customer"),
            amount_cents: 1000,
            currency: Currency::parse("EUR").expect("currency"),
            starts_at: Utc.with_ymd_and_hms(2026, 3, 15, 10, 0, 0).unwrap(),
            ends_at: Some(Utc.with_ymd_and_hms(2027, 3, 15, 10, 0, 0).unwrap()),
            min_order_cents: 0,
            email: Some(Email::parse("anna@example.com").expect("email")),
        };
        let offer = NewDiscount {
            origin: DiscountOrigin::Claim(ReferralCode::parse("ABCD2345").expect("code")),
            min_order_cents: 2000,
            ..discount.clone()
        };
        let create = Payload::Discount(DiscountAction::Create(discount));
        let create_offer = Payload::Discount(DiscountAction::Create(offer));
        let deactivate = Payload::Discount(DiscountAction::Deactivate {
            coupon: CouponCode::parse("ABCDEFGH2345").expect("coupon"),
        });
        for payload in [create, create_offer, deactivate] {
            let json = payload_to_json(&payload);
            assert_eq!(
                payload_from_json(&json).expect("reads back"),
                payload,
                "{json}"
            );
        }
        assert!(payload_from_json(r#"{"form":"discount_create","coupon":"x"}"#).is_err());
    }
}
