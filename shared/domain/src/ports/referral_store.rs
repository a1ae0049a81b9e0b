use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{OutboxMessage, StoreError};
use crate::model::{
    CustomerId, CustomerName, Email, IssuedCode, Locale, PersonFingerprint, ReferralCode,
    ReferralStats, ReferrerProgress, VisitorFingerprint,
};

/// A request to give `customer_id` the freshly generated `code`, unless they already own one.
#[derive(Debug, Clone)]
pub struct CodeClaim {
    pub customer_id: CustomerId,
    /// The keyed fingerprint of `email`: kept on the profile and the code, so a friend using an
    /// alias of the owner's address is known, and a data request by address finds them.
    pub person: PersonFingerprint,
    pub email: Email,
    pub name: Option<CustomerName>,
    pub locale: Option<Locale>,
    pub code: ReferralCode,
    pub at: DateTime<Utc>,
    /// The `referral.created` event, written only if this claim creates the code.
    pub message: Option<OutboxMessage>,
}

/// The result of one atomic claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClaimOutcome {
    /// The customer had no code; they now own the claimed one.
    Claimed(IssuedCode),
    /// The customer already owned a code (possibly claimed a moment ago by a concurrent call).
    AlreadyOwned(IssuedCode),
    /// Another customer owns the candidate code; nothing was written.
    CodeTaken,
    /// A concurrent write to the same items cancelled the claim; nothing was written.
    Stale,
}

/// What a follow of a share link did to the counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Click {
    /// Nobody owns the code.
    UnknownCode,
    Counted,
    /// The same visitor's click on the code was counted within the hour.
    Repeat,
    /// A link preview, crawler, script or prefetch: nothing is counted or kept.
    NotAPerson,
}

impl Click {
    pub fn known_code(self) -> bool {
        self != Self::UnknownCode
    }
}

/// Storage of referral codes. Each method is one atomic unit.
#[async_trait]
pub trait ReferralStore: Send + Sync {
    /// Atomically gives the customer the candidate code, unless they own one or the code is taken.
    async fn claim_code(&self, claim: CodeClaim) -> Result<ClaimOutcome, StoreError>;

    /// The customer's code and its counters, if they have one.
    async fn referral_stats(
        &self,
        customer_id: &CustomerId,
    ) -> Result<Option<ReferralStats>, StoreError>;

    /// Who owns the code, if anyone; a plain read that changes nothing.
    async fn code_owner(&self, code: &ReferralCode) -> Result<Option<CustomerId>, StoreError>;

    /// Records a person's click on a known code as a tally of its own (the code's count and the
    /// day's funnel move when the aggregator applies it), unless the same visitor's click on it
    /// was counted within [`crate::model::VISIT_WINDOW`]; the visitor's fingerprint is kept that
    /// long and no longer. Writes no item another visitor's click writes.
    async fn count_click(
        &self,
        code: &ReferralCode,
        visitor: &VisitorFingerprint,
        at: DateTime<Utc>,
    ) -> Result<Click, StoreError>;
}

/// What the referrer's page reads; its own port, so only create-referral links the read (and
/// its role the index query) that serves it.
#[async_trait]
pub trait ReferrerProgressStore: Send + Sync {
    /// The code's counters, its owner and the owner's reward coupons (beneficiary `referrer`);
    /// `None` for a code nobody owns.
    async fn referrer_progress(
        &self,
        code: &ReferralCode,
    ) -> Result<Option<ReferrerProgress>, StoreError>;
}
