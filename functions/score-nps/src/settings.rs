//! What score-nps reads from its environment, once, at start-up: only the staff's keys.

use ::settings::{DynamoTable, Staff};
use clap::Parser;

#[derive(Debug, Clone, Parser)]
#[command(no_binary_name = true)]
pub struct Settings {
    #[command(flatten)]
    pub staff: Staff,
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
