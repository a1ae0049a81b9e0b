//! Pure rules and the types handlers receive once input is parsed.

mod capability;
pub mod counters;
mod coupon;
mod coupon_code;
mod customer_id;
mod customer_name;
mod delivery_pace;
mod discount;
mod disposable;
mod email;
mod feedback;
mod fingerprint;
mod friend_offer;
mod http_url;
mod locale;
mod metrics;
mod money;
mod order;
mod order_outcome;
mod order_signals;
mod outbox;
mod referral;
mod referral_code;
mod referrer_page;
mod retention;
mod review;
mod rewards;
mod survey;
mod survey_request;
mod time;
mod visit;
mod webhook;
mod winback;

pub use capability::{UnsubscribeKey, UnsubscribeKeyError};
pub use counters::{CounterDelta, CounterSeries};
pub use coupon::{Coupon, CouponState, CouponStatus, RewardStatus};
pub use coupon_code::{CouponCode, CouponCodeError, GENERATED_COUPON_LEN};
pub(crate) use customer_id::check_id;
pub use customer_id::{CustomerId, IdError, ID_PATTERN, MAX_ID_LEN};
pub use customer_name::{CustomerName, CustomerNameError, MAX_NAME_CHARS};
pub use delivery_pace::{
    Concurrency, ConcurrencyError, SendRate, SendRateError, DEFAULT_OUTBOX_CONCURRENCY,
    DEFAULT_SES_MAX_SEND_RATE,
};
pub use discount::{
    CombinesWith, DiscountOrigin, DiscountPlatform, NewDiscount, PlatformDiscountId,
    PlatformDiscountIdError,
};
pub use disposable::is_disposable;
pub use email::{Email, EmailError, MAX_EMAIL_LEN};
pub use feedback::{
    open_follow_up_moves, response_sort_key, FollowUp, FollowUpNote, FollowUpNoteError,
    FollowUpStatus, FollowUpStatusError, Response, ResponseCursor, ResponseFilter, Segment,
    SegmentError, SurveyId, SurveyIdError, MAX_NOTE_CHARS, MAX_SEGMENT_CHARS, SURVEY_ID_PATTERN,
};
pub use fingerprint::{FingerprintKey, FingerprintKeyError, PersonFingerprint, MIN_KEY_BYTES};
pub use friend_offer::{
    claim_refusal, ClaimRefusal, Claimant, CodeOwner, FriendOffer, FriendReward, OfferClaim,
    DEFAULT_FRIEND_OFFER_DAYS,
};
pub use http_url::{HttpUrl, HttpUrlError};
pub use locale::{Locale, LocaleError};
pub use metrics::{
    active_deltas, activity_changes, nps, periods, rate, rate_margin, round1, Interval, NpsSummary,
    MIN_ANSWERS_FOR_MARGIN,
};
pub use money::{MinorUnits, MoneyError};
pub(crate) use order::hex;
pub use order::{
    fingerprint, CarriedCode, Currency, CurrencyError, HistoryChange, Order, OrderHistory, OrderId,
    RefundId,
};
pub use order_outcome::{OrderOutcome, ReferralOutcome, ReferralResult};
pub use order_signals::{NetworkFingerprint, OrderSignals, ReviewMark, ShippingAddress};
pub use outbox::{
    MessageId, MessageIdError, RetrySchedule, RetryScheduleError, DEFAULT_RETRY_SECONDS,
};
pub use referral::{Creation, IssuedCode, ReferralRequest, ReferralStats};
pub use referral_code::{ReferralCode, ReferralCodeError, CODE_ALPHABET, GENERATED_CODE_LEN};
pub use referrer_page::{PageKey, PageKeyError, ReferrerProgress, RewardState};
pub use retention::{
    Retention, RetentionError, DEFAULT_RETENTION_DAYS, MAX_RETENTION_DAYS, MIN_RETENTION_DAYS,
};
pub use review::{
    held_by, DayCounts, ReviewDecision, ReviewLimits, ReviewRule, ReviewStatus, RuleFacts,
    DEFAULT_MAX_ORDERS_PER_IP, DEFAULT_MAX_REWARDS_PER_WEEK, DEFAULT_REVIEW_DAYS,
    REVIEW_WINDOW_DAYS,
};
pub use rewards::{
    decide, Beneficiary, Decision, Friend, Referrer, Rejection, Reward, RewardRules, WinbackSent,
    DEFAULT_COUPON_VALID_DAYS,
};
pub use survey::{
    Answer, Category, Comment, CommentError, Score, ScoreError, Survey, SurveyToken,
    SurveyTokenError, MAX_COMMENT_CHARS,
};
pub use survey_request::{SkipReason, SurveyDecision, SurveyRequest};
pub use time::rfc3339;
pub use visit::{
    is_automated, is_prefetch, Visit, VisitorFingerprint, AUTOMATED_AGENTS, VISIT_WINDOW,
};
pub use webhook::{WebhookSecrets, WebhookSecretsError, WebhookUrl, WebhookUrlError};
pub use winback::WinbackRules;
