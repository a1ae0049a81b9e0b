//! What customer-data reads from its environment, once, at start-up.

use ::settings::{DynamoTable, Fingerprints, Privacy, ShopPlatforms};
use clap::Parser;

#[derive(Debug, Clone, Parser)]
#[command(no_binary_name = true)]
pub struct Settings {
    #[command(flatten)]
    pub privacy: Privacy,
    #[command(flatten)]
    pub fingerprints: Fingerprints,
    #[command(flatten)]
    pub platforms: ShopPlatforms,
}

/// The Lambda binary's settings: the function's, plus where its state lives on AWS.
#[derive(Debug, Clone, Parser)]
#[command(no_binary_name = true)]
pub struct LambdaSettings {
    #[command(flatten)]
    pub function: Settings,
    #[command(flatten)]
    pub table: DynamoTable,
}
