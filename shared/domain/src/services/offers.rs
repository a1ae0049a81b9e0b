//! Claims of the friend's first-order offer (docs/architecture.md#the-friends-offer): one per
//! person, decided on the keyed fingerprint of their address before any code exists.

use std::sync::Arc;

use crate::model::{
    claim_refusal, ClaimRefusal, CouponCode, Creation, CustomerId, Email, FingerprintKey,
    FriendOffer, Locale, MessageId, OfferClaim, PersonFingerprint, ReferralCode,
};
use crate::ports::{
    Clock, Letter, MessageKind, OfferCommit, OfferCommitted, OfferMail, OfferStore, OutboxMessage,
    Payload, ShopIdentity, StoreError, Tally,
};

use super::optimistic::{until_done, Step};
use super::{Discounts, Events};

#[derive(Debug, thiserror::Error)]
pub enum ClaimError {
    #[error("no such referral code")]
    UnknownCode,
    #[error("the offer is not for this person: {0}")]
    Refused(ClaimRefusal),
    #[error("claims kept changing under {attempts} decisions")]
    Contention { attempts: u32 },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Who claims: the address the offer is mailed to, and what the storefront knows of them.
#[derive(Debug, Clone)]
pub struct Claimer {
    pub email: Email,
    /// The shop's id for the friend, when a storefront with accounts claims for them.
    pub customer_id: Option<CustomerId>,
    pub locale: Locale,
}

/// The friend's offer: its terms, and the one place its claims are decided.
#[derive(Clone)]
pub struct OfferService {
    store: Arc<dyn OfferStore>,
    clock: Arc<dyn Clock>,
    offer: FriendOffer,
    fingerprints: FingerprintKey,
    shop: ShopIdentity,
    events: Events,
    discounts: Discounts,
}

impl OfferService {
    pub fn new(
        store: Arc<dyn OfferStore>,
        clock: Arc<dyn Clock>,
        offer: FriendOffer,
        fingerprints: FingerprintKey,
        shop: ShopIdentity,
    ) -> Self {
        Self {
            store,
            clock,
            offer,
            fingerprints,
            shop,
            events: Events::default(),
            discounts: Discounts::default(),
        }
    }

    /// Writes `friend_offer.claimed` with each claim when `events` are on.
    pub fn with_events(mut self, events: Events) -> Self {
        self.events = events;
        self
    }

    /// DISCOUNT_PLATFORM: each claimed code becomes a discount there, and the friend's button
    /// applies it the platform's way.
    pub fn with_discounts(mut self, discounts: Discounts) -> Self {
        self.discounts = discounts;
        self
    }

    pub fn terms(&self) -> &FriendOffer {
        &self.offer
    }

    /// Where the friend's button goes for this claim.
    pub fn apply_url(&self, claim: &OfferClaim) -> String {
        claim.apply_url(self.discounts.platform(), &self.shop.url)
    }

    /// The person's claim: a new one (`Created`) or the one they made before, on this code or
    /// another (`Existing`: the first referrer keeps the friend).
    pub async fn claim(
        &self,
        code: &ReferralCode,
        claimer: &Claimer,
    ) -> Result<(OfferClaim, Creation), ClaimError> {
        let person = self.fingerprints.person(&claimer.email);
        until_done(
            || self.decide(code, claimer, &person),
            |attempts| ClaimError::Contention { attempts },
        )
        .await
    }

    /// One read → decide → commit of `claim`.
    async fn decide(
        &self,
        code: &ReferralCode,
        claimer: &Claimer,
        person: &PersonFingerprint,
    ) -> Result<Step<(OfferClaim, Creation)>, ClaimError> {
        let customer_id = claimer.customer_id.as_ref();
        let context = self.store.offer_context(code, person, customer_id).await?;
        if let Some(claim) = context.claim {
            return Ok(Step::Done((claim, Creation::Existing)));
        }
        let owner = context.owner.ok_or(ClaimError::UnknownCode)?;
        if let Some(refusal) = claim_refusal(
            &owner,
            &claimer.email,
            person,
            customer_id,
            &context.claimant,
        ) {
            return Err(ClaimError::Refused(refusal));
        }
        let claim = self.offer.claim(
            code.clone(),
            CouponCode::generate(&mut rand::thread_rng()),
            claimer
                .customer_id
                .clone()
                .unwrap_or_else(|| self.fingerprints.guest_id(&claimer.email)),
            self.clock.now(),
        );
        let commit = OfferCommit {
            messages: self.messages(&claim, claimer),
            tally: Tally::claim(&claim.code, claim.claimed_at.date_naive()),
            claim,
            person: person.clone(),
        };
        match self.store.commit_offer(&commit).await? {
            OfferCommitted::Committed => Ok(Step::Done((commit.claim, Creation::Created))),
            OfferCommitted::Claimed(first) => Ok(Step::Done((first, Creation::Existing))),
            OfferCommitted::UnknownCode => Err(ClaimError::UnknownCode),
            OfferCommitted::Stale => Ok(Step::Stale),
        }
    }

    /// The friend's mail, the event and the platform discount, committed with the claim; ids
    /// come from the coupon, so nothing is written twice.
    fn messages(&self, claim: &OfferClaim, claimer: &Claimer) -> Vec<OutboxMessage> {
        let at = claim.claimed_at;
        let mail = Letter::Offer(OfferMail {
            to: claimer.email.clone(),
            locale: claimer.locale,
            coupon: claim.coupon.clone(),
            amount_cents: claim.amount_cents,
            min_order_cents: claim.min_order_cents,
            currency: claim.currency.clone(),
            expires_at: claim.expires_at,
            apply_url: self.apply_url(claim),
            shop: self.shop.clone(),
        });
        let mut messages = vec![OutboxMessage {
            id: MessageId::derive(&["offer-mail", claim.coupon.as_ref()]),
            kind: MessageKind::OfferMail,
            reference: format!("coupon:{}", claim.coupon),
            customer_id: Some(claim.customer_id.clone()),
            payload: Payload::Mail(mail),
            created_at: at,
            due_at: at,
        }];
        messages.extend(self.events.friend_offer_claimed(claim));
        messages.extend(self.discounts.create_offer(claim, &claimer.email, at));
        messages
    }
}
