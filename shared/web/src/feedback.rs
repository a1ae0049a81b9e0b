//! Responses and follow-ups on the wire: one shape for the listing, the CSV export and the
//! follow-up route's answer.

use domain::model::{rfc3339, FollowUp, Response};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct FollowUpBody {
    /// `open`, `contacted` or `resolved`.
    pub status: &'static str,
    pub note: Option<String>,
    pub updated_at: String,
}

impl From<&FollowUp> for FollowUpBody {
    fn from(follow_up: &FollowUp) -> Self {
        Self {
            status: follow_up.status.as_str(),
            note: follow_up.note.as_ref().map(|n| n.as_ref().to_owned()),
            updated_at: rfc3339(follow_up.updated_at),
        }
    }
}

/// A response as `GET /responses` lists it: the survey's public id, never its link token, and
/// no email or name.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResponseBody {
    pub survey_id: String,
    pub order_id: String,
    pub customer_id: String,
    pub score: u8,
    /// `promoter`, `passive` or `detractor`.
    pub category: &'static str,
    pub comment: Option<String>,
    pub locale: Option<&'static str>,
    pub segment: Option<String>,
    pub answered_at: String,
    pub previous_score: Option<u8>,
    pub follow_up: Option<FollowUpBody>,
}

impl From<&Response> for ResponseBody {
    fn from(response: &Response) -> Self {
        Self {
            survey_id: response.survey_id.to_string(),
            order_id: response.order_id.to_string(),
            customer_id: response.customer_id.to_string(),
            score: response.score.value(),
            category: response.category().as_str(),
            comment: response.comment.as_ref().map(|c| c.as_ref().to_owned()),
            locale: response.locale.map(|l| l.as_str()),
            segment: response.segment.as_ref().map(ToString::to_string),
            answered_at: rfc3339(response.answered_at),
            previous_score: response.previous_score.map(|s| s.value()),
            follow_up: response.follow_up.as_ref().map(FollowUpBody::from),
        }
    }
}
