//! What the domain needs from the outside world, as traits over domain operations.

mod clock;
mod referral_store;
mod store_error;

pub use clock::{Clock, SystemClock};
pub use referral_store::{ClaimOutcome, CodeClaim, ReferralStore};
pub use store_error::StoreError;
