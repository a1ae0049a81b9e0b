//! `cargo run -p local`: the whole system on one port with the embedded store.

use anyhow::Context;
use settings::from_process_env;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let own: local::Settings = settings::load(from_process_env).context("configuration")?;
    own.logging.init();
    let options = local::Options::from_lookup(from_process_env)?;
    let data_dir = options.data_dir.display().to_string();
    let stack = local::start(options).await?;
    tracing::info!(
        console = %format!("http://{}/", stack.address),
        dashboard = %format!("{}/dashboard", stack.function_url(score_nps::FUNCTION_NAME)),
        create_referral = %stack.function_url(create_referral::FUNCTION_NAME),
        reward_referral = %stack.function_url(reward_referral::FUNCTION_NAME),
        collect_survey = %stack.function_url(collect_survey::FUNCTION_NAME),
        score_nps = %stack.function_url(score_nps::FUNCTION_NAME),
        customer_data = %stack.function_url(customer_data::FUNCTION_NAME),
        data_dir,
        "local stack listening; Ctrl-C stops it"
    );
    shutdown_signal().await?;
    tracing::info!("shutting down");
    stack.stop().await
}

async fn shutdown_signal() -> anyhow::Result<()> {
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .context("installing the SIGTERM handler")?;
    tokio::select! {
        result = tokio::signal::ctrl_c() => result.context("waiting for Ctrl-C"),
        _ = terminate.recv() => Ok(()),
    }
}
