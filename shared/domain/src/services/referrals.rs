use std::sync::Arc;

use crate::model::{
    Creation, CustomerId, FingerprintKey, IssuedCode, PageKey, ReferralCode, ReferralRequest,
    ReferralStats, Visit,
};
use crate::ports::{ClaimOutcome, Click, Clock, CodeClaim, ReferralStore, StoreError};

use super::optimistic::{until_done, Step};
use super::Events;

/// Produces candidate codes; swapped for a fixed sequence in tests of the collision path.
pub type CodeSource = Arc<dyn Fn() -> ReferralCode + Send + Sync>;

/// How many candidate codes we try before giving up; with 31^8 codes, needing more than one
/// means the code space is nearly full, which is an operational problem worth a loud error.
pub const MAX_CODE_ATTEMPTS: u32 = 5;

#[derive(Debug, thiserror::Error)]
pub enum ReferralError {
    #[error("no free referral code after {MAX_CODE_ATTEMPTS} attempts")]
    CodeSpaceExhausted,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Get-or-create of referral codes and click counting: the one place these rules live.
#[derive(Clone)]
pub struct ReferralService {
    store: Arc<dyn ReferralStore>,
    clock: Arc<dyn Clock>,
    codes: CodeSource,
    events: Events,
    fingerprints: FingerprintKey,
}

impl ReferralService {
    pub fn new(
        store: Arc<dyn ReferralStore>,
        clock: Arc<dyn Clock>,
        fingerprints: FingerprintKey,
    ) -> Self {
        let codes: CodeSource = Arc::new(|| ReferralCode::generate(&mut rand::thread_rng()));
        Self::with_code_source(store, clock, fingerprints, codes)
    }

    pub fn with_code_source(
        store: Arc<dyn ReferralStore>,
        clock: Arc<dyn Clock>,
        fingerprints: FingerprintKey,
        codes: CodeSource,
    ) -> Self {
        Self {
            store,
            clock,
            codes,
            events: Events::default(),
            fingerprints,
        }
    }

    /// Writes `referral.created` with each new code when `events` are on.
    pub fn with_events(mut self, events: Events) -> Self {
        self.events = events;
        self
    }

    /// Returns the customer's code, creating it on first call; concurrent first calls agree on
    /// one code. `link` is the share link of a code, for the `referral.created` event.
    pub async fn get_or_create(
        &self,
        request: ReferralRequest,
        link: &(dyn Fn(&ReferralCode) -> String + Sync),
    ) -> Result<(IssuedCode, Creation), ReferralError> {
        let taken = std::sync::atomic::AtomicU32::new(0);
        let step = || async {
            let code = (self.codes)();
            let at = self.clock.now();
            let message =
                self.events
                    .referral_created(&request.customer_id, &code, &link(&code), at);
            let claim = CodeClaim {
                customer_id: request.customer_id.clone(),
                person: self.fingerprints.person(&request.email),
                email: request.email.clone(),
                name: request.name.clone(),
                locale: request.locale,
                code,
                at,
                message,
            };
            match self.store.claim_code(claim).await? {
                ClaimOutcome::Claimed(issued) => Ok(Step::Done((issued, Creation::Created))),
                ClaimOutcome::AlreadyOwned(issued) => Ok(Step::Done((issued, Creation::Existing))),
                ClaimOutcome::CodeTaken
                    if taken.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1
                        >= MAX_CODE_ATTEMPTS =>
                {
                    Err(ReferralError::CodeSpaceExhausted)
                }
                // A taken candidate is replaced by a fresh one; a concurrent write is waited out.
                ClaimOutcome::CodeTaken | ClaimOutcome::Stale => Ok(Step::Stale),
            }
        };
        until_done(step, |attempts| {
            ReferralError::Store(StoreError::Contention {
                operation: "claim a referral code",
                attempts,
            })
        })
        .await
    }

    pub async fn stats(
        &self,
        customer_id: &CustomerId,
    ) -> Result<Option<ReferralStats>, ReferralError> {
        Ok(self.store.referral_stats(customer_id).await?)
    }

    /// Whether anybody owns the code, without counting anything (HEAD requests, checks).
    pub async fn is_known(&self, code: &ReferralCode) -> Result<bool, ReferralError> {
        Ok(self.store.code_owner(code).await?.is_some())
    }

    /// The key of the referrer's own page for their code.
    pub fn page_key(&self, issued: &IssuedCode) -> PageKey {
        PageKey::issue(&self.fingerprints, &issued.code, &issued.customer_id)
    }

    /// A follow of a shared link: a person's first click on the code within the hour is
    /// counted; previews, crawlers, scripts and prefetches only learn whether the code is known.
    pub async fn follow(&self, code: &ReferralCode, visit: &Visit) -> Result<Click, ReferralError> {
        match visit.person(&self.fingerprints, code) {
            Some(visitor) => Ok(self
                .store
                .count_click(code, &visitor, self.clock.now())
                .await?),
            None if self.is_known(code).await? => Ok(Click::NotAPerson),
            None => Ok(Click::UnknownCode),
        }
    }
}
