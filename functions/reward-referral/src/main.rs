//! Lambda entry point: configuration and the DynamoDB and SES clients are built once per cold start.

use std::sync::Arc;

use domain::ports::SystemClock;
use domain::services::{CouponService, OrderService};
use mail_ses::SesMailer;
use reward_referral::{activity_window_from_env, app, rules_from_env, AppState};
use store_dynamodb::DynamoStore;
use web::config::{self, Config, ConfigError};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    web::telemetry::init();
    let lookup = config::from_process_env;
    // A bad configuration stops the function at init, naming the variable, instead of failing requests.
    let loaded = (|| -> Result<_, ConfigError> {
        Ok((
            Config::load(&lookup)?,
            config::table_name(&lookup)?,
            rules_from_env(&lookup)?,
            activity_window_from_env(&lookup)?,
        ))
    })();
    let (config, table, rules, activity_window) = config::reported(loaded)?;
    let sdk_config =
        lambda_host::sdk::sdk_config(lambda_host::sdk::Roots::from_lookup(lookup)).await?;
    let store = Arc::new(DynamoStore::new(
        aws_sdk_dynamodb::Client::new(&sdk_config),
        table,
    ));
    let mailer = Arc::new(SesMailer::new(
        aws_sdk_sesv2::Client::new(&sdk_config),
        &config.mail_from,
        &config.shop_name,
        lookup("SES_CONFIGURATION_SET"),
    ));
    let clock = Arc::new(SystemClock);
    let shop = config.shop_identity();
    let state = AppState {
        orders: OrderService::new(store.clone(), mailer, clock.clone(), rules, shop)
            .with_activity_window(activity_window),
        coupons: CouponService::new(store, clock.clone()),
        clock,
    };
    lambda_http::run(app(state, &config)).await
}
