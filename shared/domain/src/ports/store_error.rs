/// Errors any store adapter can report, in terms the HTTP layer can map without knowing the backend.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The backend asked us to slow down; the caller may retry later.
    #[error("the store is throttling requests")]
    Throttled,
    /// Concurrent writers kept colliding on the same items after bounded retries.
    #[error("the store stayed contended after {attempts} attempts to {operation}")]
    Contention {
        operation: &'static str,
        attempts: u32,
    },
    /// A stored item does not have the shape this code wrote.
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("{context}")]
    Backend {
        context: &'static str,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl StoreError {
    pub fn backend(
        context: &'static str,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Self::Backend {
            context,
            source: source.into(),
        }
    }
}
