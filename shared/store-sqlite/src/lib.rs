//! The local store: one SQLite file, durable across restarts, with real transactions.
//!
//! One connection behind a mutex serialises writers; that is plenty for a developer's
//! machine and makes every port method trivially atomic.

mod coupons;
mod deliveries;
mod discounts;
mod follow_ups;
mod history;
mod metrics;
mod offers;
mod orders;
mod outbox;
mod personal_data;
pub use personal_data::Expired;
mod referrals;
mod responses;
mod reviews;
mod scheduled;
mod schema;
mod surveys;
mod tallies;

use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::Connection;

use domain::ports::StoreError;

/// The embedded store; cheap to clone, all clones share one connection.
#[derive(Clone)]
pub struct EmbeddedStore {
    connection: Arc<Mutex<Connection>>,
}

impl EmbeddedStore {
    /// Opens (or creates) the database file and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let connection = Connection::open(path)
            .map_err(|e| StoreError::backend("opening the embedded database", e))?;
        Self::prepare(connection)
    }

    /// A throw-away store for tests.
    pub fn in_memory() -> Result<Self, StoreError> {
        let connection = Connection::open_in_memory()
            .map_err(|e| StoreError::backend("opening an in-memory database", e))?;
        Self::prepare(connection)
    }

    fn prepare(mut connection: Connection) -> Result<Self, StoreError> {
        schema::migrate(&mut connection)
            .map_err(|e| StoreError::backend("migrating the embedded database", e))?;
        Ok(Self {
            connection: Arc::new(Mutex::new(connection)),
        })
    }

    /// Runs blocking SQLite work off the async executor.
    async fn with_connection<T, F>(&self, context: &'static str, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        let connection = Arc::clone(&self.connection);
        tokio::task::spawn_blocking(move || {
            let mut guard = connection
                .lock()
                .map_err(|_| StoreError::Corrupt("embedded store lock poisoned".into()))?;
            work(&mut guard).map_err(|e| StoreError::backend(context, e))
        })
        .await
        .map_err(|e| StoreError::backend(context, e))?
    }
}
