//! The local stack: every function router on one port, the embedded store, development defaults.
//! Never deployed; it exists so a storefront developer can work without an AWS account.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use axum::Router;
use domain::ports::{
    Clock, DeliveryLog, DiscountLedger, MetricsStore, OfferStore, OrderStore, OutboxAdmin,
    OutboxStore, PersonalDataStore, ReferralStore, ReferrerProgressStore, ReviewListing,
    ReviewStore, ScheduledStore, SurveyStore, WebhookSender,
};
use domain::services::Deliverer;
use store_sqlite::EmbeddedStore;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use web::{route_not_found, with_request_logging};

mod background;
mod clock;
mod console;
mod loopback;
mod mail_folder;
pub mod openapi;
mod options;
mod private_files;
mod server;

use background::{aggregate_forever, deliver_forever, expire_forever};
pub use clock::{LocalClock, CLOCK_OFFSET_FILE, CLOCK_PATH};
pub use mail_folder::MailFolder;
pub use options::{
    default_data_dir, Options, Settings, DATABASE_FILE, DELIVERY_INTERVAL, DEV_DEFAULTS,
    EXPIRY_INTERVAL, FINGERPRINT_KEY_FILE, OUTBOX_FOLDER,
};
pub use server::{BODY_READ_TIMEOUT, HEADER_READ_TIMEOUT};

/// The local stack: the functions' routers, and the deliverer its background task runs.
pub struct App {
    pub router: Router,
    pub deliverer: Deliverer,
    /// The embedded store's retention sweep; `None` over DynamoDB, whose TTL does it.
    pub expiry: Option<Expiry>,
    /// The embedded store whose tallies the background task applies; `None` over DynamoDB,
    /// whose stream hands them to deliver-outbox.
    pub tallies: Option<Arc<EmbeddedStore>>,
    /// The clock every function, the deliverer and the retention sweep read.
    pub clock: Arc<LocalClock>,
}

/// What the local stack deletes hourly: the embedded store's stand-in for DynamoDB's TTL.
pub struct Expiry {
    pub store: Arc<EmbeddedStore>,
    pub retention: domain::model::Retention,
    pub clock: Arc<LocalClock>,
}

/// Builds every function's router over one embedded store, mounted like `cargo lambda watch`;
/// `address` is where the stack listens, so promoters' links point at the local create-referral.
pub fn build_app(options: &Options, address: SocketAddr) -> anyhow::Result<App> {
    private_files::create_dir(&options.data_dir)
        .with_context(|| format!("creating data folder {}", options.data_dir.display()))?;
    let database = options.data_dir.join(DATABASE_FILE);
    private_files::prepare_database(&database)
        .with_context(|| format!("creating {} readable by its owner only", database.display()))?;
    let store = Arc::new(EmbeddedStore::open(&database).context("opening the embedded store")?);
    let mut app = build_app_over(options, address, store.clone())?;
    app.tallies = Some(store.clone());
    app.expiry = Some(Expiry {
        store,
        retention: options.retention,
        clock: app.clock.clone(),
    });
    Ok(app)
}

/// The same wiring over any store: the benchmarks run it over DynamoDB to count each route's
/// requests and capacity units. Mail still goes to the mail folder in the data folder.
pub fn build_app_over<S>(
    options: &Options,
    address: SocketAddr,
    store: Arc<S>,
) -> anyhow::Result<App>
where
    S: ReferralStore
        + ReferrerProgressStore
        + OfferStore
        + OrderStore
        + SurveyStore
        + MetricsStore
        + OutboxStore
        + OutboxAdmin
        + DiscountLedger
        + DeliveryLog
        + PersonalDataStore
        + ScheduledStore
        + ReviewStore
        + ReviewListing
        + 'static,
{
    let local_clock = Arc::new(
        LocalClock::in_folder(&options.data_dir).context("reading the local clock's offset")?,
    );
    let clock: Arc<dyn Clock> = local_clock.clone();

    let create_referral = create_referral::build(
        options
            .function_settings(address)
            .context("create-referral configuration")?,
        create_referral::Ports {
            referrals: store.clone(),
            progress: store.clone(),
            offers: store.clone(),
            clock: clock.clone(),
        },
    );

    let reward_referral = reward_referral::build(
        options
            .function_settings(address)
            .context("reward-referral configuration")?,
        reward_referral::Ports {
            orders: store.clone(),
            reviews: store.clone(),
            review_listing: store.clone(),
            outbox: store.clone(),
            deliveries: store.clone(),
            clock: clock.clone(),
        },
    )
    .context("reward-referral configuration")?;

    let collect_survey = collect_survey::build(
        options
            .function_settings(address)
            .context("collect-survey configuration")?,
        collect_survey::Ports {
            surveys: store.clone(),
            referrals: store.clone(),
            deliveries: store.clone(),
            clock: clock.clone(),
        },
    );

    let score_nps = score_nps::build(
        options
            .function_settings(address)
            .context("score-nps configuration")?,
        score_nps::Ports {
            metrics: store.clone(),
            follow_ups: store.clone(),
            reviews: store.clone(),
            clock: clock.clone(),
        },
    );

    let customer_data = customer_data::build(
        options
            .function_settings(address)
            .context("customer-data configuration")?,
        customer_data::Ports {
            personal_data: store.clone(),
            deliveries: store.clone(),
            clock: clock.clone(),
        },
    );

    let delivery: deliver_outbox::Settings = options
        .function_settings(address)
        .context("deliver-outbox configuration")?;
    let webhooks: Option<Arc<dyn WebhookSender>> = match delivery
        .webhook_target()
        .context("deliver-outbox configuration")?
    {
        Some((url, secrets)) => Some(Arc::new(
            webhook_http::HttpWebhookSender::new(url, &secrets)
                .context("deliver-outbox configuration")?,
        )),
        None => None,
    };
    let discounts = deliver_outbox::platform_discounts(&delivery.platform)
        .context("deliver-outbox configuration")?;
    let outbox_listing: Arc<dyn OutboxAdmin> = store.clone();
    let outbox_store: Arc<dyn OutboxStore> = store.clone();
    let deliverer = deliver_outbox::build(
        &delivery,
        deliver_outbox::Ports {
            outbox: store.clone(),
            ledger: store.clone(),
            scheduled: store.clone(),
            reviews: store,
            discounts,
            mailer: Arc::new(MailFolder::new(
                options.data_dir.join(OUTBOX_FOLDER),
                delivery.sender.mail_from.clone(),
                delivery.shop.shop_name.clone(),
            )),
            webhooks,
            clock: clock.clone(),
        },
    );

    let document = openapi::merged_document().context("merging the functions' API documents")?;
    let console = console::routes(console::Console {
        address,
        data_dir: options.data_dir.clone(),
        outbox: options.data_dir.join(OUTBOX_FOLDER),
        keys: options.role_keys(),
        document: serde_json::to_vec_pretty(&document)
            .context("serializing the API document")?
            .into(),
        outbox_listing,
        outbox_store,
        clock,
        local_clock: local_clock.clone(),
    });
    let app = Router::new()
        .merge(console)
        .merge(clock::routes(local_clock.clone()))
        .nest(&mount_path(create_referral::FUNCTION_NAME), create_referral)
        .nest(&mount_path(reward_referral::FUNCTION_NAME), reward_referral)
        .nest(&mount_path(collect_survey::FUNCTION_NAME), collect_survey)
        .nest(&mount_path(score_nps::FUNCTION_NAME), score_nps)
        .nest(&mount_path(customer_data::FUNCTION_NAME), customer_data)
        .fallback(route_not_found)
        .layer(axum::middleware::from_fn_with_state(
            loopback::Hosts::for_port(address.port()),
            loopback::only_loopback_hosts,
        ));
    Ok(App {
        router: with_request_logging(app),
        deliverer,
        expiry: None,
        tallies: None,
        clock: local_clock,
    })
}

/// `/lambda-url/<function>`: the URL shape of `cargo lambda watch`.
pub fn mount_path(function: &str) -> String {
    format!("/lambda-url/{function}")
}

/// A running local stack; [`RunningStack::stop`] shuts it down gracefully.
pub struct RunningStack {
    pub address: SocketAddr,
    /// The stack's clock, which `POST /_local/clock` moves ahead.
    pub clock: Arc<LocalClock>,
    shutdown: oneshot::Sender<()>,
    server: JoinHandle<std::io::Result<()>>,
    delivery: JoinHandle<()>,
}

impl RunningStack {
    pub fn function_url(&self, function: &str) -> String {
        format!("http://{}{}", self.address, mount_path(function))
    }

    /// Stops accepting, lets in-flight requests finish, stops delivering, and releases the
    /// store. Messages not delivered yet stay in the outbox for the next start.
    pub async fn stop(self) -> anyhow::Result<()> {
        let _already_stopping = self.shutdown.send(());
        let served = self.server.await.context("server task")?.context("server");
        self.delivery.abort();
        let _aborted = self.delivery.await;
        served
    }
}

/// Binds and serves in the background; port 0 picks a free port (tests).
pub async fn start(options: Options) -> anyhow::Result<RunningStack> {
    let listener = TcpListener::bind(options.address)
        .await
        .with_context(|| format!("binding {}", options.address))?;
    let address = listener.local_addr().context("reading the bound address")?;
    let app = build_app(&options, address)?;
    let (shutdown, stop_signal) = oneshot::channel::<()>();
    let server = tokio::spawn(server::serve(listener, app.router, async {
        let _ = stop_signal.await;
    }));
    let clock = app.clock.clone();
    let deliverer = app.deliverer;
    let expiry = app.expiry;
    let tallies = app.tallies;
    let delivery = tokio::spawn(async move {
        tokio::join!(
            deliver_forever(deliverer),
            aggregate_forever(tallies),
            expire_forever(expiry)
        );
    });
    Ok(RunningStack {
        address,
        clock,
        shutdown,
        server,
        delivery,
    })
}
