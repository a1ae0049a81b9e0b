//! The review queue: held rewards listed for staff, and decided once, by staff or by
//! `REVIEW_AUTO` after `REVIEW_DAYS` (docs/architecture.md#the-review-queue).

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::model::{Beneficiary, CouponState, OrderId, ReviewDecision, ReviewStatus};
use crate::ports::{
    Claim, Clock, Contact, DecideOutcome, DecidedBy, Review, ReviewCommit, ReviewFacts, ReviewPlan,
    ReviewStore, RewardMail, ShopIdentity, StoreError, Tally, Verdict,
};

use super::optimistic::{until_done, Step};
use super::order_rewards::reward_messages;
use super::{Discounts, Events};

/// The longest note a reviewer can leave with a decision.
pub const MAX_REVIEW_NOTE_CHARS: usize = 500;

#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    #[error("no review for this order")]
    NotFound,
    #[error("the review was decided already")]
    AlreadyDecided(ReviewStatus),
    /// The order was refunded while held: its coupons are revoked, nothing is left to approve.
    #[error("the held coupons were revoked since")]
    CouponsChanged,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A reviewer's note: trimmed, at most [`MAX_REVIEW_NOTE_CHARS`], no control characters
/// besides line breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewNote(String);

impl ReviewNote {
    pub fn parse(raw: &str) -> Result<Option<Self>, String> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Ok(None);
        }
        if trimmed.chars().count() > MAX_REVIEW_NOTE_CHARS {
            return Err(format!(
                "must be at most {MAX_REVIEW_NOTE_CHARS} characters"
            ));
        }
        if trimmed.chars().any(|c| c.is_control() && c != '\n') {
            return Err("must not contain control characters".into());
        }
        Ok(Some(Self(trimmed.to_owned())))
    }
}

#[derive(Clone)]
pub struct ReviewService {
    store: Arc<dyn ReviewStore>,
    clock: Arc<dyn Clock>,
    events: Events,
    discounts: Discounts,
}

impl ReviewService {
    pub fn new(
        store: Arc<dyn ReviewStore>,
        clock: Arc<dyn Clock>,
        events: Events,
        discounts: Discounts,
    ) -> Self {
        Self {
            store,
            clock,
            events,
            discounts,
        }
    }

    /// A reviewer's decision; of concurrent decisions exactly one is recorded, the others are
    /// told it was decided already. `shop` signs an approval's reward mails.
    pub async fn decide(
        &self,
        order_id: &OrderId,
        decision: ReviewDecision,
        note: Option<ReviewNote>,
        shop: &ShopIdentity,
    ) -> Result<Review, ReviewError> {
        let note = note.map(|note| note.0);
        let outcome = until_done(
            || async {
                let facts = self
                    .store
                    .review_facts(order_id)
                    .await?
                    .ok_or(ReviewError::NotFound)?;
                let verdict = Verdict {
                    decision,
                    by: DecidedBy::Staff,
                    at: self.clock.now(),
                    note: note.clone(),
                };
                Ok(match self.commit(&facts, verdict, None, shop).await? {
                    DecideOutcome::Stale => Step::Stale,
                    outcome => Step::Done(outcome),
                })
            },
            |attempts| {
                ReviewError::Store(StoreError::Contention {
                    operation: "decide a review",
                    attempts,
                })
            },
        )
        .await?;
        match outcome {
            DecideOutcome::Decided => self
                .store
                .review_facts(order_id)
                .await?
                .map(|facts| facts.review)
                .ok_or(ReviewError::NotFound),
            DecideOutcome::AlreadyDecided(status) => Err(ReviewError::AlreadyDecided(status)),
            DecideOutcome::CouponsChanged => Err(ReviewError::CouponsChanged),
            // Only an automatic decision holds a claim, and Stale was decided again above.
            DecideOutcome::ClaimLost | DecideOutcome::Stale => {
                Err(ReviewError::Store(StoreError::Contention {
                    operation: "decide a review",
                    attempts: 1,
                }))
            }
        }
    }

    /// The automatic decision, when its step is due: `None` when there is nothing to decide (no
    /// such review, or decided already), and the step is cancelled. An order refunded while
    /// held is rejected whatever `decision` says: its coupons are revoked.
    pub async fn decide_automatically(
        &self,
        plan: &ReviewPlan,
        claim: &Claim,
        now: DateTime<Utc>,
    ) -> Result<Option<DecideOutcome>, ReviewError> {
        let order_id = &plan.order_id;
        let Some(facts) = self.store.review_facts(order_id).await? else {
            return Ok(None);
        };
        if facts.review.status != ReviewStatus::Open {
            return Ok(None);
        }
        let (decision, note) = if refunded(&facts.review) {
            (
                ReviewDecision::Reject,
                "rejected automatically: the order was refunded while held",
            )
        } else {
            (
                plan.decision,
                "decided automatically (REVIEW_AUTO after REVIEW_DAYS)",
            )
        };
        let verdict = Verdict {
            decision,
            by: DecidedBy::Automatic,
            at: now,
            note: Some(note.to_owned()),
        };
        Ok(Some(
            self.commit(&facts, verdict, Some(claim.clone()), &plan.shop)
                .await?,
        ))
    }

    /// Approve: the coupons issued, with the mails, `reward.issued` events and platform
    /// discounts the order would have written; reject: the coupons revoked, `reward.revoked`.
    async fn commit(
        &self,
        facts: &ReviewFacts,
        verdict: Verdict,
        claim: Option<Claim>,
        shop: &ShopIdentity,
    ) -> Result<DecideOutcome, ReviewError> {
        let review = &facts.review;
        if review.status != ReviewStatus::Open {
            return Ok(DecideOutcome::AlreadyDecided(review.status));
        }
        if verdict.decision == ReviewDecision::Approve && refunded(review) {
            return Ok(DecideOutcome::CouponsChanged);
        }
        let now = verdict.at;
        let order_id = &review.held.order_id;
        let (messages, tally) = match verdict.decision {
            ReviewDecision::Approve => {
                let rewards: Vec<_> = review.coupons.iter().map(|c| c.reward.clone()).collect();
                let mails: Vec<RewardMail> = rewards
                    .iter()
                    .filter_map(|reward| {
                        let (contact, page_url) = match reward.beneficiary {
                            Beneficiary::Referrer => {
                                (facts.referrer.as_ref(), review.held.page_url.clone())
                            }
                            Beneficiary::Friend | Beneficiary::Winback => {
                                (facts.friend.as_ref(), None)
                            }
                        };
                        contact.map(
                            |Contact {
                                 email,
                                 name,
                                 locale,
                             }| RewardMail {
                                to: email.clone(),
                                name: name.clone(),
                                locale: *locale,
                                reward: reward.clone(),
                                page_url,
                                shop: shop.clone(),
                            },
                        )
                    })
                    .collect();
                let messages = reward_messages(
                    self.events,
                    &self.discounts,
                    order_id,
                    &mails,
                    &rewards,
                    now,
                );
                (messages, Tally::default())
            }
            ReviewDecision::Reject => {
                let held = held_coupons(review);
                let messages = held
                    .iter()
                    .filter_map(|coupon| self.events.reward_revoked(order_id, coupon, now))
                    .collect();
                let cents: u64 = held.iter().map(|c| c.reward.amount_cents).sum();
                (messages, Tally::revocation(cents, now.date_naive()))
            }
        };
        let commit = ReviewCommit {
            held: review.held.clone(),
            coupons: held_coupons(review)
                .into_iter()
                .map(|coupon| coupon.reward.coupon.clone())
                .collect(),
            verdict,
            messages,
            tally,
            claim,
        };
        Ok(self.store.decide_review(&commit).await?)
    }
}

/// The review's coupons still held: a refund while held revoked the others.
fn held_coupons(review: &Review) -> Vec<&crate::model::Coupon> {
    review
        .coupons
        .iter()
        .filter(|coupon| coupon.state == CouponState::Review)
        .collect()
}

fn refunded(review: &Review) -> bool {
    review
        .coupons
        .iter()
        .any(|coupon| coupon.state != CouponState::Review)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_is_trimmed_bounded_and_printable() {
        assert_eq!(ReviewNote::parse("  "), Ok(None));
        assert_eq!(
            ReviewNote::parse(" same household \n checked ").map(|n| n.map(|n| n.0)),
            Ok(Some("same household \n checked".to_owned()))
        );
        assert!(ReviewNote::parse(&"x".repeat(MAX_REVIEW_NOTE_CHARS + 1)).is_err());
        assert!(ReviewNote::parse(&"x".repeat(MAX_REVIEW_NOTE_CHARS)).is_ok());
        assert!(ReviewNote::parse("bell \u{7}").is_err());
    }
}
