//! Domain services: the business decisions, made once, above the store ports.

mod referrals;

pub use referrals::{CodeSource, ReferralError, ReferralService, MAX_CODE_ATTEMPTS};
