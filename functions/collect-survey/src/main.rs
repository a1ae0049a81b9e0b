//! Lambda entry point: configuration and the DynamoDB and SES clients are built once per cold start.

use std::sync::Arc;

use collect_survey::{app, referral_links_from_env, survey_rules_from_env, AppState};
use domain::ports::SystemClock;
use domain::services::{ReferralService, SurveyService};
use mail_ses::SesMailer;
use store_dynamodb::DynamoStore;
use web::config::{self, Config, ConfigError};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    web::telemetry::init();
    let lookup = config::from_process_env;
    // A bad configuration stops the function at init, naming the variable, instead of failing requests.
    let loaded = (|| -> Result<_, ConfigError> {
        let config = Config::load(&lookup)?;
        let links = referral_links_from_env(&config, &lookup)?;
        Ok((
            config,
            config::table_name(&lookup)?,
            survey_rules_from_env(&lookup)?,
            links,
        ))
    })();
    let (config, table, rules, referral_links) = config::reported(loaded)?;
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
    let referrals = ReferralService::new(store.clone(), clock.clone());
    let surveys = SurveyService::new(
        store,
        mailer,
        clock,
        shop,
        config.support_email.clone(),
        rules,
        referrals,
        referral_links,
    );
    let state = AppState {
        surveys,
        public_base_url: config.public_base_url.clone(),
        default_locale: config.default_locale,
        shop_name: config.shop_name.clone(),
    };
    lambda_http::run(app(state, &config)).await
}
