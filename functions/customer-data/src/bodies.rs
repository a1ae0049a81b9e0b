//! The wire forms of an export and an erasure: one JSON document each, built from domain values.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use domain::model::ReferralStats;
use domain::model::{rfc3339, Coupon, CouponState, OfferClaim, Survey};
use domain::ports::{Erasure, MessageSummary, OptOut, OrderRecord, PersonalData, Profile};
use serde::Serialize;
use utoipa::ToSchema;

/// Everything held about the person, in one document (Art. 15 access, Art. 20 portability).
#[derive(Serialize, ToSchema)]
pub(crate) struct ExportBody {
    exported_at: String,
    profiles: Vec<ProfileBody>,
    referral_codes: Vec<CodeBody>,
    orders: Vec<OrderBody>,
    coupons: Vec<CouponBody>,
    /// Claims of the friend's first-order offer: held by the address's keyed fingerprint, not
    /// the address.
    claims: Vec<ClaimBody>,
    surveys: Vec<SurveyBody>,
    opt_outs: Vec<OptOutBody>,
    messages: Vec<MessageBody>,
}

#[derive(Serialize, ToSchema)]
#[schema(as = ExportedProfile)]
struct ProfileBody {
    customer_id: String,
    email: Option<String>,
    name: Option<String>,
    locale: Option<&'static str>,
    created_at: String,
    order_count: u64,
    first_order_at: Option<String>,
    last_order_at: Option<String>,
    /// Minor units per currency.
    order_totals: BTreeMap<String, u64>,
    order_days: Vec<String>,
    erased_at: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[schema(as = ExportedReferralCode)]
struct CodeBody {
    code: String,
    customer_id: String,
    created_at: String,
    clicks: u64,
    conversions: u64,
}

#[derive(Serialize, ToSchema)]
#[schema(as = ExportedOrder)]
struct OrderBody {
    order_id: String,
    customer_id: String,
    placed_at: String,
    total_minor: Option<u64>,
    currency: Option<String>,
    refunded_minor: u64,
    refunded_at: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[schema(as = ExportedCoupon)]
struct CouponBody {
    code: String,
    beneficiary: &'static str,
    customer_id: String,
    amount_cents: u64,
    currency: String,
    available_from: String,
    valid_until: Option<String>,
    status: &'static str,
    redeemed_order: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[schema(as = ExportedSurvey)]
struct SurveyBody {
    survey_id: String,
    order_id: String,
    customer_id: String,
    email: Option<String>,
    name: Option<String>,
    locale: Option<&'static str>,
    segment: Option<String>,
    sent_at: String,
    score: Option<u8>,
    comment: Option<String>,
    answered_at: Option<String>,
    follow_up: Option<FollowUpBody>,
}

#[derive(Serialize, ToSchema)]
#[schema(as = ExportedFollowUp)]
struct FollowUpBody {
    status: &'static str,
    note: Option<String>,
    updated_at: String,
}

#[derive(Serialize, ToSchema)]
#[schema(as = ExportedOptOut)]
struct OptOutBody {
    /// The keyed fingerprint of the address that opted out: what is kept of it.
    fingerprint: String,
    opted_out_at: String,
}

#[derive(Serialize, ToSchema)]
#[schema(as = ExportedMessage)]
struct MessageBody {
    id: String,
    kind: &'static str,
    reference: String,
    status: &'static str,
    attempts: u32,
    created_at: String,
}

impl ExportBody {
    pub(crate) fn new(data: &PersonalData, now: DateTime<Utc>) -> Self {
        Self {
            exported_at: rfc3339(now),
            profiles: data.profiles.iter().map(profile).collect(),
            referral_codes: data.referral_codes.iter().map(code).collect(),
            orders: data.orders.iter().map(order).collect(),
            coupons: data.coupons.iter().map(|c| coupon(c, now)).collect(),
            claims: data.claims.iter().map(claim).collect(),
            surveys: data.surveys.iter().map(survey).collect(),
            opt_outs: data.opt_outs.iter().map(opt_out).collect(),
            messages: data.messages.iter().map(message).collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
#[schema(as = ExportedClaim)]
struct ClaimBody {
    /// The referral code the offer was claimed on.
    code: String,
    coupon: String,
    customer_id: String,
    amount_cents: u64,
    currency: String,
    min_order_cents: u64,
    claimed_at: String,
    expires_at: String,
}

fn claim(claim: &OfferClaim) -> ClaimBody {
    ClaimBody {
        code: claim.code.to_string(),
        coupon: claim.coupon.to_string(),
        customer_id: claim.customer_id.to_string(),
        amount_cents: claim.amount_cents,
        currency: claim.currency.to_string(),
        min_order_cents: claim.min_order_cents,
        claimed_at: rfc3339(claim.claimed_at),
        expires_at: rfc3339(claim.expires_at),
    }
}

fn profile(profile: &Profile) -> ProfileBody {
    ProfileBody {
        customer_id: profile.customer_id.to_string(),
        email: profile.email.as_ref().map(ToString::to_string),
        name: profile.name.as_ref().map(ToString::to_string),
        locale: profile.locale.map(|l| l.as_str()),
        created_at: rfc3339(profile.created_at),
        order_count: profile.history.order_count,
        first_order_at: profile.history.first_order_at.map(rfc3339),
        last_order_at: profile.history.last_order_at.map(rfc3339),
        order_totals: profile.history.totals.clone(),
        order_days: profile
            .history
            .order_days
            .iter()
            .map(|d| d.to_string())
            .collect(),
        erased_at: profile.erased_at.map(rfc3339),
    }
}

fn code(stats: &ReferralStats) -> CodeBody {
    CodeBody {
        code: stats.issued.code.to_string(),
        customer_id: stats.issued.customer_id.to_string(),
        created_at: rfc3339(stats.issued.created_at),
        clicks: stats.clicks,
        conversions: stats.conversions,
    }
}

fn order(order: &OrderRecord) -> OrderBody {
    OrderBody {
        order_id: order.order_id.to_string(),
        customer_id: order.customer_id.to_string(),
        placed_at: rfc3339(order.placed_at),
        total_minor: order.total.map(|t| t.get()),
        currency: order.currency.as_ref().map(ToString::to_string),
        refunded_minor: order.refunded_minor,
        refunded_at: order.refunded_at.map(rfc3339),
    }
}

fn coupon(coupon: &Coupon, now: DateTime<Utc>) -> CouponBody {
    let reward = &coupon.reward;
    CouponBody {
        code: reward.coupon.to_string(),
        beneficiary: reward.beneficiary.as_str(),
        customer_id: reward.customer_id.to_string(),
        amount_cents: reward.amount_cents,
        currency: reward.currency.to_string(),
        available_from: rfc3339(reward.available_from),
        valid_until: reward.valid_until.map(rfc3339),
        status: coupon.status_at(now).status.as_str(),
        redeemed_order: match &coupon.state {
            CouponState::Redeemed { order_id } => Some(order_id.to_string()),
            CouponState::Review | CouponState::Issued | CouponState::Revoked => None,
        },
    }
}

fn survey(survey: &Survey) -> SurveyBody {
    let answer = survey.answer.as_ref();
    SurveyBody {
        survey_id: survey.token.survey_id().to_string(),
        order_id: survey.order_id.to_string(),
        customer_id: survey.customer_id.to_string(),
        email: survey.email.as_ref().map(ToString::to_string),
        name: survey.name.as_ref().map(ToString::to_string),
        locale: survey.locale.map(|l| l.as_str()),
        segment: survey.segment.as_ref().map(ToString::to_string),
        sent_at: rfc3339(survey.sent_at),
        score: answer.map(|a| a.score.value()),
        comment: answer
            .and_then(|a| a.comment.as_ref())
            .map(|c| c.as_ref().to_owned()),
        answered_at: answer.map(|a| rfc3339(a.answered_at)),
        follow_up: survey.follow_up.as_ref().map(|f| FollowUpBody {
            status: f.status.as_str(),
            note: f.note.as_ref().map(|n| n.as_ref().to_owned()),
            updated_at: rfc3339(f.updated_at),
        }),
    }
}

fn opt_out(opt_out: &OptOut) -> OptOutBody {
    OptOutBody {
        fingerprint: opt_out.person.to_string(),
        opted_out_at: rfc3339(opt_out.at),
    }
}

fn message(message: &MessageSummary) -> MessageBody {
    MessageBody {
        id: message.id.to_string(),
        kind: message.kind.as_str(),
        reference: message.reference.clone(),
        status: message.status.as_str(),
        attempts: message.attempts,
        created_at: rfc3339(message.created_at),
    }
}

/// What one erasure removed; all zero when there was nothing (left) to remove.
#[derive(Serialize, ToSchema)]
pub(crate) struct ErasureBody {
    erased: ErasedBody,
}

#[derive(Serialize, ToSchema)]
struct ErasedBody {
    profiles: u32,
    referral_codes: u32,
    /// Claims of the friend's offer deleted.
    claims: u32,
    surveys: u32,
    messages_cancelled: u32,
    messages_cleared: u32,
}

impl From<Erasure> for ErasureBody {
    fn from(erasure: Erasure) -> Self {
        Self {
            erased: ErasedBody {
                profiles: erasure.profiles,
                referral_codes: erasure.referral_codes,
                claims: erasure.claims,
                surveys: erasure.surveys,
                messages_cancelled: erasure.messages_cancelled,
                messages_cleared: erasure.messages_cleared,
            },
        }
    }
}

/// `POST /customers/export` and `POST /customers/erase`: the person, by address.
#[derive(ToSchema)]
#[allow(
    dead_code,
    reason = "describes the body for the API document; JsonFields reads it"
)]
pub(crate) struct ByAddress {
    /// Any spelling of the address (`+tags`, Gmail's dots) finds the same person.
    #[schema(format = Email, max_length = 254, example = "bea@example.com")]
    email: String,
}
