//! Lambda entry point: configuration and the DynamoDB client are built once per cold start.

use std::sync::Arc;

use create_referral::{app, AppState};
use domain::ports::SystemClock;
use domain::services::ReferralService;
use store_dynamodb::DynamoStore;
use web::config::{self, Config};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    web::telemetry::init();
    let lookup = config::from_process_env;
    // A bad configuration stops the function at init, naming the variable, instead of failing requests.
    let (config, table) = config::reported(
        Config::load(&lookup).and_then(|c| Ok((c, config::table_name(&lookup)?))),
    )?;
    let sdk_config =
        lambda_host::sdk::sdk_config(lambda_host::sdk::Roots::from_lookup(lookup)).await?;
    let store = DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk_config), table);
    let referrals = ReferralService::new(Arc::new(store), Arc::new(SystemClock));
    let state = config::reported(AppState::new(referrals, &config, &lookup))?;
    lambda_http::run(app(state, &config)).await
}
