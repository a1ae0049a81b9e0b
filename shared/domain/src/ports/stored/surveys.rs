//! Surveys as stored: the request's decision, a detractor's follow-up, a listed response.

use chrono::NaiveDate;

use super::{corrupt, optional, parse_timestamp};
use crate::model::{
    Comment, CustomerId, FollowUp, FollowUpNote, FollowUpStatus, Locale, OrderId, Response, Score,
    Segment, SkipReason, SurveyDecision, SurveyId, SurveyToken,
};
use crate::ports::StoreError;

/// "sent" or the skip reason, as stored.
pub fn decision_label(decision: &SurveyDecision) -> &'static str {
    match decision {
        SurveyDecision::Sent(_) => "sent",
        SurveyDecision::Skipped(reason) => reason.as_str(),
    }
}

pub fn decision_from(label: &str, token: Option<&str>) -> Result<SurveyDecision, StoreError> {
    match (label, token) {
        ("sent", Some(token)) => Ok(SurveyDecision::Sent(
            SurveyToken::parse(token).map_err(|_| corrupt("survey token"))?,
        )),
        (other, _) => SkipReason::parse(other)
            .map(SurveyDecision::Skipped)
            .ok_or_else(|| corrupt("survey decision")),
    }
}

/// A follow-up from its stored columns/attributes; none stored means none opened.
pub fn follow_up(
    status: Option<&str>,
    note: Option<&str>,
    updated_at: Option<&str>,
    opened_on: Option<&str>,
    version: Option<u64>,
) -> Result<Option<FollowUp>, StoreError> {
    let Some(status) = status else {
        return Ok(None);
    };
    let (Some(updated_at), Some(opened_on), Some(version)) = (updated_at, opened_on, version)
    else {
        return Err(corrupt("follow-up"));
    };
    Ok(Some(FollowUp {
        status: FollowUpStatus::parse(status).map_err(|_| corrupt("follow-up status"))?,
        note: note
            .map(FollowUpNote::parse)
            .transpose()
            .map_err(|_| corrupt("follow-up note"))?
            .flatten(),
        updated_at: parse_timestamp(updated_at)?,
        opened_on: NaiveDate::parse_from_str(opened_on, "%Y-%m-%d")
            .map_err(|_| corrupt("follow-up day"))?,
        version,
    }))
}

/// A listed response's stored fields, as both stores keep them (SQLite columns, the responses
/// index's attributes).
pub struct StoredResponse<'a> {
    pub survey_id: &'a str,
    pub order_id: &'a str,
    pub customer_id: &'a str,
    pub score: u64,
    pub comment: Option<&'a str>,
    pub locale: Option<&'a str>,
    pub segment: Option<&'a str>,
    pub answered_at: &'a str,
    pub previous_score: Option<u64>,
    pub follow_up: Option<FollowUp>,
}

pub fn response(stored: StoredResponse<'_>) -> Result<Response, StoreError> {
    let score = |n: u64| {
        u8::try_from(n)
            .ok()
            .and_then(|n| Score::new(n).ok())
            .ok_or_else(|| corrupt("response score"))
    };
    Ok(Response {
        survey_id: SurveyId::parse(stored.survey_id).map_err(|_| corrupt("survey id"))?,
        order_id: OrderId::parse(stored.order_id).map_err(|_| corrupt("response order"))?,
        customer_id: CustomerId::parse(stored.customer_id)
            .map_err(|_| corrupt("response customer"))?,
        score: score(stored.score)?,
        comment: optional(stored.comment, Comment::parse, "comment")?.flatten(),
        locale: optional(stored.locale, Locale::parse, "locale")?,
        segment: optional(stored.segment, Segment::parse, "segment")?,
        answered_at: parse_timestamp(stored.answered_at)?,
        previous_score: stored.previous_score.map(score).transpose()?,
        follow_up: stored.follow_up,
    })
}
