use domain::model::{response_sort_key, SurveyToken};
use domain::ports::stored::parse_timestamp;
use rusqlite::Connection;

/// Ordered migrations; `user_version` records how many have run.
const MIGRATIONS: &[&str] = &[
    "
    CREATE TABLE customers (
        customer_id     TEXT PRIMARY KEY,
        email           TEXT NOT NULL,
        canonical_email TEXT NOT NULL,
        name            TEXT,
        locale          TEXT,
        referral_code   TEXT UNIQUE,
        code_created_at TEXT,
        created_at      TEXT NOT NULL
    );
    CREATE TABLE referral_codes (
        code        TEXT PRIMARY KEY,
        customer_id TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        clicks      INTEGER NOT NULL DEFAULT 0,
        conversions INTEGER NOT NULL DEFAULT 0
    );
",
    "
    ALTER TABLE customers ADD COLUMN order_count INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE customers ADD COLUMN first_order_at TEXT;
    ALTER TABLE customers ADD COLUMN last_order_at TEXT;
    ALTER TABLE customers ADD COLUMN totals TEXT NOT NULL DEFAULT '{}';
    CREATE TABLE orders (
        order_id      TEXT PRIMARY KEY,
        customer_id   TEXT NOT NULL,
        placed_at     TEXT NOT NULL,
        request_hash  TEXT NOT NULL,
        response_body TEXT NOT NULL,
        mails         TEXT NOT NULL,
        mails_sent    TEXT NOT NULL DEFAULT '',
        mail_lease_until TEXT,
        refunded_at   TEXT
    );
    CREATE TABLE referral_guards (
        guard    TEXT PRIMARY KEY,
        order_id TEXT NOT NULL
    );
    CREATE TABLE coupons (
        code           TEXT PRIMARY KEY,
        order_id       TEXT NOT NULL,
        beneficiary    TEXT NOT NULL,
        customer_id    TEXT NOT NULL,
        amount_cents   INTEGER NOT NULL,
        currency       TEXT NOT NULL,
        available_from TEXT NOT NULL,
        status         TEXT NOT NULL,
        redeemed_order TEXT,
        redeemed_at    TEXT
    );
    CREATE INDEX coupons_by_order ON coupons (order_id);
",
    "
    CREATE TABLE survey_requests (
        order_id         TEXT PRIMARY KEY,
        request_hash     TEXT NOT NULL,
        decision         TEXT NOT NULL,
        token            TEXT,
        mail             TEXT,
        mail_sent        INTEGER NOT NULL DEFAULT 0,
        mail_lease_until TEXT
    );
    CREATE TABLE surveys (
        token       TEXT PRIMARY KEY,
        order_id    TEXT NOT NULL,
        customer_id TEXT NOT NULL,
        email       TEXT NOT NULL,
        person      TEXT NOT NULL,
        name        TEXT,
        locale      TEXT,
        sent_at     TEXT NOT NULL,
        score       INTEGER,
        comment     TEXT,
        answered_at TEXT,
        revision    INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE survey_throttle (
        key          TEXT PRIMARY KEY,
        last_sent_at TEXT NOT NULL
    );
    CREATE TABLE survey_optouts (
        person TEXT PRIMARY KEY,
        at     TEXT NOT NULL
    );
    CREATE TABLE nps_days (
        day        TEXT PRIMARY KEY,
        promoters  INTEGER NOT NULL DEFAULT 0,
        passives   INTEGER NOT NULL DEFAULT 0,
        detractors INTEGER NOT NULL DEFAULT 0
    );
",
    "
    ALTER TABLE customers ADD COLUMN order_days TEXT NOT NULL DEFAULT '[]';
    CREATE TABLE counters (
        series TEXT NOT NULL,
        day    TEXT NOT NULL,
        name   TEXT NOT NULL,
        value  INTEGER NOT NULL,
        PRIMARY KEY (series, day, name)
    );
    CREATE TABLE order_days (
        day         TEXT NOT NULL,
        customer_id TEXT NOT NULL,
        orders      INTEGER NOT NULL,
        PRIMARY KEY (day, customer_id)
    );
",
    // The transactional outbox replaces the per-record mail state and its leases.
    "
    CREATE TABLE outbox (
        id              TEXT PRIMARY KEY,
        kind            TEXT NOT NULL,
        reference       TEXT NOT NULL,
        payload         TEXT NOT NULL,
        status          TEXT NOT NULL,
        attempts        INTEGER NOT NULL,
        claims          INTEGER NOT NULL,
        next_attempt_at TEXT,
        listed_at       TEXT NOT NULL,
        last_error      TEXT,
        created_at      TEXT NOT NULL,
        updated_at      TEXT NOT NULL
    );
    CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
    CREATE INDEX outbox_listed ON outbox (status, listed_at, id);
    ALTER TABLE orders DROP COLUMN mails;
    ALTER TABLE orders DROP COLUMN mails_sent;
    ALTER TABLE orders DROP COLUMN mail_lease_until;
    ALTER TABLE survey_requests DROP COLUMN mail;
    ALTER TABLE survey_requests DROP COLUMN mail_sent;
    ALTER TABLE survey_requests DROP COLUMN mail_lease_until;
",
    // Shop platforms' webhooks: an order's total and refunds (partial refunds revoke rewards once
    // the net total falls below the minimum), and the answers given to their deliveries.
    "
    ALTER TABLE orders ADD COLUMN total_minor INTEGER;
    CREATE TABLE order_refunds (
        order_id     TEXT NOT NULL,
        refund_id    TEXT NOT NULL,
        amount_minor INTEGER NOT NULL,
        PRIMARY KEY (order_id, refund_id)
    );
    CREATE TABLE webhook_deliveries (
        key        TEXT PRIMARY KEY,
        answer     TEXT NOT NULL,
        expires_at TEXT NOT NULL
    );
    CREATE INDEX webhook_deliveries_expiry ON webhook_deliveries (expires_at);
",
    // Reading the feedback: responses listed newest first by `response_key` (the answer's time
    // and survey id), segments, follow-ups on detractors, NPS per segment and locale.
    "
    ALTER TABLE surveys ADD COLUMN survey_id TEXT;
    ALTER TABLE surveys ADD COLUMN segment TEXT;
    ALTER TABLE surveys ADD COLUMN response_key TEXT;
    ALTER TABLE surveys ADD COLUMN previous_score INTEGER;
    ALTER TABLE surveys ADD COLUMN follow_up_status TEXT;
    ALTER TABLE surveys ADD COLUMN follow_up_note TEXT;
    ALTER TABLE surveys ADD COLUMN follow_up_at TEXT;
    ALTER TABLE surveys ADD COLUMN follow_up_on TEXT;
    ALTER TABLE surveys ADD COLUMN follow_up_version INTEGER;
    CREATE UNIQUE INDEX surveys_by_id ON surveys (survey_id);
    CREATE INDEX surveys_by_answer ON surveys (response_key) WHERE response_key IS NOT NULL;
    ALTER TABLE nps_days ADD COLUMN open_follow_ups INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE nps_dimension_days (
        day        TEXT NOT NULL,
        dimension  TEXT NOT NULL,
        promoters  INTEGER NOT NULL DEFAULT 0,
        passives   INTEGER NOT NULL DEFAULT 0,
        detractors INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (day, dimension)
    );
",
    // Personal data on the shop's terms: addresses are found by keyed fingerprints only (the
    // canonical address is no longer stored), every table holding a customer's data is indexed
    // by customer, erased rows are marked (`email` is NOT NULL, so an erased one is ''), and
    // outbox messages name their customer.
    "
    ALTER TABLE customers DROP COLUMN canonical_email;
    ALTER TABLE customers ADD COLUMN person TEXT;
    ALTER TABLE customers ADD COLUMN erased_at TEXT;
    CREATE INDEX customers_by_person ON customers (person);
    ALTER TABLE surveys ADD COLUMN erased_at TEXT;
    CREATE INDEX surveys_by_customer ON surveys (customer_id);
    CREATE INDEX surveys_by_person ON surveys (person);
    CREATE INDEX orders_by_customer ON orders (customer_id);
    CREATE INDEX coupons_by_customer ON coupons (customer_id);
    ALTER TABLE outbox ADD COLUMN customer_id TEXT;
    ALTER TABLE outbox ADD COLUMN erased_at TEXT;
    CREATE INDEX outbox_by_customer ON outbox (customer_id);
    CREATE INDEX outbox_by_age ON outbox (created_at);
    CREATE INDEX orders_by_age ON orders (placed_at);
",
    // An order's currency beside its total, so refunds are compared in it; `state` marks a
    // platform's order recorded before its payment (`awaiting_payment`, closed once
    // `refunded_at` is set), which has no decision yet (empty `request_hash` and
    // `response_body`).
    "
    ALTER TABLE orders ADD COLUMN currency TEXT;
    ALTER TABLE orders ADD COLUMN state TEXT;
",
    // When a coupon expires (NULL for coupons issued before they did), and the id of its
    // discount in the shop's platform once that was created.
    "
    ALTER TABLE coupons ADD COLUMN valid_until TEXT;
    ALTER TABLE coupons ADD COLUMN discount_id TEXT;
",
    // The friend's first-order offer: one claim per person (by fingerprint, never the address),
    // its coupon marked with the code it was claimed on and the order minimum, and each code's
    // claim count. A claim's coupon belongs to no order (`order_id` '').
    "
    CREATE TABLE offer_claims (
        person          TEXT PRIMARY KEY,
        code            TEXT NOT NULL,
        coupon          TEXT NOT NULL UNIQUE,
        customer_id     TEXT NOT NULL,
        amount_cents    INTEGER NOT NULL,
        currency        TEXT NOT NULL,
        min_order_cents INTEGER NOT NULL,
        claimed_at      TEXT NOT NULL,
        expires_at      TEXT NOT NULL
    );
    CREATE INDEX offer_claims_by_customer ON offer_claims (customer_id);
    CREATE INDEX offer_claims_by_age ON offer_claims (claimed_at);
    ALTER TABLE referral_codes ADD COLUMN claims INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE coupons ADD COLUMN referral_code TEXT;
    ALTER TABLE coupons ADD COLUMN min_order_cents INTEGER NOT NULL DEFAULT 0;
",
    // 12: requests record what they add to the counters as tallies, applied later in batches.
    "
    CREATE TABLE tallies (
        id    TEXT NOT NULL UNIQUE,
        moves TEXT NOT NULL
    );
",
    // 13: a survey's one reminder; a customer's latest win-back mail, the coupon's end, and the
    // mail an order has won the customer back after (its sending time).
    "
    ALTER TABLE surveys ADD COLUMN reminded_at TEXT;
    ALTER TABLE customers ADD COLUMN winback_sent_at TEXT;
    ALTER TABLE customers ADD COLUMN winback_until TEXT;
    ALTER TABLE customers ADD COLUMN winback_won TEXT;
",
    // 14: who clicked a share link within the hour, as a keyed fingerprint of their network and
    // browser, deleted once the hour is over.
    "
    CREATE TABLE visitors (
        fingerprint TEXT PRIMARY KEY,
        until       TEXT NOT NULL
    );
    CREATE INDEX visitors_until ON visitors (until);
",
    // 15: rewards held for review. Referred orders per day by referrer code and by network
    // (`scope`), deleted a week on; the marks a customer's orders left (keyed fingerprints of
    // where they ship and their full name); the reviews, listed by status, newest first.
    "
    CREATE TABLE day_counts (
        scope TEXT NOT NULL,
        day   TEXT NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY (scope, day)
    );
    CREATE INDEX day_counts_day ON day_counts (day);
    CREATE TABLE review_marks (
        customer_id TEXT NOT NULL,
        mark        TEXT NOT NULL,
        PRIMARY KEY (customer_id, mark)
    );
    CREATE TABLE reviews (
        order_id   TEXT PRIMARY KEY,
        status     TEXT NOT NULL,
        flagged_at TEXT NOT NULL,
        record     TEXT NOT NULL,
        decision   TEXT,
        decided_by TEXT,
        decided_at TEXT,
        note       TEXT
    );
    CREATE INDEX reviews_listing ON reviews (status, flagged_at, order_id);
",
];

pub(super) fn migrate(connection: &mut Connection) -> rusqlite::Result<()> {
    // WAL keeps readers off the writer's back; FULL sync means a committed reward survives a power cut.
    connection.pragma_update(None, "journal_mode", "WAL")?;
    connection.pragma_update(None, "synchronous", "FULL")?;
    connection.pragma_update(None, "foreign_keys", "ON")?;
    // Erased and expired rows are overwritten with zeros, not just unlinked: the file must not
    // keep what the store deleted (docs/personal-data.md).
    connection.pragma_update(None, "secure_delete", "ON")?;
    let applied: usize = connection.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    for (index, migration) in MIGRATIONS.iter().enumerate().skip(applied) {
        let transaction = connection.transaction()?;
        transaction.execute_batch(migration)?;
        transaction.pragma_update(None, "user_version", index + 1)?;
        transaction.commit()?;
    }
    backfill_survey_ids(connection)
}

/// Surveys sent before survey ids were stored get theirs (a hash of the token SQL cannot
/// compute), and answered ones their place in the listing.
fn backfill_survey_ids(connection: &mut Connection) -> rusqlite::Result<()> {
    let transaction = connection.transaction()?;
    let missing: Vec<(String, Option<String>)> = transaction
        .prepare("SELECT token, answered_at FROM surveys WHERE survey_id IS NULL")?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (token, answered_at) in missing {
        // A token that does not parse is left for the reader to report as corrupt.
        let Ok(parsed) = SurveyToken::parse(&token) else {
            continue;
        };
        let survey_id = parsed.survey_id();
        let response_key = answered_at
            .and_then(|at| parse_timestamp(&at).ok())
            .map(|at| response_sort_key(at, &survey_id));
        transaction.execute(
            "UPDATE surveys SET survey_id = ?1, response_key = ?2 WHERE token = ?3",
            rusqlite::params![survey_id.as_ref(), response_key, token],
        )?;
    }
    transaction.commit()
}
