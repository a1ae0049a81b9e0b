//! Lambda entry point: settings, clients and the router are built once per cold start.

use std::sync::Arc;

use domain::ports::SystemClock;
use lambda_host::sdk::{sdk_config, Roots};
use score_nps::{build, LambdaSettings, Ports};
use store_dynamodb::DynamoStore;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let runtime = lambda_host::init_logging();
    let settings: LambdaSettings = lambda_host::settings()?;
    let aws = sdk_config(Roots::for_runtime(&runtime)).await?;
    let store = DynamoStore::new(
        aws_sdk_dynamodb::Client::new(&aws),
        settings.table.table_name,
    );
    let store = Arc::new(store);
    let ports = Ports {
        metrics: store.clone(),
        follow_ups: store.clone(),
        reviews: store,
        clock: Arc::new(SystemClock),
    };
    lambda_host::run(build(settings.function, ports)).await
}
