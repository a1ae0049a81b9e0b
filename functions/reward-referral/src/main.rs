//! Lambda entry point: settings, clients and the router are built once per cold start.

use std::sync::Arc;

use domain::ports::SystemClock;
use lambda_host::sdk::{sdk_config, Roots};
use reward_referral::{build, LambdaSettings, Ports};
use store_dynamodb::DynamoStore;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let runtime = lambda_host::init_logging();
    let settings: LambdaSettings = lambda_host::settings()?;
    let aws = sdk_config(Roots::for_runtime(&runtime)).await?;
    let store = Arc::new(
        DynamoStore::new(
            aws_sdk_dynamodb::Client::new(&aws),
            settings.table.table_name,
        )
        .with_retention(settings.retention.retention()),
    );
    let ports = Ports {
        orders: store.clone(),
        reviews: store.clone(),
        review_listing: store.clone(),
        outbox: store.clone(),
        deliveries: store,
        clock: Arc::new(SystemClock),
    };
    let router = build(settings.function, ports)
        .inspect_err(|error| tracing::error!(error = %error, "configuration is invalid"))?;
    lambda_host::run(router).await
}
