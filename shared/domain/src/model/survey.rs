//! A sent survey and its answer: the 0–10 score, what it says about the customer, the comment.

use std::fmt;

use base64::Engine;
use chrono::{DateTime, Utc};
use rand::RngCore;

use super::{
    CustomerId, CustomerName, Email, FollowUp, Locale, OrderId, PersonFingerprint, Segment,
    SurveyId,
};

/// A Net Promoter answer: 0–10.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Score(u8);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be a whole number from 0 to 10")]
pub struct ScoreError;

/// The NPS bucket a score falls into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Category {
    /// 0–6: unhappy; may talk the shop down.
    Detractor,
    /// 7–8: satisfied but unenthusiastic.
    Passive,
    /// 9–10: would recommend the shop.
    Promoter,
}

impl Score {
    pub const MAX: u8 = 10;

    pub fn parse(raw: &str) -> Result<Self, ScoreError> {
        raw.trim()
            .parse::<u8>()
            .map_err(|_| ScoreError)
            .and_then(Self::new)
    }

    pub fn new(value: u8) -> Result<Self, ScoreError> {
        if value <= Self::MAX {
            Ok(Self(value))
        } else {
            Err(ScoreError)
        }
    }

    pub fn value(self) -> u8 {
        self.0
    }

    pub fn category(self) -> Category {
        match self.0 {
            0..=6 => Category::Detractor,
            7..=8 => Category::Passive,
            _ => Category::Promoter,
        }
    }
}

impl fmt::Display for Score {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl Category {
    /// The scores in this bucket, lowest and highest: how stores filter by category.
    pub fn score_range(self) -> (u8, u8) {
        match self {
            Self::Detractor => (0, 6),
            Self::Passive => (7, 8),
            Self::Promoter => (9, 10),
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "detractor" => Some(Self::Detractor),
            "passive" => Some(Self::Passive),
            "promoter" => Some(Self::Promoter),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Detractor => "detractor",
            Self::Passive => "passive",
            Self::Promoter => "promoter",
        }
    }
}

/// A free-text comment: trimmed, at most 2000 characters; blank means none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be at most {MAX_COMMENT_CHARS} characters")]
pub struct CommentError;

pub const MAX_COMMENT_CHARS: usize = 2000;

impl Comment {
    pub fn parse(raw: &str) -> Result<Option<Self>, CommentError> {
        let trimmed = raw.trim();
        if trimmed.chars().count() > MAX_COMMENT_CHARS {
            return Err(CommentError);
        }
        Ok((!trimmed.is_empty()).then(|| Self(trimmed.replace("\r\n", "\n"))))
    }
}

impl AsRef<str> for Comment {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// The capability in survey and unsubscribe links: 128 random bits, base64url (22 characters).
/// Whoever holds the link may answer; nobody can guess one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SurveyToken(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("is not a survey token")]
pub struct SurveyTokenError;

const TOKEN_BYTES: usize = 16;
const TOKEN_CHARS: usize = 22;

impl SurveyToken {
    pub fn generate() -> Self {
        let mut bytes = [0u8; TOKEN_BYTES];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        Self(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
    }

    pub fn parse(raw: &str) -> Result<Self, SurveyTokenError> {
        let decodes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(raw)
            .is_ok_and(|bytes| bytes.len() == TOKEN_BYTES);
        if raw.len() == TOKEN_CHARS && decodes {
            Ok(Self(raw.to_owned()))
        } else {
            Err(SurveyTokenError)
        }
    }

    /// The survey's public id: names it in events and listings without granting what the link
    /// grants (answering, unsubscribing), since the token cannot be recovered from it.
    pub fn survey_id(&self) -> SurveyId {
        SurveyId::from_digest(&super::fingerprint(&["survey-id", &self.0]))
    }
}

impl AsRef<str> for SurveyToken {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SurveyToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A recorded answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub score: Score,
    pub comment: Option<Comment>,
    pub answered_at: DateTime<Utc>,
    /// 1 for the first answer, +1 for each change: the version that keeps concurrent answers
    /// from both applying (timestamps can collide within a millisecond).
    pub revision: u64,
}

/// A sent survey and its answer so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Survey {
    pub token: SurveyToken,
    pub order_id: OrderId,
    pub customer_id: CustomerId,
    /// `None` once the customer's data was erased: the answer stays (anonymous), the link dies.
    pub email: Option<Email>,
    /// The keyed fingerprint of the address it was sent to; kept after erasure.
    pub person: PersonFingerprint,
    pub name: Option<CustomerName>,
    pub locale: Option<Locale>,
    pub segment: Option<Segment>,
    pub sent_at: DateTime<Utc>,
    /// When its one reminder went out, if it did.
    pub reminded_at: Option<DateTime<Utc>>,
    pub answer: Option<Answer>,
    /// Support's follow-up, opened by a detractor's answer.
    pub follow_up: Option<FollowUp>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_fall_into_nps_buckets() {
        let category = |n| Score::new(n).expect("valid").category();
        assert_eq!(
            (0..=6).map(category).collect::<Vec<_>>(),
            vec![Category::Detractor; 7]
        );
        assert_eq!(
            (category(7), category(8)),
            (Category::Passive, Category::Passive)
        );
        assert_eq!(
            (category(9), category(10)),
            (Category::Promoter, Category::Promoter)
        );
    }

    #[test]
    fn score_ranges_agree_with_the_buckets() {
        for category in [Category::Detractor, Category::Passive, Category::Promoter] {
            let (low, high) = category.score_range();
            for n in 0..=10 {
                let inside = (low..=high).contains(&n);
                assert_eq!(Score::new(n).expect("valid").category() == category, inside);
            }
            assert_eq!(Category::parse(category.as_str()), Some(category));
        }
    }

    #[test]
    fn scores_outside_zero_to_ten_are_refused() {
        assert_eq!(Score::parse(" 7 ").map(Score::value), Ok(7));
        for bad in ["11", "-1", "7.5", "", "ten", "256"] {
            assert_eq!(Score::parse(bad), Err(ScoreError), "{bad}");
        }
    }

    #[test]
    fn comments_are_trimmed_and_bounded() {
        assert_eq!(Comment::parse("  "), Ok(None));
        assert_eq!(
            Comment::parse(" gut ")
                .expect("valid")
                .expect("some")
                .as_ref(),
            "gut"
        );
        assert!(Comment::parse(&"ä".repeat(2000)).is_ok());
        assert_eq!(Comment::parse(&"ä".repeat(2001)), Err(CommentError));
    }

    #[test]
    fn tokens_round_trip_and_tampering_is_detected() {
        let token = SurveyToken::generate();
        assert_eq!(token.as_ref().len(), 22);
        assert_eq!(SurveyToken::parse(token.as_ref()), Ok(token.clone()));
        assert!(SurveyToken::parse(&token.as_ref()[1..]).is_err());
        assert!(SurveyToken::parse(&format!("{}=", &token.as_ref()[1..])).is_err());
        assert!(SurveyToken::parse("../../etc/passwd______").is_err());
    }
}
