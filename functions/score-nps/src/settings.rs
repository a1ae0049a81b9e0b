//! What score-nps reads from its environment, once, at start-up: the staff's keys, the currency
//! its amounts are in, and the shop's time zone.

use ::settings::{DynamoTable, RewardCurrency, Staff};
use clap::Parser;

use crate::time_zone::ShopTimeZone;

#[derive(Debug, Clone, Parser)]
#[command(no_binary_name = true)]
pub struct Settings {
    #[command(flatten)]
    pub staff: Staff,
    #[command(flatten)]
    pub currency: RewardCurrency,
    /// The IANA time zone (`Europe/Berlin`, `America/New_York`, …) in which the dashboard shows times; ranges stay UTC days, as in the API.
    #[arg(long, env = "SHOP_TIME_ZONE", default_value = "Europe/Berlin", value_parser = ShopTimeZone::parse)]
    pub shop_time_zone: ShopTimeZone,
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
