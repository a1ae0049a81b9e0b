//! The one pagination every listing uses: `limit` and an opaque `cursor`, read the same way and
//! refused with the same words on every route.

use base64::Engine;
use chrono::{DateTime, Utc};
use domain::model::rfc3339;

use crate::ApiError;

/// A JSON page's size when `limit` is not given, and its largest.
pub const DEFAULT_PAGE: usize = 50;
pub const MAX_PAGE: usize = 100;

/// A listing's `limit`: absent or empty (a form's unset field) is `default`; otherwise a whole
/// number from 1 to `max`, blanks around it ignored.
pub fn page_limit(raw: Option<&str>, default: usize, max: usize) -> Result<usize, ApiError> {
    match raw.filter(|raw| !raw.is_empty()) {
        None => Ok(default),
        Some(raw) => raw
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| {
                ApiError::invalid_field("limit", format!("must be a whole number from 1 to {max}"))
            }),
    }
}

/// Where a listing's next page starts: the last listed item's time and id. Opaque to clients:
/// base64url of `<time>|<id>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub at: DateTime<Utc>,
    pub id: String,
}

impl Cursor {
    pub fn encode(at: DateTime<Utc>, id: &str) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{}|{id}", rfc3339(at)))
    }

    /// The `cursor` parameter as the listing's own position type (`build` checks the id); absent
    /// or empty is the first page, anything this route did not hand out is `invalid_field`.
    pub fn parse<T, E>(
        raw: Option<&str>,
        build: impl FnOnce(DateTime<Utc>, &str) -> Result<T, E>,
    ) -> Result<Option<T>, ApiError> {
        let Some(raw) = raw.filter(|raw| !raw.is_empty()) else {
            return Ok(None);
        };
        let refused = || ApiError::invalid_field("cursor", "is not a cursor from a previous page");
        let cursor = Self::decode(raw.trim()).ok_or_else(refused)?;
        build(cursor.at, &cursor.id)
            .map(Some)
            .map_err(|_| refused())
    }

    fn decode(raw: &str) -> Option<Self> {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(raw)
            .ok()?;
        let text = String::from_utf8(bytes).ok()?;
        let (at, id) = text.split_once('|')?;
        let at = DateTime::parse_from_rfc3339(at).ok()?.with_timezone(&Utc);
        Some(Self {
            at,
            id: id.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_absent_or_empty_take_the_default_and_the_rest_must_be_in_range() {
        assert_eq!(page_limit(None, 50, 100).ok(), Some(50));
        assert_eq!(page_limit(Some(""), 50, 100).ok(), Some(50));
        assert_eq!(page_limit(Some(" 7 "), 50, 100).ok(), Some(7));
        assert_eq!(page_limit(Some("100"), 50, 100).ok(), Some(100));
        for bad in ["0", "101", "-1", "1.5", "ten", "1e2", " "] {
            assert!(page_limit(Some(bad), 50, 100).is_err(), "{bad}");
        }
    }

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let at = DateTime::parse_from_rfc3339("2026-11-30T10:00:00.123Z")
            .expect("time")
            .with_timezone(&Utc);
        let raw = Cursor::encode(at, "id-1");
        let parsed = Cursor::parse(Some(&raw), |at, id| Ok::<_, ()>((at, id.to_owned())));
        assert_eq!(parsed.ok().flatten(), Some((at, "id-1".to_owned())));
        assert!(matches!(
            Cursor::parse(Some(""), |_, _| Ok::<_, ()>(())),
            Ok(None)
        ));
        for bad in ["!!", "bm9waXBl", &raw[..raw.len() - 2]] {
            assert!(
                Cursor::parse(Some(bad), |_, _| Ok::<_, ()>(())).is_err(),
                "{bad}"
            );
        }
        assert!(
            Cursor::parse(Some(&raw), |_, _| Err::<(), _>("not this route's id")).is_err(),
            "an id the route does not know is refused"
        );
    }
}
