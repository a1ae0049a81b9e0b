use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Transaction, TransactionBehavior};

use super::coupons::{insert_coupon_as, read_coupon, stored_coupon};
use super::history::{
    changed_history, order_history, read_history, read_winback, winback_sent, write_history,
};
use super::outbox::{insert_messages, reschedule_step};
use super::reviews::{add_marks, count_reward, read_review_reading};
use super::tallies::record_tally;
use super::EmbeddedStore;
use domain::model::{
    rfc3339, CarriedCode, Coupon, CouponCode, Currency, CustomerId, CustomerName, Email, Friend,
    Locale, Order, OrderId, PersonFingerprint, ReferralCode, Referrer,
};
use domain::ports::stored::{self, AWAITING_PAYMENT, ISSUED, REVIEW};
use domain::ports::{
    CommitOutcome, ExistingOrder, KnownCodes, OrderCommit, OrderContext, OrderStore, OutboxMessage,
    PartialRefund, RedeemOutcome, RefundsRecorded, ReviewLookup, ReviewReading, RevokedMessage,
    StoreError, UndecidedOrder,
};

/// The once-only guards for a friend: by person (the keyed fingerprint of the canonical email)
/// and by customer id.
fn guard_keys(person_key: &PersonFingerprint, customer_id: &CustomerId) -> [String; 2] {
    [person_guard(person_key), customer_guard(customer_id)]
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
        self.redeem(code, order_id, now, message).await
    }

    async fn record_refunds(
        &self,
        order_id: &OrderId,
        currency: Option<&Currency>,
        refunds: &[PartialRefund],
    ) -> Result<RefundsRecorded, StoreError> {
        self.add_refunds(order_id, currency, refunds).await
    }

    async fn refund_order(
        &self,
        order_id: &OrderId,
        at: DateTime<Utc>,
        revoked: &RevokedMessage<'_>,
    ) -> Result<Option<Vec<Coupon>>, StoreError> {
        self.revoke_for_refund(order_id, at, revoked).await
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

fn existing_order(raw: RawOrder) -> Result<ExistingOrder, StoreError> {
    stored::existing_order(
        raw.state.as_deref(),
        raw.refunded,
        &raw.request_hash,
        Some(&raw.response_body),
    )
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
