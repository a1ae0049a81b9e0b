//! What score-nps reads from its environment, once, at start-up: the staff's keys, and the
//! currency its amounts are in.

use ::settings::{DynamoTable, RewardCurrency, Staff};
use clap::Parser;

#[derive(Debug, Clone, Parser)]
#[command(no_binary_name = true)]
pub struct Settings {
    #[command(flatten)]
    pub staff: Staff,
    #[command(flatten)]
    pub currency: RewardCurrency,
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
