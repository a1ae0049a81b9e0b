//! Lambda entry point: configuration and the DynamoDB client are built once per cold start.

use std::sync::Arc;

use domain::ports::SystemClock;
use domain::services::ScoreService;
use score_nps::{app, AppState};
use store_dynamodb::DynamoStore;
use web::config::{self, Config, ConfigError};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    web::telemetry::init();
    let lookup = config::from_process_env;
    // A bad configuration stops the function at init, naming the variable, instead of failing requests.
    let loaded = (|| -> Result<_, ConfigError> {
        Ok((Config::load(&lookup)?, config::table_name(&lookup)?))
    })();
    let (config, table) = config::reported(loaded)?;
    let sdk_config =
        lambda_host::sdk::sdk_config(lambda_host::sdk::Roots::from_lookup(lookup)).await?;
    let store = Arc::new(DynamoStore::new(
        aws_sdk_dynamodb::Client::new(&sdk_config),
        table,
    ));
    let state = AppState {
        scores: ScoreService::new(store),
        clock: Arc::new(SystemClock),
    };
    lambda_http::run(app(state, &config)).await
}
