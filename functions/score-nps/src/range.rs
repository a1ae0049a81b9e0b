//! The `from`/`to` query parameters shared by every route.

use chrono::{Days, Months, NaiveDate};
use web::ApiError;

/// `from` and `to`, as every route reads them: the extractor and the API document's description.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct RangeParams {
    /// First UTC day of the range (`YYYY-MM-DD`), inclusive; empty or absent: the route's default
    /// span before `to`. A range of 3 years or more is refused.
    #[param(pattern = "^([0-9]{4}-[0-9]{2}-[0-9]{2})?$")]
    pub from: Option<String>,
    /// Last UTC day of the range, inclusive; empty or absent: today.
    #[param(pattern = "^([0-9]{4}-[0-9]{2}-[0-9]{2})?$")]
    pub to: Option<String>,
}

/// Longer ranges are refused: they would mean thousands of day items per request.
pub const MAX_RANGE_YEARS: u32 = 3;
const DEFAULT_DAYS: u64 = 30;

/// An inclusive range of UTC days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateRange {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl DateRange {
    /// `from`/`to` as `YYYY-MM-DD`; without them the last 30 UTC days up to `today`.
    pub(crate) fn parse(params: &RangeParams, today: NaiveDate) -> Result<Self, ApiError> {
        Self::parse_or_last(params, today, DEFAULT_DAYS)
    }

    /// As [`DateRange::parse`], with `default_days` ending with `to` when `from` is not given.
    pub(crate) fn parse_or_last(
        params: &RangeParams,
        today: NaiveDate,
        default_days: u64,
    ) -> Result<Self, ApiError> {
        let day = |name: &str, value: &Option<String>| {
            web::given(value)
                .map(|raw| {
                    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
                        .map_err(|_| ApiError::invalid_field(name, "must be a date as YYYY-MM-DD"))
                })
                .transpose()
        };
        let to = day("to", &params.to)?.unwrap_or(today);
        let from = match day("from", &params.from)? {
            Some(from) => from,
            None => to
                .checked_sub_days(Days::new(default_days.saturating_sub(1)))
                .unwrap_or(to),
        };
        if from > to {
            return Err(ApiError::invalid_field("from", "must not be after to"));
        }
        let limit = from.checked_add_months(Months::new(12 * MAX_RANGE_YEARS));
        if limit.is_none_or(|limit| to >= limit) {
            return Err(ApiError::invalid_field(
                "to",
                format!("must be less than {MAX_RANGE_YEARS} years after from"),
            ));
        }
        Ok(Self { from, to })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(pairs: &[(&str, &str)]) -> RangeParams {
        let value = |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        };
        RangeParams {
            from: value("from"),
            to: value("to"),
        }
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    #[test]
    fn defaults_to_the_last_thirty_days() {
        let range = DateRange::parse(&query(&[]), date(2026, 11, 22)).expect("range");
        assert_eq!(
            (range.from, range.to),
            (date(2026, 10, 24), date(2026, 11, 22))
        );
    }

    #[test]
    fn empty_values_are_absent_ones() {
        let today = date(2026, 11, 22);
        assert_eq!(
            DateRange::parse(&query(&[("from", ""), ("to", "")]), today).expect("range"),
            DateRange::parse(&query(&[]), today).expect("range")
        );
    }

    #[test]
    fn another_default_span_ends_with_the_given_to() {
        let today = date(2026, 11, 22);
        let range =
            DateRange::parse_or_last(&query(&[("to", "2026-06-30")]), today, 90).expect("range");
        assert_eq!(
            (range.from, range.to),
            (date(2026, 4, 2), date(2026, 6, 30))
        );
        let explicit =
            DateRange::parse_or_last(&query(&[("from", "2026-06-01")]), today, 90).expect("range");
        assert_eq!((explicit.from, explicit.to), (date(2026, 6, 1), today));
    }

    #[test]
    fn three_years_is_the_limit() {
        let today = date(2026, 1, 1);
        assert!(DateRange::parse(
            &query(&[("from", "2023-01-02"), ("to", "2026-01-01")]),
            today
        )
        .is_ok());
        let error = DateRange::parse(
            &query(&[("from", "2023-01-01"), ("to", "2026-01-01")]),
            today,
        )
        .expect_err("too long");
        assert!(matches!(error, ApiError::InvalidField { ref field, .. } if field == "to"));
    }

    #[test]
    fn bad_input_names_the_parameter() {
        let today = date(2026, 1, 1);
        let field_of = |pairs: &[(&str, &str)]| match DateRange::parse(&query(pairs), today) {
            Err(ApiError::InvalidField { field, .. }) => field,
            other => panic!("expected invalid_field, got {other:?}"),
        };
        assert_eq!(field_of(&[("from", "2026-13-01")]), "from");
        assert_eq!(field_of(&[("to", "yesterday")]), "to");
        assert_eq!(
            field_of(&[("from", "2026-02-02"), ("to", "2026-02-01")]),
            "from"
        );
    }
}
