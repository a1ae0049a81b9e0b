//! `GET /responses`: answered surveys, newest first, as JSON pages or as CSV files.

use std::sync::Arc;

use axum::extract::{OriginalUri, State};
use axum::http::{header, HeaderMap, HeaderValue, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::model::{
    rfc3339, Category, FollowUpStatus, ResponseCursor, ResponseFilter, Segment, SurveyId,
};
use domain::ports::ResponsePage;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use web::{given, page_limit, ApiError, Cursor, Params, ResponseBody};

use crate::range::{DateRange, RangeParams};
use crate::AppState;

/// Rows per CSV file; a `Link: rel="next"` header points to the next file.
pub const MAX_CSV_ROWS: usize = 5000;
/// A file stops taking rows past this size, well under Lambda's 6 MB response limit (the
/// writer's buffer of 8 KiB and the last row, at most ≈ 9 KB, come on top).
const MAX_CSV_BYTES: usize = 5 * 1024 * 1024;

/// What the query string asks for, parsed once.
pub(crate) struct ResponseQuery {
    pub filter: ResponseFilter,
    pub cursor: Option<ResponseCursor>,
}

impl ResponseQuery {
    pub fn parse(
        range: &RangeParams,
        params: &ResponseParams,
        today: chrono::NaiveDate,
    ) -> Result<Self, ApiError> {
        let range = DateRange::parse(range, today)?;
        let category = given(&params.category)
            .map(str::trim)
            .map(|raw| {
                Category::parse(raw).ok_or_else(|| {
                    ApiError::invalid_field("category", "must be promoter, passive or detractor")
                })
            })
            .transpose()?;
        let has_comment = given(&params.has_comment)
            .map(str::trim)
            .map(|raw| match raw {
                "true" => Ok(true),
                "false" => Ok(false),
                _ => Err(ApiError::invalid_field(
                    "has_comment",
                    "must be true or false",
                )),
            })
            .transpose()?;
        let follow_up = given(&params.follow_up)
            .map(str::trim)
            .map(|raw| {
                FollowUpStatus::parse(raw).map_err(|e| ApiError::invalid_field("follow_up", e))
            })
            .transpose()?;
        let segment = given(&params.segment)
            .map(|raw| Segment::parse(raw).map_err(|e| ApiError::invalid_field("segment", e)))
            .transpose()?;
        let cursor = Cursor::parse(given(&params.cursor), |answered_at, id| {
            SurveyId::parse(id).map(|survey_id| ResponseCursor {
                answered_at,
                survey_id,
            })
        })?;
        Ok(Self {
            filter: ResponseFilter {
                from: range.from,
                to: range.to,
                category,
                has_comment,
                follow_up,
                segment,
            },
            cursor,
        })
    }
}

#[derive(Serialize, ToSchema)]
struct PageBody {
    from: String,
    to: String,
    responses: Vec<ResponseBody>,
    /// Pass as `cursor` for the next page; `null` on the last.
    next_cursor: Option<String>,
}

/// `GET /responses`'s own parameters.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ResponseParams {
    /// `promoter`, `passive` or `detractor`.
    category: Option<String>,
    /// `true` or `false`.
    has_comment: Option<String>,
    /// `open`, `contacted` or `resolved`.
    follow_up: Option<String>,
    /// Only this segment's answers.
    segment: Option<String>,
    /// 1–100 per JSON page (default 50), 1–5000 per CSV file (default 5000).
    limit: Option<String>,
    /// The previous page's `next_cursor`.
    cursor: Option<String>,
    /// `json` or `csv`; without it, `Accept: text/csv` asks for CSV.
    format: Option<String>,
}

/// `GET /responses?from&to&category&has_comment&follow_up&segment&limit&cursor`; CSV with
/// `Accept: text/csv` or `format=csv`.
#[utoipa::path(
    get,
    path = "/responses",
    tag = "feedback",
    params(RangeParams, ResponseParams),
    responses(
        (status = 200, description = "Answers newest first: a JSON page, or a CSV file (RFC 4180, UTF-8 with BOM) whose `Link: rel=\"next\"` names the next file", content(
            (PageBody = "application/json"),
            (String = "text/csv"),
        )),
        (status = 400, description = "`invalid_field` naming the parameter", body = web::ErrorEnvelope),
    ),
    security(("staff_key" = []))
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn list(
    State(state): State<Arc<AppState>>,
    Params(range): Params<RangeParams>,
    Params(params): Params<ResponseParams>,
    headers: HeaderMap,
    // The request's own path, mount prefix included: the next file's link must reach this
    // route wherever the function is mounted (the local stack nests it).
    OriginalUri(uri): OriginalUri,
) -> Result<Response, ApiError> {
    let wants_csv = match given(&params.format) {
        Some("csv") => true,
        Some("json") => false,
        Some(_) => return Err(ApiError::invalid_field("format", "must be json or csv")),
        None => accepts_csv(&headers),
    };
    let parsed = ResponseQuery::parse(&range, &params, state.clock.now().date_naive())?;
    let (default, max) = if wants_csv {
        (MAX_CSV_ROWS, MAX_CSV_ROWS)
    } else {
        (web::DEFAULT_PAGE, web::MAX_PAGE)
    };
    let limit = page_limit(params.limit.as_deref(), default, max)?;
    let page = state
        .scores
        .responses(&parsed.filter, parsed.cursor.as_ref(), limit)
        .await?;
    if wants_csv {
        return csv_file(&parsed.filter, &page, &uri);
    }
    Ok(Json(PageBody {
        from: parsed.filter.from.to_string(),
        to: parsed.filter.to.to_string(),
        responses: page.responses.iter().map(ResponseBody::from).collect(),
        next_cursor: page.next.as_ref().map(next_cursor),
    })
    .into_response())
}

/// `text/csv` named before any JSON type in `Accept`.
fn accepts_csv(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|part| {
            part.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .find(|media| media == "text/csv" || media == "application/json")
        .is_some_and(|media| media == "text/csv")
}

const CSV_HEADER: [&str; 13] = [
    "survey_id",
    "order_id",
    "customer_id",
    "score",
    "category",
    "comment",
    "locale",
    "segment",
    "answered_at",
    "previous_score",
    "follow_up_status",
    "follow_up_note",
    "follow_up_updated_at",
];

/// RFC 4180 (CRLF, quoting by the `csv` crate), UTF-8 with a byte-order mark so Excel reads
/// umlauts, formula-like cells neutralised.
fn csv_file(filter: &ResponseFilter, page: &ResponsePage, uri: &Uri) -> Result<Response, ApiError> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::from(*b"\xEF\xBB\xBF"));
    writer
        .write_record(CSV_HEADER)
        .map_err(ApiError::internal)?;
    let mut next = page.next.clone();
    for (index, response) in page.responses.iter().enumerate() {
        // Lambda answers at most 6 MB: a file of long comments ends early, and its Link names
        // the next file from the last row it holds.
        if writer.get_ref().len() > MAX_CSV_BYTES {
            next = index
                .checked_sub(1)
                .and_then(|last| page.responses.get(last))
                .map(ResponseCursor::after)
                .or(next);
            break;
        }
        let follow_up = response.follow_up.as_ref();
        let row = [
            response.survey_id.to_string(),
            response.order_id.to_string(),
            response.customer_id.to_string(),
            response.score.to_string(),
            response.category().as_str().to_owned(),
            response
                .comment
                .as_ref()
                .map_or_else(String::new, |c| c.as_ref().to_owned()),
            response
                .locale
                .map_or_else(String::new, |l| l.as_str().to_owned()),
            response
                .segment
                .as_ref()
                .map_or_else(String::new, ToString::to_string),
            rfc3339(response.answered_at),
            response
                .previous_score
                .map_or_else(String::new, |s| s.to_string()),
            follow_up.map_or_else(String::new, |f| f.status.as_str().to_owned()),
            follow_up
                .and_then(|f| f.note.as_ref())
                .map_or_else(String::new, |n| n.as_ref().to_owned()),
            follow_up.map_or_else(String::new, |f| rfc3339(f.updated_at)),
        ];
        writer
            .write_record(row.iter().map(|cell| neutralise(cell).into_owned()))
            .map_err(ApiError::internal)?;
    }
    let body = writer
        .into_inner()
        .map_err(|e| ApiError::internal(e.to_string()))?;
    let filename = format!(
        "attachment; filename=\"responses-{}-{}.csv\"",
        filter.from, filter.to
    );
    let mut response = (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8; header=present"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&filename).map_err(ApiError::internal)?,
            ),
        ],
        body,
    )
        .into_response();
    if let Some(next) = &next {
        let link = format!("<{}>; rel=\"next\"", next_page(uri, next));
        response.headers_mut().insert(
            header::LINK,
            HeaderValue::from_str(&link).map_err(ApiError::internal)?,
        );
    }
    Ok(response)
}

fn next_cursor(next: &ResponseCursor) -> String {
    Cursor::encode(next.answered_at, next.survey_id.as_ref())
}

/// The same request with the next cursor: path and query as the client sent them.
fn next_page(uri: &Uri, next: &ResponseCursor) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (name, value) in form_urlencoded::parse(uri.query().unwrap_or("").as_bytes()) {
        if name != "cursor" {
            query.append_pair(&name, &value);
        }
    }
    query.append_pair("cursor", &next_cursor(next));
    format!("{}?{}", uri.path(), query.finish())
}

/// A spreadsheet runs a cell starting with `=`, `+`, `-`, `@`, tab or carriage return as a
/// formula; a leading `'` makes it text (OWASP's CSV injection advice).
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised_and_others_kept() {
        for risky in ["=1+1", "+49 30", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(neutralise(risky), format!("'{risky}"));
        }
        for plain in ["Schöne Schuhe", "", "1-2", "a=b"] {
            assert_eq!(neutralise(plain), plain);
        }
    }

    #[test]
    fn a_file_of_long_comments_stops_under_lambdas_limit_and_links_on() {
        use chrono::{Duration, TimeZone, Utc};
        use domain::model::{
            Comment, CustomerId, OrderId, Response as Answered, Score, SurveyToken,
        };
        let start = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
        let responses: Vec<Answered> = (0..MAX_CSV_ROWS)
            .map(|n| Answered {
                survey_id: SurveyToken::generate().survey_id(),
                order_id: OrderId::parse(&format!("o-{n}")).expect("id"),
                customer_id: CustomerId::parse(&format!("c-{n}")).expect("id"),
                score: Score::new(2).expect("score"),
                // The longest comment there is, in 3-byte characters: ≈ 6 KB a row.
                comment: Comment::parse(&"€".repeat(2000)).expect("comment"),
                locale: None,
                segment: None,
                answered_at: start - Duration::minutes(n as i64),
                previous_score: None,
                follow_up: None,
            })
            .collect();
        let page = ResponsePage {
            responses,
            next: None,
        };
        let filter = ResponseFilter {
            from: start.date_naive(),
            to: start.date_naive(),
            category: None,
            has_comment: None,
            follow_up: None,
            segment: None,
        };
        let uri: Uri = "/responses?format=csv".parse().expect("uri");
        let response = csv_file(&filter, &page, &uri).expect("a file");
        let link = response.headers()[header::LINK]
            .to_str()
            .expect("ascii")
            .to_owned();
        let body = body_bytes(response);
        assert!(body.len() < 6_000_000, "{} bytes", body.len());
        let rows = body.windows(2).filter(|w| w == b"\r\n").count() - 1;
        assert!(rows > 0 && rows < MAX_CSV_ROWS, "{rows} rows");
        let cursor = link
            .split("cursor=")
            .nth(1)
            .and_then(|rest| rest.split('>').next())
            .expect("a cursor in the link");
        let expected = ResponseCursor::after(&page.responses[rows - 1]);
        assert_eq!(
            cursor,
            next_cursor(&expected),
            "the next file starts after the last row"
        );
    }

    fn body_bytes(response: Response) -> Vec<u8> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        runtime
            .block_on(axum::body::to_bytes(response.into_body(), usize::MAX))
            .expect("body")
            .to_vec()
    }

    #[test]
    fn csv_is_chosen_by_accept_order() {
        let accept = |value: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::ACCEPT, HeaderValue::from_static(value));
            accepts_csv(&headers)
        };
        assert!(accept("text/csv"));
        assert!(accept("text/csv;q=0.9, application/json"));
        assert!(!accept("application/json, text/csv"));
        assert!(!accept("*/*"));
    }
}
