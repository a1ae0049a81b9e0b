use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Transaction, TransactionBehavior};

use super::outbox::{insert_messages, reschedule_step};
use super::reviews::{add_marks, count_reward, read_review_reading};
use super::tallies::record_tally;
use super::EmbeddedStore;
use domain::model::{
    rfc3339, CarriedCode, Coupon, CouponCode, Currency, CustomerId, CustomerName, Email, Friend,
    Locale, MinorUnits, Order, OrderHistory, OrderId, PersonFingerprint, ReferralCode, Referrer,
    WinbackSent,
};
use domain::ports::stored::{
    self, parse_timestamp, AWAITING_PAYMENT, ISSUED, REDEEMED, REVIEW, REVOKED,
};
use domain::ports::{
    CommitOutcome, ExistingOrder, KnownCodes, OrderCommit, OrderContext, OrderStore, OutboxMessage,
    PartialRefund, RedeemOutcome, RefundTally, RefundsRecorded, ReviewLookup, ReviewReading,
    RevokedMessage, StoreError, Tally, UndecidedOrder,
};

/// The once-only guards for a friend: by person (the keyed fingerprint of the canonical email)
/// and by customer id.
fn guard_keys(person_key: &PersonFingerprint, customer_id: &CustomerId) -> [String; 2] {
    [person_guard(person_key), customer_guard(customer_id)]
}

/// Writes an issued coupon: one an order earned (`order_id`), or a claimed offer's (`order_id`
/// '', with the referral code it was claimed on and its order minimum).
pub(super) fn insert_coupon(
    tx: &rusqlite::Transaction<'_>,
    reward: &domain::model::Reward,
    order_id: &str,
    offer: Option<(&ReferralCode, u64)>,
) -> rusqlite::Result<()> {
    insert_coupon_as(tx, reward, order_id, offer, ISSUED)
}

/// Writes a coupon in `status` (issued, or `review` when a rule holds it).
fn insert_coupon_as(
    tx: &rusqlite::Transaction<'_>,
    reward: &domain::model::Reward,
    order_id: &str,
    offer: Option<(&ReferralCode, u64)>,
    status: &str,
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO coupons (code, order_id, beneficiary, customer_id, amount_cents, currency,
                              available_from, status, valid_until, referral_code, min_order_cents)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            reward.coupon.as_ref(),
            order_id,
            reward.beneficiary.as_str(),
            reward.customer_id.as_ref(),
            reward.amount_cents as i64,
            reward.currency.as_ref(),
            rfc3339(reward.available_from),
            status,
            reward.valid_until.map(rfc3339),
            offer.map(|(code, _)| code.as_ref()),
            offer.map_or(0, |(_, minimum)| minimum as i64),
        ],
    )?;
    Ok(())
}

pub(super) fn person_guard(person_key: &PersonFingerprint) -> String {
    format!("PERSON#{person_key}")
}

pub(super) fn customer_guard(customer_id: &CustomerId) -> String {
    format!("CUSTOMER#{customer_id}")
}

struct RawOrder {
    request_hash: String,
    response_body: String,
    state: Option<String>,
    refunded: bool,
}

struct RawReferrer {
    customer_id: String,
    code: String,
    conversions: i64,
    email: String,
    person: Option<String>,
    name: Option<String>,
    locale: Option<String>,
}

pub(super) struct RawHistory {
    order_count: i64,
    first_order_at: Option<String>,
    last_order_at: Option<String>,
    totals: String,
    order_days: String,
}

pub(super) struct RawCoupon {
    code: String,
    beneficiary: String,
    customer_id: String,
    amount_cents: i64,
    currency: String,
    available_from: String,
    status: String,
    redeemed_order: Option<String>,
    valid_until: Option<String>,
}

#[async_trait]
impl OrderStore for EmbeddedStore {
    async fn order_context(
        &self,
        order: &Order,
        person: &PersonFingerprint,
        lookup: &ReviewLookup,
    ) -> Result<OrderContext, StoreError> {
        let lookup = lookup.clone();
        let order_id = order.order_id.to_string();
        let customer_id = order.customer_id.to_string();
        let guards = guard_keys(person, &order.customer_id);
        let code = match &order.referral_code {
            Some(CarriedCode::Wellformed(code)) => Some(code.to_string()),
            _ => None,
        };
        let (existing, history, referred_before, referrer, winback, review) = self
            .with_connection("reading an order's context", move |connection| {
                let tx = connection.transaction()?;
                let existing = read_order(&tx, &order_id)?;
                let history = read_history(&tx, &customer_id)?;
                let referred_before = guards_exist(&tx, &guards)?;
                let (referrer, review) = match code {
                    Some(code) => {
                        let referrer = read_referrer(&tx, &code)?;
                        let owner = referrer.as_ref().map(|r| r.customer_id.as_str());
                        let review = read_review_reading(&tx, &code, owner, &lookup)?;
                        (referrer, review)
                    }
                    None => (None, ReviewReading::default()),
                };
                let winback = read_winback(&tx, &customer_id)?;
                Ok((
                    existing,
                    history,
                    referred_before,
                    referrer,
                    winback,
                    review,
                ))
            })
            .await?;
        Ok(OrderContext {
            review,
            existing: existing.map(existing_order).transpose()?,
            friend: Friend {
                history: history.map(order_history).transpose()?.unwrap_or_default(),
                referred_before,
                winback: winback.map(winback_sent).transpose()?,
            },
            referrer: referrer.map(referrer_from).transpose()?,
        })
    }

    async fn commit_order(&self, commit: &OrderCommit) -> Result<CommitOutcome, StoreError> {
        let commit = commit.clone();
        let raw = self
            .with_connection("committing an order", move |connection| {
                let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let order = &commit.order;
                if let Some(existing) = read_order(&tx, order.order_id.as_ref())? {
                    if existing.state.as_deref() != Some(AWAITING_PAYMENT) || existing.refunded {
                        return Ok(RawCommit::Exists(existing));
                    }
                }
                let history = match changed_history(&tx, order, &commit.history)? {
                    Ok(Some(history)) => history,
                    Ok(None) => return Ok(RawCommit::Stale),
                    Err(corrupt) => return Ok(RawCommit::Corrupt(corrupt)),
                };
                if let Some(reward) = &commit.reward {
                    let guards = guard_keys(&commit.person, &order.customer_id);
                    let conversions: Option<i64> = tx
                        .query_row(
                            "SELECT conversions FROM referral_codes WHERE code = ?1",
                            [reward.referral_code.as_ref()],
                            |row| row.get(0),
                        )
                        .optional()?;
                    let under_cap = conversions.is_some_and(|c| (c as u64) < reward.referrer_cap);
                    let coupons_free = reward.rewards.iter().try_fold(true, |free, r| {
                        let taken: bool = tx.query_row(
                            "SELECT EXISTS (SELECT 1 FROM coupons WHERE code = ?1)",
                            [r.coupon.as_ref()],
                            |row| row.get(0),
                        )?;
                        Ok::<_, rusqlite::Error>(free && !taken)
                    })?;
                    if guards_exist(&tx, &guards)? || !under_cap || !coupons_free {
                        return Ok(RawCommit::Stale);
                    }
                    for guard in &guards {
                        tx.execute(
                            "INSERT INTO referral_guards (guard, order_id) VALUES (?1, ?2)",
                            params![guard, order.order_id.as_ref()],
                        )?;
                    }
                    tx.execute(
                        "UPDATE referral_codes SET conversions = conversions + 1 WHERE code = ?1",
                        [reward.referral_code.as_ref()],
                    )?;
                    let status = if reward.held.is_some() { REVIEW } else { ISSUED };
                    for r in &reward.rewards {
                        insert_coupon_as(&tx, r, order.order_id.as_ref(), None, status)?;
                    }
                    count_reward(&tx, reward)?;
                }
                write_history(&tx, order, &commit.person, &history)?;
                add_marks(&tx, &order.customer_id, &commit.marks)?;
                if let Some(sent_at) = commit.won_back {
                    let sent_at = rfc3339(sent_at);
                    let won = tx.execute(
                        "UPDATE customers SET winback_won = ?2
                         WHERE customer_id = ?1 AND winback_sent_at = ?2
                           AND (winback_won IS NULL OR winback_won <> ?2)",
                        params![order.customer_id.as_ref(), sent_at],
                    )?;
                    if won == 0 {
                        return Ok(RawCommit::Stale);
                    }
                }
                if let Some(step) = &commit.winback {
                    reschedule_step(&tx, step)?;
                }
                record_tally(&tx, &commit.tally)?;
                // An order recorded awaiting its payment becomes decided in place.
                tx.execute(
                    "INSERT INTO orders (order_id, customer_id, placed_at, request_hash, response_body,
                                         total_minor, currency)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                     ON CONFLICT (order_id) DO UPDATE SET
                        customer_id = excluded.customer_id, placed_at = excluded.placed_at,
                        request_hash = excluded.request_hash,
                        response_body = excluded.response_body,
                        total_minor = excluded.total_minor, currency = excluded.currency,
                        state = NULL",
                    params![
                        order.order_id.as_ref(),
                        order.customer_id.as_ref(),
                        rfc3339(order.placed_at),
                        commit.request_hash,
                        stored::outcome_to_json(&commit.outcome),
                        order.total_cents.get() as i64,
                        order.currency.as_ref(),
                    ],
                )?;
                insert_messages(&tx, &commit.messages)?;
                tx.commit()?;
                Ok(RawCommit::Committed)
            })
            .await?;
        match raw {
            RawCommit::Committed => Ok(CommitOutcome::Committed),
            RawCommit::Stale => Ok(CommitOutcome::Stale),
            RawCommit::Corrupt(error) => Err(error),
            RawCommit::Exists(existing) => match existing_order(existing)? {
                ExistingOrder::Decided(stored) => Ok(CommitOutcome::OrderExists(stored)),
                ExistingOrder::Closed => Ok(CommitOutcome::Closed),
                ExistingOrder::AwaitingPayment => Err(StoreError::Corrupt(
                    "an order awaiting payment was refused as decided".into(),
                )),
            },
        }
    }

    async fn record_undecided(
        &self,
        order: &UndecidedOrder,
    ) -> Result<Option<ExistingOrder>, StoreError> {
        let order = order.clone();
        let existing = self
            .with_connection("recording an undecided order", move |connection| {
                let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let existing = read_order(&tx, order.order_id.as_ref())?;
                let closed_at = order.closed_at.map(rfc3339);
                match &existing {
                    None => {
                        tx.execute(
                            "INSERT INTO orders (order_id, customer_id, placed_at, request_hash,
                                                 response_body, total_minor, currency, state,
                                                 refunded_at)
                             VALUES (?1, ?2, ?3, '', '', ?4, ?5, ?6, ?7)",
                            params![
                                order.order_id.as_ref(),
                                order.customer_id.as_ref(),
                                rfc3339(order.placed_at),
                                order.total.get() as i64,
                                order.currency.as_ref(),
                                AWAITING_PAYMENT,
                                closed_at,
                            ],
                        )?;
                    }
                    Some(raw) if raw.state.as_deref() == Some(AWAITING_PAYMENT) => {
                        tx.execute(
                            "UPDATE orders SET refunded_at = COALESCE(refunded_at, ?1)
                             WHERE order_id = ?2",
                            params![closed_at, order.order_id.as_ref()],
                        )?;
                    }
                    Some(_) => {}
                }
                tx.commit()?;
                Ok(existing)
            })
            .await?;
        existing.map(existing_order).transpose()
    }

    async fn coupon(&self, code: &CouponCode) -> Result<Option<Coupon>, StoreError> {
        let code = code.to_string();
        let raw = self
            .with_connection("reading a coupon", move |connection| {
                read_coupon(connection, &code)
            })
            .await?;
        raw.map(stored_coupon).transpose()
    }

    async fn known_codes(
        &self,
        referral_codes: &[ReferralCode],
        coupons: &[CouponCode],
    ) -> Result<KnownCodes, StoreError> {
        let referral_codes = referral_codes.to_vec();
        let coupons = coupons.to_vec();
        self.with_connection("reading which codes are ours", move |connection| {
            let exists = |sql: &str, code: &str| -> rusqlite::Result<bool> {
                connection.query_row(sql, [code], |row| row.get(0))
            };
            let mut known = KnownCodes::default();
            for code in referral_codes {
                if exists(
                    "SELECT EXISTS (SELECT 1 FROM referral_codes WHERE code = ?1)",
                    code.as_ref(),
                )? {
                    known.referral_codes.push(code);
                }
            }
            let mut offers = Vec::new();
            for code in coupons {
                let found: Option<Option<String>> = connection
                    .query_row(
                        "SELECT referral_code FROM coupons WHERE code = ?1",
                        [code.as_ref()],
                        |row| row.get(0),
                    )
                    .optional()?;
                if let Some(claimed_on) = found {
                    offers.extend(claimed_on.map(|on| (code.clone(), on)));
                    known.coupons.push(code);
                }
            }
            Ok((known, offers))
        })
        .await
        .and_then(|(mut known, offers)| {
            for (coupon, raw) in offers {
                let code = ReferralCode::parse(&raw)
                    .map_err(|_| StoreError::Corrupt("a coupon's bad referral code".into()))?;
                known.offers.push((coupon, code));
            }
            Ok(known)
        })
    }

    async fn redeem_coupon(
        &self,
        code: &CouponCode,
        order_id: &OrderId,
        now: DateTime<Utc>,
        message: Option<OutboxMessage>,
    ) -> Result<RedeemOutcome, StoreError> {
        let code = code.to_string();
        let order_id = order_id.to_string();
        let now = rfc3339(now);
        let (raw, redeemed) = self
            .with_connection("redeeming a coupon", move |connection| {
                let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let redeemed = tx.execute(
                    "UPDATE coupons SET status = ?1, redeemed_order = ?2, redeemed_at = ?3
                     WHERE code = ?4 AND status = ?5 AND available_from <= ?3
                       AND (valid_until IS NULL OR valid_until > ?3)",
                    params![REDEEMED, order_id, now, code, ISSUED],
                )? == 1;
                if redeemed {
                    insert_messages(&tx, message.as_slice())?;
                }
                let raw = read_coupon(&tx, &code)?;
                tx.commit()?;
                Ok((raw, redeemed))
            })
            .await?;
        Ok(match (raw, redeemed) {
            (None, _) => RedeemOutcome::NotFound,
            (Some(raw), true) => RedeemOutcome::Redeemed(stored_coupon(raw)?),
            (Some(raw), false) => RedeemOutcome::Refused(stored_coupon(raw)?),
        })
    }

    async fn record_refunds(
        &self,
        order_id: &OrderId,
        currency: Option<&Currency>,
        refunds: &[PartialRefund],
    ) -> Result<RefundsRecorded, StoreError> {
        let order_id = order_id.to_string();
        let currency = currency.map(|c| c.as_ref().to_owned());
        let refunds: Vec<(String, i64)> = refunds
            .iter()
            .map(|r| (r.refund_id.as_ref().to_owned(), r.amount.get() as i64))
            .collect();
        let raw = self
            .with_connection("recording refunds", move |connection| {
                let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let order: Option<(Option<i64>, Option<String>)> = tx
                    .query_row(
                        "SELECT total_minor, currency FROM orders WHERE order_id = ?1",
                        [&order_id],
                        |row| Ok((row.get(0)?, row.get(1)?)),
                    )
                    .optional()?;
                let Some((total, order_currency)) = order else {
                    return Ok(RawRefunds::UnknownOrder);
                };
                // Orders recorded before currencies were kept with them take the amount as is.
                if let (Some(order_currency), Some(currency)) = (&order_currency, &currency) {
                    if order_currency != currency {
                        return Ok(RawRefunds::OtherCurrency(order_currency.clone()));
                    }
                }
                let mut new = Vec::with_capacity(refunds.len());
                for (refund_id, amount) in &refunds {
                    new.push(
                        tx.execute(
                            "INSERT OR IGNORE INTO order_refunds (order_id, refund_id, amount_minor)
                             VALUES (?1, ?2, ?3)",
                            params![order_id, refund_id, amount],
                        )? == 1,
                    );
                }
                let amounts = {
                    let mut statement =
                        tx.prepare("SELECT amount_minor FROM order_refunds WHERE order_id = ?1")?;
                    let rows = statement.query_map([&order_id], |row| row.get::<_, i64>(0))?;
                    rows.collect::<rusqlite::Result<Vec<i64>>>()?
                };
                tx.commit()?;
                Ok(RawRefunds::Recorded {
                    total,
                    amounts,
                    new,
                })
            })
            .await?;
        let (total, amounts, new) = match raw {
            RawRefunds::UnknownOrder => return Ok(RefundsRecorded::UnknownOrder),
            RawRefunds::OtherCurrency(order_currency) => {
                return Ok(RefundsRecorded::OtherCurrency {
                    order_currency: Currency::parse(&order_currency)
                        .map_err(|_| StoreError::Corrupt("an order's currency".into()))?,
                })
            }
            RawRefunds::Recorded {
                total,
                amounts,
                new,
            } => (total, amounts, new),
        };
        let corrupt = || StoreError::Corrupt("an order's amounts are out of range".into());
        let total = total
            .map(|t| u64::try_from(t).ok().and_then(|t| MinorUnits::new(t).ok()))
            .map(|t| t.ok_or_else(corrupt))
            .transpose()?;
        let refunded = amounts.into_iter().try_fold(0u64, |sum, amount| {
            u64::try_from(amount)
                .ok()
                .and_then(|a| sum.checked_add(a))
                .ok_or_else(corrupt)
        })?;
        Ok(RefundsRecorded::Recorded {
            tally: RefundTally { total, refunded },
            new,
        })
    }

    async fn refund_order(
        &self,
        order_id: &OrderId,
        at: DateTime<Utc>,
        revoked: &RevokedMessage<'_>,
    ) -> Result<Option<Vec<Coupon>>, StoreError> {
        let order_id = order_id.to_string();
        // Each revocation's message is built from the coupon as read here and written only with
        // that coupon's revocation below, which re-checks that it is still issued.
        let issued = self.issued_coupons(&order_id).await?;
        let revocations: Vec<(String, i64, Vec<OutboxMessage>)> = issued
            .iter()
            .map(|coupon| {
                (
                    coupon.reward.coupon.to_string(),
                    coupon.reward.amount_cents as i64,
                    revoked(coupon),
                )
            })
            .collect();
        let day = at.date_naive();
        let at = rfc3339(at);
        let raw = self
            .with_connection("refunding an order", move |connection| {
                let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let known = tx.execute(
                    "UPDATE orders SET refunded_at = COALESCE(refunded_at, ?1) WHERE order_id = ?2",
                    params![at, order_id],
                )? == 1;
                if !known {
                    return Ok(None);
                }
                let mut revoked_cents = 0;
                for (code, cents, messages) in &revocations {
                    let changed = tx.execute(
                        "UPDATE coupons SET status = ?1 WHERE code = ?2 AND status IN (?3, ?4)",
                        params![REVOKED, code, ISSUED, REVIEW],
                    )?;
                    if changed == 1 {
                        revoked_cents += cents;
                        insert_messages(&tx, messages)?;
                    }
                }
                record_tally(
                    &tx,
                    &Tally::revocation(u64::try_from(revoked_cents).unwrap_or_default(), day),
                )?;
                let coupons = {
                    let mut statement = tx.prepare(
                        "SELECT code FROM coupons WHERE order_id = ?1 ORDER BY beneficiary DESC",
                    )?;
                    let codes = statement
                        .query_map([&order_id], |row| row.get::<_, String>(0))?
                        .collect::<rusqlite::Result<Vec<_>>>()?;
                    codes
                        .iter()
                        .filter_map(|code| read_coupon(&tx, code).transpose())
                        .collect::<rusqlite::Result<Vec<_>>>()?
                };
                tx.commit()?;
                Ok(Some(coupons))
            })
            .await?;
        raw.map(|coupons| coupons.into_iter().map(stored_coupon).collect())
            .transpose()
    }
}

impl EmbeddedStore {
    /// The order's coupons still issued or held for review, as they stand now: a refund
    /// revokes both.
    async fn issued_coupons(&self, order_id: &str) -> Result<Vec<Coupon>, StoreError> {
        let order_id = order_id.to_owned();
        let raw = self
            .with_connection("reading an order's issued coupons", move |connection| {
                let codes = connection
                    .prepare("SELECT code FROM coupons WHERE order_id = ?1 AND status IN (?2, ?3)")?
                    .query_map(params![order_id, ISSUED, REVIEW], |row| {
                        row.get::<_, String>(0)
                    })?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                codes
                    .iter()
                    .filter_map(|code| read_coupon(connection, code).transpose())
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .await?;
        raw.into_iter().map(stored_coupon).collect()
    }
}

/// How a commit's transaction ended, before its findings are read.
enum RawCommit {
    Committed,
    /// A fact the decision used changed.
    Stale,
    /// The order id is taken (decided, or closed before its payment).
    Exists(RawOrder),
    Corrupt(StoreError),
}

/// What `record_refunds` found, before its amounts are checked.
enum RawRefunds {
    UnknownOrder,
    OtherCurrency(String),
    Recorded {
        total: Option<i64>,
        amounts: Vec<i64>,
        new: Vec<bool>,
    },
}

fn read_order(tx: &Transaction<'_>, order_id: &str) -> rusqlite::Result<Option<RawOrder>> {
    tx.query_row(
        "SELECT request_hash, response_body, state, refunded_at IS NOT NULL
         FROM orders WHERE order_id = ?1",
        [order_id],
        |row| {
            Ok(RawOrder {
                request_hash: row.get(0)?,
                response_body: row.get(1)?,
                state: row.get(2)?,
                refunded: row.get(3)?,
            })
        },
    )
    .optional()
}

/// The customer's history with `order` added, if the facts `change` relies on still hold:
/// the count a reward was decided on, the days the retention counters were derived from, and
/// room in the currency's total (`None`: decide again).
fn changed_history(
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

pub(super) const COUPON_COLUMNS: &str =
    "code, beneficiary, customer_id, amount_cents, currency, available_from, status, redeemed_order,
     valid_until";

pub(super) fn raw_coupon(row: &rusqlite::Row<'_>) -> rusqlite::Result<RawCoupon> {
    Ok(RawCoupon {
        code: row.get(0)?,
        beneficiary: row.get(1)?,
        customer_id: row.get(2)?,
        amount_cents: row.get(3)?,
        currency: row.get(4)?,
        available_from: row.get(5)?,
        status: row.get(6)?,
        redeemed_order: row.get(7)?,
        valid_until: row.get(8)?,
    })
}

fn read_history(tx: &Transaction<'_>, customer_id: &str) -> rusqlite::Result<Option<RawHistory>> {
    tx.query_row(
        &format!("SELECT {HISTORY_COLUMNS} FROM customers WHERE customer_id = ?1"),
        [customer_id],
        |row| raw_history(row, 0),
    )
    .optional()
}

/// The customer's latest win-back mail: when, until when its coupon is valid, and the mail an
/// order has won the customer back after.
type RawWinback = (String, String, Option<String>);

fn read_winback(tx: &Transaction<'_>, customer_id: &str) -> rusqlite::Result<Option<RawWinback>> {
    tx.query_row(
        "SELECT winback_sent_at, winback_until, winback_won FROM customers
         WHERE customer_id = ?1 AND winback_sent_at IS NOT NULL",
        [customer_id],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
    )
    .optional()
}

fn winback_sent((sent_at, until, won): RawWinback) -> Result<WinbackSent, StoreError> {
    Ok(WinbackSent {
        sent_at: parse_timestamp(&sent_at)?,
        valid_until: parse_timestamp(&until)?,
        won: won.as_deref() == Some(sent_at.as_str()),
    })
}

fn guards_exist(tx: &Transaction<'_>, guards: &[String; 2]) -> rusqlite::Result<bool> {
    tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM referral_guards WHERE guard IN (?1, ?2))",
        params![guards[0], guards[1]],
        |row| row.get(0),
    )
}

fn read_referrer(tx: &Transaction<'_>, code: &str) -> rusqlite::Result<Option<RawReferrer>> {
    tx.query_row(
        "SELECT c.customer_id, c.code, c.conversions, p.email, p.person, p.name, p.locale
         FROM referral_codes AS c JOIN customers AS p ON p.customer_id = c.customer_id
         WHERE c.code = ?1",
        [code],
        |row| {
            Ok(RawReferrer {
                customer_id: row.get(0)?,
                code: row.get(1)?,
                conversions: row.get(2)?,
                email: row.get(3)?,
                person: row.get(4)?,
                name: row.get(5)?,
                locale: row.get(6)?,
            })
        },
    )
    .optional()
}

pub(super) fn read_coupon(
    connection: &rusqlite::Connection,
    code: &str,
) -> rusqlite::Result<Option<RawCoupon>> {
    connection
        .query_row(
            &format!("SELECT {COUPON_COLUMNS} FROM coupons WHERE code = ?1"),
            [code],
            raw_coupon,
        )
        .optional()
}

/// Creates the friend's profile on their first order, or updates its history.
fn write_history(
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

fn existing_order(raw: RawOrder) -> Result<ExistingOrder, StoreError> {
    stored::existing_order(
        raw.state.as_deref(),
        raw.refunded,
        &raw.request_hash,
        Some(&raw.response_body),
    )
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

fn referrer_from(raw: RawReferrer) -> Result<Referrer, StoreError> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("bad referrer {what}"));
    Ok(Referrer {
        customer_id: CustomerId::parse(&raw.customer_id).map_err(|_| corrupt("id"))?,
        code: ReferralCode::parse(&raw.code).map_err(|_| corrupt("code"))?,
        person: raw
            .person
            .as_deref()
            .and_then(PersonFingerprint::from_stored)
            .ok_or_else(|| corrupt("fingerprint"))?,
        email: Email::parse(&raw.email).map_err(|_| corrupt("email"))?,
        name: raw
            .name
            .as_deref()
            .map(CustomerName::parse)
            .transpose()
            .map_err(|_| corrupt("name"))?,
        locale: raw
            .locale
            .as_deref()
            .map(Locale::parse)
            .transpose()
            .map_err(|_| corrupt("locale"))?,
        conversions: u64::try_from(raw.conversions).map_err(|_| corrupt("conversions"))?,
    })
}

pub(super) fn stored_coupon(raw: RawCoupon) -> Result<Coupon, StoreError> {
    let amount = u64::try_from(raw.amount_cents)
        .map_err(|_| StoreError::Corrupt("negative amount".into()))?;
    Ok(Coupon {
        reward: stored::reward(
            &raw.beneficiary,
            &raw.customer_id,
            &raw.code,
            amount,
            &raw.currency,
            &raw.available_from,
            raw.valid_until.as_deref(),
        )?,
        state: stored::coupon_state(&raw.status, raw.redeemed_order.as_deref())?,
    })
}
