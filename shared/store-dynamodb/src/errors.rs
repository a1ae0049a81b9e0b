//! Turning SDK errors into [`StoreError`], so no DynamoDB type leaves the adapter.

use std::error::Error;
use std::time::Duration;

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::update_item::{UpdateItemError, UpdateItemOutput};
use aws_sdk_dynamodb::types::CancellationReason;

use domain::ports::StoreError;

const THROTTLING_CODES: &[&str] = &[
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "ThrottlingError",
];

/// Maps any SDK failure (an `SdkError` or an operation error taken out of one): throttling
/// becomes retryable, everything else is a backend error.
pub(super) fn classify<E>(context: &'static str, error: E) -> StoreError
where
    E: ProvideErrorMetadata + Error + Send + Sync + 'static,
{
    if error
        .code()
        .is_some_and(|code| THROTTLING_CODES.contains(&code))
    {
        StoreError::Throttled
    } else {
        StoreError::backend(context, error)
    }
}

/// The answer of a conditional `UpdateItem`, or `None` when its condition did not hold (the
/// caller's "no", not a failure); anything else is classified.
pub(super) fn conditional_update(
    context: &'static str,
    result: Result<UpdateItemOutput, SdkError<UpdateItemError>>,
) -> Result<Option<UpdateItemOutput>, StoreError> {
    match result {
        Ok(output) => Ok(Some(output)),
        Err(error) => match error.as_service_error() {
            Some(UpdateItemError::ConditionalCheckFailedException(_)) => Ok(None),
            _ => Err(classify(context, error)),
        },
    }
}

/// What a cancelled transaction tells us, reason by reason, in the order of its items.
pub(super) fn failed_condition(reasons: &[CancellationReason], index: usize) -> bool {
    reasons
        .get(index)
        .and_then(CancellationReason::code)
        .is_some_and(|code| code == "ConditionalCheckFailed")
}

pub(super) fn is_conflict(reasons: &[CancellationReason]) -> bool {
    reasons
        .iter()
        .filter_map(CancellationReason::code)
        .any(|code| code == "TransactionConflict")
}

pub(super) fn is_throttled(reasons: &[CancellationReason]) -> bool {
    reasons
        .iter()
        .filter_map(CancellationReason::code)
        .any(|code| THROTTLING_CODES.contains(&code))
}

/// The result of a `TransactWriteItems` that reached DynamoDB.
pub(super) enum Transact {
    Committed,
    /// Cancelled; one reason per item, in the order of the items.
    Cancelled(Vec<CancellationReason>),
}

impl super::DynamoStore {
    /// Runs a transaction; any failure other than a cancellation is an error.
    pub(super) async fn transact(
        &self,
        context: &'static str,
        items: Vec<aws_sdk_dynamodb::types::TransactWriteItem>,
    ) -> Result<Transact, StoreError> {
        use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
        let result = self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await;
        match result {
            Ok(_) => Ok(Transact::Committed),
            Err(error) => match error.into_service_error() {
                TransactWriteItemsError::TransactionCanceledException(cancelled) => Ok(
                    Transact::Cancelled(cancelled.cancellation_reasons.unwrap_or_default()),
                ),
                other => Err(classify(context, other)),
            },
        }
    }
}

/// Bounded retries for transactions that collided with a concurrent one.
pub(super) const CONFLICT_ATTEMPTS: u32 = 8;

/// Exponential backoff with full jitter, so racing writers spread out instead of re-colliding.
pub(super) fn conflict_backoff(attempt: u32) -> Duration {
    use rand::Rng;
    let ceiling_ms = 10u64 << attempt.min(6);
    Duration::from_millis(rand::thread_rng().gen_range(1..=ceiling_ms))
}
