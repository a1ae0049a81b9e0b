//! What the domain needs from the outside world, as traits over domain operations.

mod clock;
mod delivery_log;
mod discounts;
mod letter;
mod mailer;
mod metrics_store;
mod offer_store;
mod order_store;
mod outbox;
mod personal_data;
mod referral_store;
mod review_store;
mod scheduled;
mod store_error;
pub mod stored;
mod survey_store;
pub mod tally;
mod webhook;

pub use clock::{Clock, SystemClock};
pub use delivery_log::{DeliveryKey, DeliveryLog};
pub use discounts::{CouponDiscount, DiscountLedger, PlatformDiscounts, PlatformError};
pub use letter::{
    DetractorAlert, Letter, OfferMail, RewardMail, ShopIdentity, SurveyMailJob, WinbackMail,
};
pub use mailer::{redact_addresses, MailError, Mailer, OutgoingMail};
pub use metrics_store::{
    CounterDay, DayCounts, Dimension, DimensionDay, MetricsStore, OrderDay, ResponsePage,
};
pub use offer_store::{OfferCommit, OfferCommitted, OfferContext, OfferStore};
pub use order_store::{
    CommitOutcome, ExistingOrder, KnownCodes, OrderCommit, OrderContext, OrderStore, PartialRefund,
    RedeemOutcome, RefundTally, RefundsRecorded, ReviewLookup, RevokedMessage, RewardCommit,
    StoredOrder, UndecidedOrder,
};
pub use outbox::{
    Claim, DiscountAction, DueMessages, EventType, MessageKind, MessagePage, MessageStatus,
    MessageSummary, OutboxAdmin, OutboxMessage, OutboxStore, PageCursor, Payload, RequeueOutcome,
    Settlement,
};
pub use personal_data::{
    DataSubject, Erasure, OptOut, OrderRecord, PersonalData, PersonalDataStore, Profile,
};
pub use referral_store::{ClaimOutcome, Click, CodeClaim, ReferralStore, ReferrerProgressStore};
pub use review_store::{
    Contact, DecideOutcome, DecidedBy, HeldReward, Review, ReviewCommit, ReviewCursor, ReviewFacts,
    ReviewListing, ReviewPage, ReviewReading, ReviewStore, Verdict, WeekCounts,
};
pub use scheduled::{
    ReminderCommit, ReminderFacts, ReminderPlan, ReviewPlan, Scheduled, ScheduledStore,
    StepOutcome, WinbackCommit, WinbackFacts, WinbackPlan,
};
pub use store_error::StoreError;
pub use survey_store::{
    CustomerOptOut, FollowUpChange, FollowUpStore, OptOutMessage, StoredSurveyRequest,
    SurveyCommitOutcome, SurveyRequestCommit, SurveyRequestContext, SurveyStore,
};
pub use tally::{CodeCounts, Tally, TallyId, TallyStore};
pub use webhook::{WebhookError, WebhookSender};
