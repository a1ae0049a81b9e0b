use async_trait::async_trait;

use super::{OutboxMessage, StoreError};
use crate::model::{Claimant, CodeOwner, CustomerId, OfferClaim, PersonFingerprint, ReferralCode};

/// What deciding a claim of the friend's offer needs, read together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferContext {
    /// `None` for an unknown code.
    pub owner: Option<CodeOwner>,
    /// The person's claim, on whichever code they made it.
    pub claim: Option<OfferClaim>,
    /// Decides only a first claim on a known code; a store may leave it default otherwise.
    pub claimant: Claimant,
}

/// One atomic write of a new claim: the claim under the person's fingerprint, its coupon, its
/// tally (the code's claims and the day's funnel) and the messages (mail, event, platform
/// discount).
#[derive(Debug, Clone)]
pub struct OfferCommit {
    pub claim: OfferClaim,
    pub person: PersonFingerprint,
    pub messages: Vec<OutboxMessage>,
    pub tally: super::Tally,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OfferCommitted {
    Committed,
    /// The person's claim was written first by another request: that one stands.
    Claimed(OfferClaim),
    /// The code is gone (its owner's data was erased in between).
    UnknownCode,
    /// A concurrent write or a coupon collision: decide again.
    Stale,
}

/// Storage of claims of the friend's offer. Each method is one atomic unit.
#[async_trait]
pub trait OfferStore: Send + Sync {
    /// The code's owner, the person's claim, and whether they were referred or ordered before
    /// (by fingerprint, and by `customer_id` when the storefront names them).
    async fn offer_context(
        &self,
        code: &ReferralCode,
        person: &PersonFingerprint,
        customer_id: Option<&CustomerId>,
    ) -> Result<OfferContext, StoreError>;

    /// Writes the claim only if the person has none and the code exists.
    async fn commit_offer(&self, commit: &OfferCommit) -> Result<OfferCommitted, StoreError>;
}
