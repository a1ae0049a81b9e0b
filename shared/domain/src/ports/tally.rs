//! What a request adds to the shared counters, written with the request as one small item of its
//! own (a tally) and added to the counters later by the aggregator, exactly once.
//!
//! Day counters (funnel, retention, NPS shop-wide and per segment and locale, open follow-ups),
//! orders per customer and day, and a code's clicks and claims are each shared by every request of
//! a day or of a code. Written inside each request's transaction they were hot items: DynamoDB
//! cancels a transaction that touches an item another one is writing, and takes about 1 000
//! writes per second on one item. A tally belongs to its request alone; the aggregator folds many
//! tallies into one write per counter item, and deletes each tally in the same atomic step, so a
//! replayed or retried batch finds it gone and adds nothing twice.

use async_trait::async_trait;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::stored::{
    bucket, dimension_from, dimension_key, merge_moves, CounterMove, OPEN_FOLLOW_UPS,
};
use super::StoreError;
use super::{Dimension, FollowUpChange};
use crate::model::{
    counters, open_follow_up_moves, Answer, CounterDelta, CounterSeries, CustomerId, ReferralCode,
    Survey,
};

/// A tally's id: random, since every request that writes one writes it once (its own
/// transaction's conditions stop a replay first).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TallyId(String);

impl TallyId {
    pub fn random() -> Self {
        let bytes: [u8; 16] = rand::random();
        Self(bytes.iter().map(|b| format!("{b:02x}")).collect())
    }

    /// 32 lowercase hex digits, as `random` makes them.
    pub fn parse(raw: &str) -> Result<Self, StoreError> {
        if raw.len() == 32
            && raw
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            Ok(Self(raw.to_owned()))
        } else {
            Err(StoreError::Corrupt("bad tally id".into()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The aggregator's side of the store.
#[async_trait]
pub trait TallyStore: Send + Sync {
    /// Adds the tallies with these ids to their counters and deletes them, each in the same
    /// atomic step as its counters: an id already applied (a replayed or retried stream record)
    /// or never written adds nothing. Returns how many were applied by this call.
    async fn apply_tallies(&self, ids: &[TallyId]) -> Result<usize, StoreError>;
}

/// Clicks and claims of the friend's offer on one code.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CodeCounts {
    pub clicks: i64,
    pub claims: i64,
}

/// Counter contributions: of one request, or merged over many (`Tally::merge`). Every list is
/// kept merged per counter with zeros dropped, so an adapter can write each entry as is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// Funnel and retention day counters.
    pub days: Vec<CounterDelta>,
    /// NPS day counters, shop-wide and per segment and locale, and open follow-ups.
    pub nps: Vec<CounterMove>,
    /// Orders per customer and day.
    pub order_days: Vec<(NaiveDate, CustomerId, i64)>,
    /// Clicks and claims per code.
    pub codes: Vec<(ReferralCode, CodeCounts)>,
}

impl Tally {
    pub fn days(deltas: Vec<CounterDelta>) -> Self {
        Self {
            days: counters::merge(deltas),
            ..Self::default()
        }
    }

    pub fn nps(moves: Vec<CounterMove>) -> Self {
        Self {
            nps: moves,
            ..Self::default()
        }
        .merged()
    }

    /// Every counter an answer moves: the old answer's bucket −1 on its day and the new one's +1
    /// on today, shop-wide and in the survey's segment and locale, plus the open-detractor count of
    /// a follow-up it opens. Merged per counter, zero moves dropped: an answer that changes nothing
    /// writes no tally.
    pub fn answer(survey: &Survey, answer: &Answer, follow_up: Option<&FollowUpChange>) -> Self {
        let dimensions: Vec<Option<Dimension>> = std::iter::once(None)
            .chain(survey.segment.clone().map(|s| Some(Dimension::Segment(s))))
            .chain(survey.locale.map(|l| Some(Dimension::Locale(l))))
            .collect();
        let mut moves = Vec::new();
        for dimension in &dimensions {
            if let Some(previous) = &survey.answer {
                moves.push(CounterMove {
                    day: previous.answered_at.date_naive(),
                    dimension: dimension.clone(),
                    column: bucket(previous.score.category()),
                    delta: -1,
                });
            }
            moves.push(CounterMove {
                day: answer.answered_at.date_naive(),
                dimension: dimension.clone(),
                column: bucket(answer.score.category()),
                delta: 1,
            });
        }
        if let Some(change) = follow_up {
            moves.extend(Self::follow_up(change).nps);
        }
        let mut tally = Self::nps(moves);
        // A first answer to a reminded survey is the reminder's answer, counted on its day.
        if let (None, Some(reminded_at)) = (&survey.answer, survey.reminded_at) {
            tally.days = vec![counters::retention(
                reminded_at.date_naive(),
                counters::REMINDED_ANSWERS,
                1,
            )];
        }
        tally
    }

    /// The open-detractor count a follow-up change moves (a detractor's answer opens one, support
    /// closes or reopens it).
    pub fn follow_up(change: &FollowUpChange) -> Self {
        Self::nps(
            open_follow_up_moves(change.previous.as_ref(), &change.next)
                .into_iter()
                .map(|(day, delta)| CounterMove {
                    day,
                    dimension: None,
                    column: OPEN_FOLLOW_UPS,
                    delta,
                })
                .collect(),
        )
    }

    /// A click on a known code: the code's count and the day's funnel.
    pub fn click(code: &ReferralCode, day: NaiveDate) -> Self {
        Self {
            days: vec![counters::funnel(day, counters::CLICKS, 1)],
            codes: vec![(
                code.clone(),
                CodeCounts {
                    clicks: 1,
                    claims: 0,
                },
            )],
            ..Self::default()
        }
    }

    /// A claim of the friend's offer on a code.
    pub fn claim(code: &ReferralCode, day: NaiveDate) -> Self {
        Self {
            days: vec![counters::funnel(day, counters::CLAIMS, 1)],
            codes: vec![(
                code.clone(),
                CodeCounts {
                    clicks: 0,
                    claims: 1,
                },
            )],
            ..Self::default()
        }
    }

    /// A reward coupon revoked (its order refunded): the cents it no longer gives.
    pub fn revocation(amount_cents: u64, day: NaiveDate) -> Self {
        let cents = i64::try_from(amount_cents).unwrap_or(i64::MAX);
        Self::days(vec![counters::funnel(day, counters::REVOKED_CENTS, cents)])
    }

    /// A survey reminder sent.
    pub fn reminded(day: NaiveDate) -> Self {
        Self::days(vec![counters::retention(day, counters::REMINDERS_SENT, 1)])
    }

    /// A win-back mail sent.
    pub fn winback_sent(day: NaiveDate) -> Self {
        Self::days(vec![counters::retention(day, counters::WINBACK_SENT, 1)])
    }

    /// A customer won back by `order`, counted on the day of the mail that asked them back,
    /// with the order's total in its currency.
    pub fn won_back(mail_day: NaiveDate, order: &crate::model::Order) -> Self {
        let total = i64::try_from(order.total_cents.get()).unwrap_or(i64::MAX);
        Self::days(vec![
            counters::retention(mail_day, counters::WINBACK_WON, 1),
            counters::retention(mail_day, counters::winback_revenue(&order.currency), total),
        ])
    }

    /// A referral code made.
    pub fn code_created(day: NaiveDate) -> Self {
        Self::days(vec![counters::funnel(day, counters::CODES_CREATED, 1)])
    }

    /// One more order of a customer on a day, besides `self`'s counters.
    pub fn with_order_day(mut self, day: NaiveDate, customer: &CustomerId) -> Self {
        self.order_days.push((day, customer.clone(), 1));
        self.merged()
    }

    pub fn is_empty(&self) -> bool {
        self.days.is_empty()
            && self.nps.is_empty()
            && self.order_days.is_empty()
            && self.codes.is_empty()
    }

    /// Many tallies as one: what the aggregator writes for a batch.
    pub fn merge<'a>(tallies: impl IntoIterator<Item = &'a Tally>) -> Tally {
        let mut all = Tally::default();
        for tally in tallies {
            all.days.extend(tally.days.iter().cloned());
            all.nps.extend(tally.nps.iter().cloned());
            all.order_days.extend(tally.order_days.iter().cloned());
            all.codes.extend(tally.codes.iter().cloned());
        }
        all.merged()
    }

    fn merged(mut self) -> Self {
        self.days = counters::merge(self.days);
        self.nps = merge_moves(self.nps);
        let mut order_days: Vec<(NaiveDate, CustomerId, i64)> = Vec::new();
        for (day, customer, orders) in self.order_days {
            match order_days
                .iter_mut()
                .find(|(d, c, _)| *d == day && *c == customer)
            {
                Some(existing) => existing.2 += orders,
                None => order_days.push((day, customer, orders)),
            }
        }
        order_days.retain(|(_, _, orders)| *orders != 0);
        self.order_days = order_days;
        let mut codes: Vec<(ReferralCode, CodeCounts)> = Vec::new();
        for (code, counts) in self.codes {
            match codes.iter_mut().find(|(c, _)| *c == code) {
                Some((_, existing)) => {
                    existing.clicks += counts.clicks;
                    existing.claims += counts.claims;
                }
                None => codes.push((code, counts)),
            }
        }
        codes.retain(|(_, counts)| *counts != CodeCounts::default());
        self.codes = codes;
        self
    }

    /// How many distinct counter items the tally writes (a DynamoDB transaction holds at most
    /// 100 items).
    pub fn items(&self) -> usize {
        let mut days: Vec<(CounterSeries, NaiveDate)> =
            self.days.iter().map(|d| (d.series, d.day)).collect();
        days.sort();
        days.dedup();
        let mut nps: Vec<(NaiveDate, Option<String>)> = self
            .nps
            .iter()
            .map(|m| (m.day, m.dimension.as_ref().map(dimension_key)))
            .collect();
        nps.sort();
        nps.dedup();
        days.len() + nps.len() + self.order_days.len() + self.codes.len()
    }
}

/// A tally as stored: compact JSON, counter names checked against the known ones when read.
#[derive(Serialize, Deserialize, Default)]
struct TallyRecord {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    days: Vec<(String, String, String, i64)>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    nps: Vec<(String, Option<String>, String, i64)>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    orders: Vec<(String, String, i64)>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    codes: Vec<(String, i64, i64)>,
}

const DAY: &str = "%Y-%m-%d";

pub fn tally_to_json(tally: &Tally) -> String {
    let record = TallyRecord {
        days: tally
            .days
            .iter()
            .map(|d| {
                (
                    d.series.as_str().to_owned(),
                    d.day.format(DAY).to_string(),
                    d.name.to_string(),
                    d.delta,
                )
            })
            .collect(),
        nps: tally
            .nps
            .iter()
            .map(|m| {
                (
                    m.day.format(DAY).to_string(),
                    m.dimension.as_ref().map(dimension_key),
                    m.column.to_owned(),
                    m.delta,
                )
            })
            .collect(),
        orders: tally
            .order_days
            .iter()
            .map(|(day, customer, orders)| {
                (day.format(DAY).to_string(), customer.to_string(), *orders)
            })
            .collect(),
        codes: tally
            .codes
            .iter()
            .map(|(code, counts)| (code.to_string(), counts.clicks, counts.claims))
            .collect(),
    };
    serde_json::to_string(&record).unwrap_or_default()
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(format!("bad tally: {what}"))
}

fn day(raw: &str) -> Result<NaiveDate, StoreError> {
    NaiveDate::parse_from_str(raw, DAY).map_err(|_| corrupt("day"))
}

/// The NPS columns a tally may move.
const NPS_COLUMNS: [&str; 4] = ["promoters", "passives", "detractors", OPEN_FOLLOW_UPS];

pub fn tally_from_json(stored: &str) -> Result<Tally, StoreError> {
    let record: TallyRecord = serde_json::from_str(stored).map_err(|_| corrupt("json"))?;
    let mut tally = Tally::default();
    for (series, on, name, delta) in record.days {
        let series = match series.as_str() {
            "FUNNEL" => CounterSeries::Funnel,
            "RETENTION" => CounterSeries::Retention,
            _ => return Err(corrupt("series")),
        };
        let name = match counters::ALL.iter().find(|known| **known == name) {
            Some(known) => std::borrow::Cow::Borrowed(*known),
            None if counters::is_known(&name) => std::borrow::Cow::Owned(name),
            None => return Err(corrupt("counter name")),
        };
        tally.days.push(CounterDelta {
            series,
            day: day(&on)?,
            name,
            delta,
        });
    }
    for (on, dimension, column, delta) in record.nps {
        let column = NPS_COLUMNS
            .iter()
            .find(|known| **known == column)
            .ok_or_else(|| corrupt("nps column"))?;
        tally.nps.push(CounterMove {
            day: day(&on)?,
            dimension: dimension.as_deref().map(dimension_from).transpose()?,
            column,
            delta,
        });
    }
    for (on, customer, orders) in record.orders {
        let customer = CustomerId::parse(&customer).map_err(|_| corrupt("customer id"))?;
        tally.order_days.push((day(&on)?, customer, orders));
    }
    for (code, clicks, claims) in record.codes {
        let code = ReferralCode::parse(&code).map_err(|_| corrupt("code"))?;
        tally.codes.push((code, CodeCounts { clicks, claims }));
    }
    Ok(tally)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Locale;
    use crate::ports::Dimension;

    fn on(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, day).expect("day")
    }

    #[test]
    fn tallies_merge_per_counter_and_drop_what_cancels_out() {
        let code = ReferralCode::parse("ABCD2345").expect("code");
        let customer = CustomerId::parse("c-1").expect("customer");
        let answer = Tally::nps(vec![
            CounterMove {
                day: on(3),
                dimension: None,
                column: "detractors",
                delta: -1,
            },
            CounterMove {
                day: on(4),
                dimension: Some(Dimension::Locale(Locale::parse("de").expect("locale"))),
                column: "promoters",
                delta: 1,
            },
        ]);
        let earlier_answer = Tally::nps(vec![CounterMove {
            day: on(3),
            dimension: None,
            column: "detractors",
            delta: 1,
        }]);
        let order = Tally::days(vec![counters::funnel(on(4), counters::REWARDED, 1)])
            .with_order_day(on(4), &customer);
        let all = Tally::merge([
            &Tally::click(&code, on(4)),
            &Tally::click(&code, on(4)),
            &Tally::claim(&code, on(4)),
            &answer,
            &earlier_answer,
            &order,
            &order,
        ]);
        assert_eq!(
            all.codes,
            vec![(
                code,
                CodeCounts {
                    clicks: 2,
                    claims: 1
                }
            )]
        );
        assert_eq!(all.order_days, vec![(on(4), customer, 2)]);
        assert_eq!(
            all.nps.len(),
            1,
            "the detractor's −1 and +1 cancel: {all:?}"
        );
        assert_eq!(
            all.days
                .iter()
                .map(|d| (d.name.as_ref(), d.delta))
                .collect::<Vec<_>>(),
            vec![("clicks", 2), ("claims", 1), ("rewarded", 2)]
        );
        assert_eq!(
            all.items(),
            4,
            "one funnel day, one locale day, one order day, one code"
        );
        assert_eq!(
            tally_from_json(&tally_to_json(&all)).expect("reads back"),
            all
        );
    }

    #[test]
    fn unknown_counters_are_corrupt_not_created() {
        for stored in [
            r#"{"days":[["FUNNEL","2026-12-04","bogus",1]]}"#,
            r#"{"days":[["OTHER","2026-12-04","clicks",1]]}"#,
            r#"{"nps":[["2026-12-04",null,"bogus",1]]}"#,
            r#"{"codes":[["not a code",1,0]]}"#,
            "garbage",
        ] {
            assert!(tally_from_json(stored).is_err(), "{stored}");
        }
        assert!(TallyId::parse(TallyId::random().as_str()).is_ok());
        assert!(TallyId::parse("TALLY").is_err());
    }
}
