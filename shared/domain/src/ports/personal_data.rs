//! A customer's personal data as a whole: found, exported and erased on their request
//! (GDPR Art. 15, 17, 20). What erasure keeps, and why: docs/personal-data.md, data inventory.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{MessageSummary, StoreError};
use crate::model::{
    Coupon, CustomerId, CustomerName, Email, Locale, MinorUnits, OfferClaim, OrderHistory, OrderId,
    PersonFingerprint, ReferralStats, Survey,
};

/// Whose data a request is about: a customer id the shop knows, or an address (as its keyed
/// fingerprint, which also finds guest checkouts and surveys sent to the address).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataSubject {
    Customer(CustomerId),
    Person(PersonFingerprint),
}

/// A customer profile as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub customer_id: CustomerId,
    /// `None` once erased.
    pub email: Option<Email>,
    pub name: Option<CustomerName>,
    pub locale: Option<Locale>,
    pub created_at: DateTime<Utc>,
    pub history: OrderHistory,
    pub erased_at: Option<DateTime<Utc>>,
}

/// An order as recorded (its idempotency record): ids, total and dates, no contact data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRecord {
    pub order_id: OrderId,
    pub customer_id: CustomerId,
    pub placed_at: DateTime<Utc>,
    /// `None` for orders recorded before totals were kept.
    pub total: Option<MinorUnits>,
    /// `None` for orders recorded before currencies were kept with their totals.
    pub currency: Option<crate::model::Currency>,
    pub refunded_minor: u64,
    pub refunded_at: Option<DateTime<Utc>>,
}

/// An opt-out from surveys of one of the subject's addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptOut {
    pub person: PersonFingerprint,
    pub at: DateTime<Utc>,
}

/// Everything held about a subject, gathered in one read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PersonalData {
    pub profiles: Vec<Profile>,
    pub referral_codes: Vec<ReferralStats>,
    pub orders: Vec<OrderRecord>,
    pub coupons: Vec<Coupon>,
    /// Claims of the friend's offer made with one of the subject's addresses or ids.
    pub claims: Vec<OfferClaim>,
    pub surveys: Vec<Survey>,
    pub opt_outs: Vec<OptOut>,
    /// Mails and events about the subject that are not delivered yet (pending or failed) or
    /// were cancelled by an erasure; delivered ones are listed too, their content is not.
    pub messages: Vec<MessageSummary>,
}

impl PersonalData {
    pub fn is_empty(&self) -> bool {
        self.profiles.is_empty()
            && self.referral_codes.is_empty()
            && self.orders.is_empty()
            && self.coupons.is_empty()
            && self.claims.is_empty()
            && self.surveys.is_empty()
            && self.opt_outs.is_empty()
            && self.messages.is_empty()
    }
}

/// What one erasure removed; all zero when there was nothing left to remove.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Erasure {
    /// Profiles whose email and name were removed.
    pub profiles: u32,
    /// Referral codes deleted (with the owner's contact data they carried).
    pub referral_codes: u32,
    /// Claims of the friend's offer deleted (the link between an address's fingerprint and a
    /// coupon).
    pub claims: u32,
    /// Surveys whose address, name, comment and follow-up note were removed.
    pub surveys: u32,
    /// Pending or failed messages cancelled, their content removed.
    pub messages_cancelled: u32,
    /// Delivered messages whose content was removed.
    pub messages_cleared: u32,
}

/// Two erasures of one request (by customer id and by address) reported as one.
impl std::ops::Add for Erasure {
    type Output = Self;

    fn add(self, other: Self) -> Self {
        Self {
            profiles: self.profiles + other.profiles,
            referral_codes: self.referral_codes + other.referral_codes,
            claims: self.claims + other.claims,
            surveys: self.surveys + other.surveys,
            messages_cancelled: self.messages_cancelled + other.messages_cancelled,
            messages_cleared: self.messages_cleared + other.messages_cleared,
        }
    }
}

/// Finding, exporting and erasing a subject's personal data. Each method is one pass that a
/// repeat makes no difference to.
#[async_trait]
pub trait PersonalDataStore: Send + Sync {
    /// Everything held about the subject (empty if nothing is).
    async fn personal_data(&self, subject: &DataSubject) -> Result<PersonalData, StoreError>;

    /// Removes the subject's email, name, comments and follow-up notes everywhere, deletes
    /// their referral code and offer claims, cancels their undelivered messages and clears delivered ones;
    /// keeps counters, coupons, guards and opt-outs.
    async fn erase(&self, subject: &DataSubject, at: DateTime<Utc>) -> Result<Erasure, StoreError>;
}
