//! The responses listing: answered surveys newest first by `response_key`, filtered in SQL.

use rusqlite::types::Value;

use super::surveys::{RawFollowUp, FOLLOW_UP_COLUMNS};
use super::EmbeddedStore;
use domain::model::{Response, ResponseCursor, ResponseFilter};
use domain::ports::stored::{self, StoredResponse};
use domain::ports::{ResponsePage, StoreError};

struct RawResponse {
    survey_id: String,
    order_id: String,
    customer_id: String,
    score: i64,
    comment: Option<String>,
    locale: Option<String>,
    segment: Option<String>,
    answered_at: String,
    previous_score: Option<i64>,
    follow_up: RawFollowUp,
}

pub(super) async fn page(
    store: &EmbeddedStore,
    filter: &ResponseFilter,
    after: Option<&ResponseCursor>,
    limit: usize,
) -> Result<ResponsePage, StoreError> {
    let (lower, upper) = filter.key_bounds();
    let mut clauses = vec!["response_key >= ?", "response_key < ?"];
    let mut values: Vec<Value> = vec![Value::Text(lower), Value::Text(upper)];
    if let Some(cursor) = after {
        clauses.push("response_key < ?");
        values.push(Value::Text(cursor.sort_key()));
    }
    if let Some(category) = filter.category {
        let (low, high) = category.score_range();
        clauses.push("score BETWEEN ? AND ?");
        values.push(Value::Integer(low.into()));
        values.push(Value::Integer(high.into()));
    }
    match filter.has_comment {
        Some(true) => clauses.push("comment IS NOT NULL"),
        Some(false) => clauses.push("comment IS NULL"),
        None => {}
    }
    if let Some(status) = filter.follow_up {
        clauses.push("follow_up_status = ?");
        values.push(Value::Text(status.as_str().to_owned()));
    }
    if let Some(segment) = &filter.segment {
        clauses.push("segment = ?");
        values.push(Value::Text(segment.to_string()));
    }
    values.push(Value::Integer(i64::try_from(limit + 1).unwrap_or(i64::MAX)));
    let sql = format!(
        "SELECT survey_id, order_id, customer_id, score, comment, locale, segment, answered_at,
                previous_score, {FOLLOW_UP_COLUMNS}
         FROM surveys WHERE {} ORDER BY response_key DESC LIMIT ?",
        clauses.join(" AND ")
    );
    let rows = store
        .with_connection("listing responses", move |connection| {
            let mut statement = connection.prepare(&sql)?;
            let rows = statement
                .query_map(rusqlite::params_from_iter(values), |row| {
                    Ok(RawResponse {
                        survey_id: row.get(0)?,
                        order_id: row.get(1)?,
                        customer_id: row.get(2)?,
                        score: row.get(3)?,
                        comment: row.get(4)?,
                        locale: row.get(5)?,
                        segment: row.get(6)?,
                        answered_at: row.get(7)?,
                        previous_score: row.get(8)?,
                        follow_up: RawFollowUp::read(row, 9)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
        .await?;
    let responses = rows
        .into_iter()
        .map(response_from)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ResponsePage::from_one_more(responses, limit))
}

fn response_from(raw: RawResponse) -> Result<Response, StoreError> {
    let count = |n: i64| {
        u64::try_from(n).map_err(|_| StoreError::Corrupt("negative response score".into()))
    };
    stored::response(StoredResponse {
        survey_id: &raw.survey_id,
        order_id: &raw.order_id,
        customer_id: &raw.customer_id,
        score: count(raw.score)?,
        comment: raw.comment.as_deref(),
        locale: raw.locale.as_deref(),
        segment: raw.segment.as_deref(),
        answered_at: &raw.answered_at,
        previous_score: raw.previous_score.map(count).transpose()?,
        follow_up: raw.follow_up.decode()?,
    })
}
