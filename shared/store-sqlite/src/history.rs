//! A customer's order history in SQLite (order count, totals per currency, order days, the latest
//! win-back mail), as an order reads it and writes it back.

use std::collections::BTreeMap;

use rusqlite::{params, OptionalExtension, Transaction};

use domain::model::{rfc3339, Locale, Order, OrderHistory, PersonFingerprint, WinbackSent};
use domain::ports::stored::parse_timestamp;
use domain::ports::StoreError;

pub(super) struct RawHistory {
    order_count: i64,
    first_order_at: Option<String>,
    last_order_at: Option<String>,
    totals: String,
    order_days: String,
}

/// The customer's history with `order` added, if the facts `change` relies on still hold:
/// the count a reward was decided on, the days the retention counters were derived from, and
/// room in the currency's total (`None`: decide again).
pub(super) fn changed_history(
    tx: &Transaction<'_>,
    order: &Order,
    change: &domain::model::HistoryChange,
) -> rusqlite::Result<Result<Option<OrderHistory>, StoreError>> {
    let current = match read_history(tx, order.customer_id.as_ref())?.map(order_history) {
        Some(Ok(history)) => history,
        Some(Err(corrupt)) => return Ok(Err(corrupt)),
        None => OrderHistory::default(),
    };
    let count_holds = change
        .expected_count
        .is_none_or(|count| current.order_count == count);
    let days_hold = change
        .new_days
        .as_ref()
        .is_none_or(|days| current.order_days.len() + 1 == days.len());
    if !(count_holds && days_hold) {
        return Ok(Ok(None));
    }
    Ok(Ok(current.with(order).ok()))
}

/// A customer's history columns, read by `raw_history`.
pub(super) const HISTORY_COLUMNS: &str =
    "order_count, first_order_at, last_order_at, totals, order_days";

/// The history columns starting at `first`.
pub(super) fn raw_history(row: &rusqlite::Row<'_>, first: usize) -> rusqlite::Result<RawHistory> {
    Ok(RawHistory {
        order_count: row.get(first)?,
        first_order_at: row.get(first + 1)?,
        last_order_at: row.get(first + 2)?,
        totals: row.get(first + 3)?,
        order_days: row.get(first + 4)?,
    })
}

pub(super) fn read_history(
    tx: &Transaction<'_>,
    customer_id: &str,
) -> rusqlite::Result<Option<RawHistory>> {
    tx.query_row(
        &format!("SELECT {HISTORY_COLUMNS} FROM customers WHERE customer_id = ?1"),
        [customer_id],
        |row| raw_history(row, 0),
    )
    .optional()
}

/// The customer's latest win-back mail: when, until when its coupon is valid, and the mail an
/// order has won the customer back after.
pub(super) type RawWinback = (String, String, Option<String>);

pub(super) fn read_winback(
    tx: &Transaction<'_>,
    customer_id: &str,
) -> rusqlite::Result<Option<RawWinback>> {
    tx.query_row(
        "SELECT winback_sent_at, winback_until, winback_won FROM customers
         WHERE customer_id = ?1 AND winback_sent_at IS NOT NULL",
        [customer_id],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
    )
    .optional()
}

pub(super) fn winback_sent((sent_at, until, won): RawWinback) -> Result<WinbackSent, StoreError> {
    Ok(WinbackSent {
        sent_at: parse_timestamp(&sent_at)?,
        valid_until: parse_timestamp(&until)?,
        won: won.as_deref() == Some(sent_at.as_str()),
    })
}

/// Creates the friend's profile on their first order, or updates its history.
pub(super) fn write_history(
    tx: &Transaction<'_>,
    order: &Order,
    person: &PersonFingerprint,
    history: &OrderHistory,
) -> rusqlite::Result<()> {
    let totals = serde_json::to_string(&history.totals).unwrap_or_else(|_| "{}".into());
    let order_days = serde_json::to_string(&history.order_days).unwrap_or_else(|_| "[]".into());
    tx.execute(
        "INSERT INTO customers (customer_id, email, person, name, locale, created_at,
                                order_count, first_order_at, last_order_at, totals, order_days)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT (customer_id) DO UPDATE SET
            order_count = excluded.order_count,
            first_order_at = excluded.first_order_at,
            last_order_at = excluded.last_order_at,
            totals = excluded.totals,
            order_days = excluded.order_days,
            email = CASE customers.email WHEN '' THEN excluded.email ELSE customers.email END,
            person = COALESCE(customers.person, excluded.person),
            name = COALESCE(customers.name, excluded.name),
            locale = COALESCE(customers.locale, excluded.locale)",
        params![
            order.customer_id.as_ref(),
            order.email.as_ref(),
            person.as_ref(),
            order.name.as_ref().map(AsRef::<str>::as_ref),
            order.locale.map(Locale::as_str),
            rfc3339(order.placed_at),
            history.order_count as i64,
            history.first_order_at.map(rfc3339),
            history.last_order_at.map(rfc3339),
            totals,
            order_days,
        ],
    )?;
    Ok(())
}

pub(super) fn order_history(raw: RawHistory) -> Result<OrderHistory, StoreError> {
    let totals: BTreeMap<String, u64> = serde_json::from_str(&raw.totals)
        .map_err(|_| StoreError::Corrupt("bad order totals".into()))?;
    Ok(OrderHistory {
        order_count: u64::try_from(raw.order_count)
            .map_err(|_| StoreError::Corrupt("negative order count".into()))?,
        first_order_at: raw
            .first_order_at
            .as_deref()
            .map(parse_timestamp)
            .transpose()?,
        last_order_at: raw
            .last_order_at
            .as_deref()
            .map(parse_timestamp)
            .transpose()?,
        totals,
        order_days: serde_json::from_str(&raw.order_days)
            .map_err(|_| StoreError::Corrupt("bad order days".into()))?,
    })
}
