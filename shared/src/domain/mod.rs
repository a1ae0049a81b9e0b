//! Pure rules and the types handlers receive once input is parsed.

mod customer_id;
mod customer_name;
mod email;
mod locale;
mod referral;
mod referral_code;

pub use customer_id::{CustomerId, IdError};
pub use customer_name::{CustomerName, CustomerNameError};
pub use email::{Email, EmailError};
pub use locale::{Locale, LocaleError};
pub use referral::{Creation, IssuedCode, ReferralRequest, ReferralStats};
pub use referral_code::{ReferralCode, ReferralCodeError, CODE_ALPHABET, GENERATED_CODE_LEN};
