//! Implementations of the ports. Each backend sits behind a cargo feature so a Lambda binary
//! links only DynamoDB and the local stack only the embedded store.

#[cfg(feature = "dynamodb")]
pub mod dynamodb;
#[cfg(feature = "embedded")]
pub mod embedded;
#[cfg(feature = "outbox")]
pub mod outbox;
#[cfg(any(feature = "dynamodb", feature = "embedded"))]
mod records;
#[cfg(feature = "ses")]
pub mod ses;
