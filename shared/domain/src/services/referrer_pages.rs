//! The referrer's own page: whether a key opens it, and what it shows.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::model::{FingerprintKey, PageKey, ReferralCode, ReferrerProgress};
use crate::ports::{Clock, ReferrerProgressStore, StoreError};

#[derive(Clone)]
pub struct ReferrerPages {
    store: Arc<dyn ReferrerProgressStore>,
    clock: Arc<dyn Clock>,
    fingerprints: FingerprintKey,
}

impl ReferrerPages {
    pub fn new(
        store: Arc<dyn ReferrerProgressStore>,
        clock: Arc<dyn Clock>,
        fingerprints: FingerprintKey,
    ) -> Self {
        Self {
            store,
            clock,
            fingerprints,
        }
    }

    /// What the page shows, if `key` opens the page of `code`: `None` for an unknown code (never
    /// issued, or erased) and for a key that is not its owner's.
    pub async fn open(
        &self,
        code: &ReferralCode,
        key: &PageKey,
    ) -> Result<Option<ReferrerProgress>, StoreError> {
        let Some(mut progress) = self.store.referrer_progress(code).await? else {
            return Ok(None);
        };
        if !key.opens(&self.fingerprints, code, &progress.owner) {
            return Ok(None);
        }
        progress.sort_rewards();
        Ok(Some(progress))
    }

    /// The current time, as the page judges coupons' validity.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
}
