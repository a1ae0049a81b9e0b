//! Lambda entry point: settings, clients and the deliverer are built once per cold start.

use std::sync::Arc;

use deliver_outbox::{
    build, emf_line, handle, platform_discounts, Invocation, LambdaSettings, Ports, FUNCTION_NAME,
};
use domain::ports::{SystemClock, WebhookSender};
use lambda_host::sdk::{sdk_config, Roots};
use lambda_runtime::{service_fn, LambdaEvent};
use mail_ses::SesMailer;
use store_dynamodb::DynamoStore;
use webhook_http::HttpWebhookSender;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    let runtime = lambda_host::init_logging();
    let settings: LambdaSettings = lambda_host::settings()?;
    let function = settings.function;
    let target = function
        .webhook_target()
        .inspect_err(|error| tracing::error!(error = %error, "configuration is invalid"))?;
    let webhooks: Option<Arc<dyn WebhookSender>> = match target {
        Some((url, secrets)) => Some(Arc::new(
            HttpWebhookSender::new(url, &secrets)
                .inspect_err(|error| tracing::error!(error = %error, "configuration is invalid"))?,
        )),
        None => None,
    };
    let discounts = platform_discounts(&function.platform)
        .inspect_err(|error| tracing::error!(error = %error, "configuration is invalid"))?;
    let aws = sdk_config(Roots::for_runtime(&runtime)).await?;
    let mailer = SesMailer::new(
        aws_sdk_sesv2::Client::new(&aws),
        &function.sender.mail_from,
        &function.shop.shop_name,
        settings.ses.ses_configuration_set,
    );
    let store = Arc::new(DynamoStore::new(
        aws_sdk_dynamodb::Client::new(&aws),
        settings.table.table_name,
    ));
    let tally_store = store.clone();
    let deliverer = build(
        &function,
        Ports {
            outbox: store.clone(),
            mailer: Arc::new(mailer),
            webhooks,
            discounts,
            ledger: store.clone(),
            scheduled: store.clone(),
            reviews: store.clone(),
            clock: Arc::new(SystemClock),
        },
    )
    .with_mail_rate(settings.ses.ses_max_send_rate);
    let deliverer = &deliverer;
    let tallies: &DynamoStore = &tally_store;
    // Its deployed name (`<stack>-deliver-outbox`), which the template's alarms name.
    let function_name =
        std::env::var("AWS_LAMBDA_FUNCTION_NAME").unwrap_or_else(|_| FUNCTION_NAME.to_owned());
    let function_name = function_name.as_str();
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<Invocation>| async move {
            let (response, report) = handle(deliverer, tallies, event.payload).await;
            let now_ms = chrono::Utc::now().timestamp_millis();
            println!("{}", emf_line(function_name, &report, now_ms));
            Ok::<_, lambda_runtime::Error>(response)
        },
    ))
    .await
}
