//! A customer's data requests: what is held about them (access, portability) and erasure.

use std::sync::Arc;

use crate::model::{CustomerId, Email, FingerprintKey};
use crate::ports::{Clock, DataSubject, Erasure, PersonalData, PersonalDataStore, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum CustomerDataError {
    /// Nothing at all is held about the subject.
    #[error("nothing is stored about this customer")]
    NotFound,
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Clone)]
pub struct CustomerDataService {
    store: Arc<dyn PersonalDataStore>,
    clock: Arc<dyn Clock>,
    fingerprints: FingerprintKey,
}

impl CustomerDataService {
    pub fn new(
        store: Arc<dyn PersonalDataStore>,
        clock: Arc<dyn Clock>,
        fingerprints: FingerprintKey,
    ) -> Self {
        Self {
            store,
            clock,
            fingerprints,
        }
    }

    /// The service's clock: an export states when it was taken.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    pub fn customer(&self, customer_id: CustomerId) -> DataSubject {
        DataSubject::Customer(customer_id)
    }

    /// The person behind an address: found by its keyed fingerprint, since no address is a key.
    pub fn person(&self, email: &Email) -> DataSubject {
        DataSubject::Person(self.fingerprints.person(email))
    }

    pub async fn export(&self, subject: &DataSubject) -> Result<PersonalData, CustomerDataError> {
        let data = self.store.personal_data(subject).await?;
        if data.is_empty() {
            return Err(CustomerDataError::NotFound);
        }
        Ok(data)
    }

    /// Erases what is held; a second erasure, or one of a stranger, erases nothing and says so.
    pub async fn erase(&self, subject: &DataSubject) -> Result<Erasure, CustomerDataError> {
        Ok(self.store.erase(subject, self.clock.now()).await?)
    }
}
