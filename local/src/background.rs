//! What the local stack runs beside its server, standing in for AWS: the deliverer's sweeps
//! (the stream and the schedule), the tallies' aggregation (the stream) and the retention
//! sweep (DynamoDB's TTL).

use std::sync::Arc;

use domain::ports::Clock;
use domain::services::Deliverer;
use store_sqlite::EmbeddedStore;

use crate::{Expiry, DELIVERY_INTERVAL, EXPIRY_INTERVAL};

/// The local stand-in for the stream and the schedule: sweep due messages every
/// [`DELIVERY_INTERVAL`]. A failed sweep is logged and tried again at the next tick.
pub(crate) async fn deliver_forever(deliverer: Deliverer) {
    let mut ticks = tokio::time::interval(DELIVERY_INTERVAL);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        if let Err(error) = deliverer.sweep().await {
            tracing::error!(error = %error, "outbox sweep failed; retrying at the next tick");
        }
    }
}

/// The local stand-in for the stream's tally records: every [`DELIVERY_INTERVAL`], applies
/// what requests recorded since, so the figures lag by about as much as on AWS.
pub(crate) async fn aggregate_forever(store: Option<Arc<EmbeddedStore>>) {
    let Some(store) = store else { return };
    let mut ticks = tokio::time::interval(DELIVERY_INTERVAL);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        if let Err(error) = store.apply_pending_tallies(TALLY_BATCH).await {
            tracing::error!(error = %error, "applying tallies failed; retrying at the next tick");
        }
    }
}

/// Tallies applied per tick: a stream batch's worth.
const TALLY_BATCH: usize = 1000;

/// Deletes what is older than the retention period, at start and every [`EXPIRY_INTERVAL`].
pub(crate) async fn expire_forever(expiry: Option<Expiry>) {
    let Some(expiry) = expiry else { return };
    let mut ticks = tokio::time::interval(EXPIRY_INTERVAL);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        match expiry
            .store
            .sweep_expired(expiry.retention, expiry.clock.now())
            .await
        {
            Ok(expired) => tracing::info!(
                surveys = expired.surveys,
                orders = expired.orders,
                messages = expired.messages,
                "expired records deleted"
            ),
            Err(error) => {
                tracing::error!(error = %error, "retention sweep failed; retrying at the next tick")
            }
        }
    }
}
