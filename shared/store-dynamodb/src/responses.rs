//! The responses listing: Query on the sparse `responses` index, month by month, newest first.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{Datelike, Months, NaiveDate};

use super::attributes::{self, optional_string, string, Item};
use super::errors::classify;
use super::follow_ups::follow_up_from;
use super::{keys, DynamoStore};
use domain::model::{Response, ResponseCursor, ResponseFilter};
use domain::ports::stored::{self, StoredResponse};
use domain::ports::{ResponsePage, StoreError};

/// What the index carries besides its keys: a response as staff read it, and nothing else of
/// the survey (no token, email or name).
pub const RESPONSES_INDEX_ATTRIBUTES: [&str; 14] = [
    "survey_id",
    "order_id",
    "customer_id",
    "score",
    "comment",
    "locale",
    "segment",
    "answered_at",
    "previous_score",
    "follow_up_status",
    "follow_up_note",
    "follow_up_at",
    "follow_up_on",
    "follow_up_version",
];

impl DynamoStore {
    /// Queries each month of the range, newest first, `limit + 1` items per request (one more
    /// tells whether a next page exists); the filters are a FilterExpression, so a request
    /// examines up to a page of answers whatever they match.
    pub(super) async fn response_page(
        &self,
        filter: &ResponseFilter,
        after: Option<&ResponseCursor>,
        limit: usize,
    ) -> Result<ResponsePage, StoreError> {
        let (lower, mut upper) = filter.key_bounds();
        let cursor_key = after.map(ResponseCursor::sort_key);
        if let Some(key) = &cursor_key {
            upper = upper.min(key.clone());
        }
        let wanted = limit + 1;
        // The cursor's own answer comes back too (BETWEEN is inclusive) and is dropped: ask for
        // it, so a full page still takes one request.
        let page_size =
            i32::try_from(wanted + usize::from(cursor_key.is_some())).unwrap_or(i32::MAX);
        let mut responses = Vec::new();
        let first_month = first_of_month(filter.from);
        let mut month = first_of_month(
            filter
                .to
                .min(after.map_or(filter.to, |c| c.answered_at.date_naive())),
        );
        'months: while month >= first_month {
            let mut start: Option<HashMap<String, AttributeValue>> = None;
            loop {
                let query = self
                    .client
                    .query()
                    .table_name(&self.table)
                    .index_name(keys::RESPONSES_INDEX)
                    .scan_index_forward(false)
                    .limit(page_size)
                    .key_condition_expression("#month = :month AND #at BETWEEN :lower AND :upper")
                    .expression_attribute_names("#month", keys::RESPONSE_MONTH)
                    .expression_attribute_names("#at", keys::RESPONSE_AT)
                    .expression_attribute_values(
                        ":month",
                        AttributeValue::S(keys::response_month(month)),
                    )
                    .expression_attribute_values(":lower", AttributeValue::S(lower.clone()))
                    .expression_attribute_values(":upper", AttributeValue::S(upper.clone()))
                    .set_exclusive_start_key(start.take());
                let page = with_filter(query, filter)
                    .send()
                    .await
                    .map_err(|e| classify("listing responses", e))?;
                for item in page.items.unwrap_or_default() {
                    // BETWEEN includes the cursor's own answer; the next page starts after it.
                    if cursor_key.as_deref() == optional_string(&item, keys::RESPONSE_AT) {
                        continue;
                    }
                    responses.push(response_from(&item)?);
                    if responses.len() == wanted {
                        break 'months;
                    }
                }
                match page.last_evaluated_key {
                    Some(key) if !key.is_empty() => start = Some(key),
                    _ => break,
                }
            }
            let Some(previous) = month.checked_sub_months(Months::new(1)) else {
                break;
            };
            month = previous;
        }
        Ok(ResponsePage::from_one_more(responses, limit))
    }
}

fn first_of_month(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

fn with_filter(
    mut query: aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder,
    filter: &ResponseFilter,
) -> aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder {
    let mut conditions = Vec::new();
    if let Some(category) = filter.category {
        let (low, high) = category.score_range();
        conditions.push("#score BETWEEN :low AND :high");
        query = query
            .expression_attribute_names("#score", "score")
            .expression_attribute_values(":low", attributes::number(low.into()))
            .expression_attribute_values(":high", attributes::number(high.into()));
    }
    if let Some(wanted) = filter.has_comment {
        conditions.push(if wanted {
            "attribute_exists(#comment)"
        } else {
            "attribute_not_exists(#comment)"
        });
        query = query.expression_attribute_names("#comment", "comment");
    }
    if let Some(status) = filter.follow_up {
        conditions.push("#follow_up = :follow_up");
        query = query
            .expression_attribute_names("#follow_up", "follow_up_status")
            .expression_attribute_values(
                ":follow_up",
                AttributeValue::S(status.as_str().to_owned()),
            );
    }
    if let Some(segment) = &filter.segment {
        conditions.push("#segment = :segment");
        query = query
            .expression_attribute_names("#segment", "segment")
            .expression_attribute_values(":segment", AttributeValue::S(segment.to_string()));
    }
    if conditions.is_empty() {
        query
    } else {
        query.filter_expression(conditions.join(" AND "))
    }
}

fn response_from(item: &Item) -> Result<Response, StoreError> {
    stored::response(StoredResponse {
        survey_id: string(item, "survey_id")?,
        order_id: string(item, "order_id")?,
        customer_id: string(item, "customer_id")?,
        score: attributes::counter(item, "score")?,
        comment: optional_string(item, "comment"),
        locale: optional_string(item, "locale"),
        segment: optional_string(item, "segment"),
        answered_at: string(item, "answered_at")?,
        previous_score: item
            .contains_key("previous_score")
            .then(|| attributes::counter(item, "previous_score"))
            .transpose()?,
        follow_up: follow_up_from(item)?,
    })
}
