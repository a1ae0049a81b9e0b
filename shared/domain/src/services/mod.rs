//! Domain services: the business decisions, made once, above the store ports.

mod coupons;
mod customer_data;
mod delivery;
mod discounts;
mod events;
mod follow_ups;
mod letters;
mod offers;
mod optimistic;
mod order_rewards;
mod orders;
mod referral_links;
mod referrals;
mod referrer_pages;
mod reviews;
pub mod reward_mail;
mod scheduled;
mod scores;
pub mod survey_mail;
mod surveys;
mod unsubscribe_links;

pub use crate::ports::ShopIdentity;
pub use coupons::{CancelOutcome, CouponError, CouponService, RefundEffect, RefundsOutcome};
pub use customer_data::{CustomerDataError, CustomerDataService};
pub use delivery::{
    Attempt, Deliverer, DeliveryReport, DiscountDelivery, MessageError, MessageService,
    CLAIM_SECONDS, MAX_PAGE, SWEEP_LIMIT,
};
pub use discounts::Discounts;
pub use events::{Events, SurveySent};
pub use follow_ups::FollowUpService;
pub use letters::{render as render_letter, RenderError};
pub use offers::{ClaimError, Claimer, OfferService};
pub use optimistic::MAX_DECISIONS;
pub use orders::{OrderError, OrderService, ReviewPolicy, DEFAULT_ACTIVITY_WINDOW_DAYS};
pub use referral_links::{page_path, share_path, ReferralLinks};
pub use referrals::{CodeSource, ReferralError, ReferralService, MAX_CODE_ATTEMPTS};
pub use referrer_pages::ReferrerPages;
pub use reviews::{ReviewError, ReviewNote, ReviewService, MAX_REVIEW_NOTE_CHARS};
pub use scheduled::ScheduledDelivery;
pub use scores::{
    FunnelReport, NpsReport, RetentionReport, ScoreService, SegmentReport, WinbackReport,
};
pub use surveys::{AnswerReceipt, SurveyError, SurveyRules, SurveyService};
pub use unsubscribe_links::{unsubscribe_path, UnsubscribeLinks};
