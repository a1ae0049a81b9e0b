//! What staff do with the answers: read them by segment, and close the loop on every detractor.

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};

use super::{Category, Comment, CustomerId, Locale, OrderId, Score};

/// A survey's public id (`srv_` and 32 hex digits): names it in listings, events and follow-up
/// routes without granting what its link grants.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SurveyId(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("is not a survey id (srv_ and 32 hex digits)")]
pub struct SurveyIdError;

const SURVEY_ID_PREFIX: &str = "srv_";
/// What `SurveyId::parse` accepts, as a regular expression for API documents.
pub const SURVEY_ID_PATTERN: &str = "^srv_[0-9a-f]{32}$";

impl SurveyId {
    pub(crate) fn from_digest(digest: &str) -> Self {
        Self(format!("{SURVEY_ID_PREFIX}{}", &digest[..32]))
    }

    pub fn parse(raw: &str) -> Result<Self, SurveyIdError> {
        let hex = raw.strip_prefix(SURVEY_ID_PREFIX).ok_or(SurveyIdError)?;
        if hex.len() == 32 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(SurveyIdError)
        }
    }
}

impl AsRef<str> for SurveyId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SurveyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where an answer came from, as the shop names it (a product category, a sales channel):
/// 1–64 printable characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Segment(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be 1 to {MAX_SEGMENT_CHARS} printable characters")]
pub struct SegmentError;

pub const MAX_SEGMENT_CHARS: usize = 64;

impl Segment {
    pub fn parse(raw: &str) -> Result<Self, SegmentError> {
        let trimmed = raw.trim();
        let length = trimmed.chars().count();
        if (1..=MAX_SEGMENT_CHARS).contains(&length) && !trimmed.chars().any(char::is_control) {
            Ok(Self(trimmed.to_owned()))
        } else {
            Err(SegmentError)
        }
    }
}

impl AsRef<str> for Segment {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Segment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where support stands with a detractor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FollowUpStatus {
    /// Nobody has answered the customer yet.
    Open,
    Contacted,
    Resolved,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be open, contacted or resolved")]
pub struct FollowUpStatusError;

impl FollowUpStatus {
    pub fn parse(raw: &str) -> Result<Self, FollowUpStatusError> {
        match raw.trim() {
            "open" => Ok(Self::Open),
            "contacted" => Ok(Self::Contacted),
            "resolved" => Ok(Self::Resolved),
            _ => Err(FollowUpStatusError),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Contacted => "contacted",
            Self::Resolved => "resolved",
        }
    }
}

/// Support's note on a follow-up: trimmed, at most 1000 characters; blank means none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUpNote(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be at most {MAX_NOTE_CHARS} characters")]
pub struct FollowUpNoteError;

pub const MAX_NOTE_CHARS: usize = 1000;

impl FollowUpNote {
    pub fn parse(raw: &str) -> Result<Option<Self>, FollowUpNoteError> {
        let trimmed = raw.trim();
        if trimmed.chars().count() > MAX_NOTE_CHARS {
            return Err(FollowUpNoteError);
        }
        Ok((!trimmed.is_empty()).then(|| Self(trimmed.to_owned())))
    }
}

impl AsRef<str> for FollowUpNote {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// The loop on one detractor's answer: opened with the answer, moved on by support.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUp {
    pub status: FollowUpStatus,
    pub note: Option<FollowUpNote>,
    pub updated_at: DateTime<Utc>,
    /// The UTC day it was opened: the day the open-detractor counter counts it on, so a later
    /// change of status moves the same day's counter back.
    pub opened_on: NaiveDate,
    /// 1 when opened, +1 per change: concurrent changes cannot both apply.
    pub version: u64,
}

impl FollowUp {
    pub fn open(at: DateTime<Utc>, version: u64) -> Self {
        Self {
            status: FollowUpStatus::Open,
            note: None,
            updated_at: at,
            opened_on: at.date_naive(),
            version,
        }
    }

    fn is_open(&self) -> bool {
        self.status == FollowUpStatus::Open
    }
}

/// How a change of follow-up moves the open-detractor day counters: −1 where an open one was
/// counted, +1 where the new one is open (one entry per day, zero moves dropped).
pub fn open_follow_up_moves(previous: Option<&FollowUp>, next: &FollowUp) -> Vec<(NaiveDate, i64)> {
    let mut moves: Vec<(NaiveDate, i64)> = Vec::new();
    let mut add = |day: NaiveDate, delta: i64| match moves.iter_mut().find(|(d, _)| *d == day) {
        Some((_, existing)) => *existing += delta,
        None => moves.push((day, delta)),
    };
    if let Some(previous) = previous.filter(|p| p.is_open()) {
        add(previous.opened_on, -1);
    }
    if next.is_open() {
        add(next.opened_on, 1);
    }
    moves.retain(|(_, delta)| *delta != 0);
    moves
}

/// An answered survey as staff read it: never the link token, email or name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub survey_id: SurveyId,
    pub order_id: OrderId,
    pub customer_id: CustomerId,
    pub score: Score,
    pub comment: Option<Comment>,
    pub locale: Option<Locale>,
    pub segment: Option<Segment>,
    pub answered_at: DateTime<Utc>,
    /// The score before the latest change, if the customer changed it.
    pub previous_score: Option<Score>,
    pub follow_up: Option<FollowUp>,
}

impl Response {
    pub fn category(&self) -> Category {
        self.score.category()
    }
}

/// Which responses to list: answered in `[from, to]` (UTC days), optionally narrowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseFilter {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub category: Option<Category>,
    pub has_comment: Option<bool>,
    pub follow_up: Option<FollowUpStatus>,
    pub segment: Option<Segment>,
}

impl ResponseFilter {
    /// Sort-key bounds of the range's days, `[lower, upper)`: keys start with the answer's
    /// RFC 3339 time, so whole days compare as text prefixes.
    pub fn key_bounds(&self) -> (String, String) {
        let day_after = self.to.succ_opt().unwrap_or(self.to);
        (
            self.from.format("%Y-%m-%d").to_string(),
            day_after.format("%Y-%m-%d").to_string(),
        )
    }
}

/// Where the next page starts: strictly older than this answer (ties broken by survey id, so
/// the order is total).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseCursor {
    pub answered_at: DateTime<Utc>,
    pub survey_id: SurveyId,
}

impl ResponseCursor {
    pub fn after(response: &Response) -> Self {
        Self {
            answered_at: response.answered_at,
            survey_id: response.survey_id.clone(),
        }
    }

    /// The sort key of this position: answers sort by this text, newest last.
    pub fn sort_key(&self) -> String {
        response_sort_key(self.answered_at, &self.survey_id)
    }
}

/// How responses sort, as text, in both stores: the answer's time, then the survey id.
pub fn response_sort_key(answered_at: DateTime<Utc>, survey_id: &SurveyId) -> String {
    format!("{}#{survey_id}", super::rfc3339(answered_at))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, day, 9, 30, 0).unwrap()
    }

    #[test]
    fn segments_are_printable_and_bounded() {
        assert_eq!(Segment::parse(" Schuhe ").map(|s| s.0), Ok("Schuhe".into()));
        assert!(Segment::parse(&"ü".repeat(64)).is_ok());
        for bad in ["", "  ", "a\nb", "tab\there"] {
            assert_eq!(Segment::parse(bad), Err(SegmentError), "{bad:?}");
        }
        assert_eq!(Segment::parse(&"ü".repeat(65)), Err(SegmentError));
    }

    #[test]
    fn survey_ids_are_prefixed_lower_hex() {
        let id = "srv_0123456789abcdef0123456789abcdef";
        assert_eq!(SurveyId::parse(id).map(|s| s.to_string()), Ok(id.into()));
        for bad in [
            "srv_0123456789ABCDEF0123456789abcdef",
            "0123456789abcdef0123456789abcdef",
            "srv_0123",
        ] {
            assert_eq!(SurveyId::parse(bad), Err(SurveyIdError), "{bad}");
        }
    }

    #[test]
    fn only_open_follow_ups_are_counted_on_their_opening_day() {
        let opened = FollowUp::open(at(2), 1);
        assert_eq!(
            open_follow_up_moves(None, &opened),
            vec![(at(2).date_naive(), 1)]
        );
        let contacted = FollowUp {
            status: FollowUpStatus::Contacted,
            updated_at: at(5),
            version: 2,
            ..opened.clone()
        };
        assert_eq!(
            open_follow_up_moves(Some(&opened), &contacted),
            vec![(at(2).date_naive(), -1)]
        );
        let noted = FollowUp {
            note: FollowUpNote::parse("called").expect("note"),
            version: 2,
            ..opened.clone()
        };
        assert_eq!(open_follow_up_moves(Some(&opened), &noted), vec![]);
        let reopened = FollowUp::open(at(9), 3);
        assert_eq!(
            open_follow_up_moves(Some(&contacted), &reopened),
            vec![(at(9).date_naive(), 1)]
        );
    }
}
