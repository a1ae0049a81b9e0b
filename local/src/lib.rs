//! The local stack: every function router on one port, the embedded store, development defaults.
//! Never deployed; it exists so a storefront developer can work without an AWS account.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use axum::Router;
use clap::Parser;
use domain::ports::{
    Clock, DeliveryLog, DiscountLedger, MetricsStore, OfferStore, OrderStore, OutboxAdmin,
    OutboxStore, PersonalDataStore, ReferralStore, ReferrerProgressStore, ReviewListing,
    ReviewStore, ScheduledStore, SurveyStore, WebhookSender,
};
use domain::services::Deliverer;
use settings::{Logging, SettingsError};
use store_sqlite::EmbeddedStore;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use web::{route_not_found, with_request_logging};

mod clock;
mod console;
mod loopback;
mod mail_folder;
pub mod openapi;
mod private_files;
mod server;

pub use clock::{LocalClock, CLOCK_OFFSET_FILE, CLOCK_PATH};
pub use mail_folder::MailFolder;
pub use server::{BODY_READ_TIMEOUT, HEADER_READ_TIMEOUT};

/// Values used when a variable is unset, so `cargo run -p local` works on a fresh clone.
/// The API keys and the platforms' webhook secrets are public (README); never use them anywhere
/// reachable from outside.
pub const DEV_DEFAULTS: &[(&str, &str)] = &[
    ("API_KEYS", "local-dev-key-not-secret"),
    ("STAFF_API_KEYS", "local-staff-key-not-secret"),
    ("PRIVACY_API_KEYS", "local-privacy-key-not-secret"),
    ("SHOP_URL", "http://localhost:3000"),
    ("SHOP_NAME", "Demo Shop"),
    ("MAIL_FROM", "shop@example.com"),
    ("SUPPORT_EMAIL", "support@example.com"),
    ("DEFAULT_LOCALE", "de"),
    ("SHOPIFY_WEBHOOK_SECRET", "local-shopify-secret-not-secret"),
    (
        "WOOCOMMERCE_WEBHOOK_SECRET",
        "local-woocommerce-secret-not-secret",
    ),
];

/// The embedded store's file inside the data folder.
pub const DATABASE_FILE: &str = "store.sqlite3";
/// Where mails land, one `.eml` file each, inside the data folder.
pub const OUTBOX_FOLDER: &str = "outbox";

/// How often the local delivery task looks for due messages: a mail lands in the folder well
/// within a second of the request that caused it.
pub const DELIVERY_INTERVAL: std::time::Duration = std::time::Duration::from_millis(200);

/// The local stack's own settings; the functions' come from the same variables as on Lambda.
#[derive(Debug, Clone, Parser)]
#[command(no_binary_name = true)]
pub struct Settings {
    /// Port on 127.0.0.1 the local stack listens on; `0` picks a free one.
    #[arg(long, env = "PORT", default_value_t = 9000)]
    pub port: u16,
    /// Folder of the local stack's store and outbox; it survives restarts. Unset: `.local-data`
    /// in the repository (git-ignored).
    #[arg(long, env = "DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    #[command(flatten)]
    pub retention: settings::RetentionPeriod,
    #[command(flatten)]
    pub logging: Logging,
}

/// Variable lookup that can move into the server task.
type SharedLookup = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// Where the local stack listens and keeps its data, plus the functions' configuration.
pub struct Options {
    pub address: SocketAddr,
    pub data_dir: PathBuf,
    pub retention: domain::model::Retention,
    lookup: SharedLookup,
}

/// The fingerprint key's file in the data folder: generated on first start, so addresses in
/// the embedded store are keyed like on AWS without the developer choosing a secret.
pub const FINGERPRINT_KEY_FILE: &str = "fingerprint.key";

/// How often the local stack deletes what is older than `RETENTION_DAYS` (DynamoDB's TTL on AWS).
pub const EXPIRY_INTERVAL: std::time::Duration = std::time::Duration::from_secs(3600);

/// `FINGERPRINT_KEY` if set, else the data folder's key, created on first use (readable by the
/// owner only).
fn local_fingerprint_key(data_dir: &std::path::Path) -> anyhow::Result<String> {
    let path = data_dir.join(FINGERPRINT_KEY_FILE);
    match std::fs::read_to_string(&path) {
        Ok(key) => return Ok(key.trim().to_owned()),
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
            return Err(error).with_context(|| format!("reading {}", path.display()));
        }
        Err(_) => {}
    }
    private_files::create_dir(data_dir)
        .with_context(|| format!("creating data folder {}", data_dir.display()))?;
    let key: String = {
        use rand::Rng;
        let bytes: [u8; 32] = rand::thread_rng().gen();
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    };
    let mut file = private_files::file_options()
        .write(true)
        .create_new(true)
        .open(&path)
        .with_context(|| format!("creating {}", path.display()))?;
    std::io::Write::write_all(&mut file, key.as_bytes())
        .and_then(|()| file.sync_all())
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(key)
}

impl Options {
    /// Reads the local stack's settings through `lookup`, and keeps it for the functions'
    /// settings, which fall back to [`DEV_DEFAULTS`].
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static,
    ) -> anyhow::Result<Self> {
        let own: Settings = settings::load(&lookup).context("configuration")?;
        let data_dir = own.data_dir.unwrap_or_else(default_data_dir);
        let key = match lookup("FINGERPRINT_KEY") {
            Some(key) => key,
            None => local_fingerprint_key(&data_dir)?,
        };
        Ok(Self {
            address: SocketAddr::from(([127, 0, 0, 1], own.port)),
            data_dir,
            retention: own.retention.retention(),
            lookup: Arc::new(move |name| match name {
                "FINGERPRINT_KEY" => Some(key.clone()),
                _ => lookup(name),
            }),
        })
    }

    /// The first key of each role in use (the variable, else the development default), for the
    /// console.
    fn role_keys(&self) -> Vec<console::RoleKey> {
        let first_key = |variable: &str| {
            let keys = (self.lookup)(variable).unwrap_or_else(|| {
                DEV_DEFAULTS
                    .iter()
                    .find(|(name, _)| *name == variable)
                    .map(|(_, value)| (*value).to_owned())
                    .unwrap_or_default()
            });
            keys.split(',')
                .map(str::trim)
                .find(|key| !key.is_empty())
                .unwrap_or_default()
                .to_owned()
        };
        [
            (
                "storefront",
                "API_KEYS",
                "referrals, orders, refunds, coupons, survey requests",
            ),
            (
                "staff",
                "STAFF_API_KEYS",
                "NPS, answers, follow-ups, the outbox; the dashboard's password",
            ),
            (
                "privacy",
                "PRIVACY_API_KEYS",
                "a customer's export and erasure",
            ),
        ]
        .into_iter()
        .map(|(role, variable, routes)| console::RoleKey {
            role,
            variable,
            key: first_key(variable),
            routes,
        })
        .collect()
    }

    /// A function's settings: the variable if set, else the development default; promoters'
    /// links point at this stack's create-referral and win-back mails' unsubscribe links at its
    /// collect-survey, unless REFERRAL_BASE_URL or SURVEY_BASE_URL say otherwise.
    fn function_settings<S: clap::CommandFactory + clap::FromArgMatches>(
        &self,
        address: SocketAddr,
    ) -> Result<S, SettingsError> {
        let own_create_referral = format!(
            "http://{address}{}",
            mount_path(create_referral::FUNCTION_NAME)
        );
        let own_collect_survey = format!(
            "http://{address}{}",
            mount_path(collect_survey::FUNCTION_NAME)
        );
        settings::load(|name| {
            (self.lookup)(name).or_else(|| match name {
                "REFERRAL_BASE_URL" => Some(own_create_referral.clone()),
                "SURVEY_BASE_URL" => Some(own_collect_survey.clone()),
                _ => DEV_DEFAULTS
                    .iter()
                    .find(|(key, _)| *key == name)
                    .map(|(_, value)| (*value).to_owned()),
            })
        })
    }
}

/// `<repo>/.local-data`, git-ignored, so data survives restarts without touching the user's home.
pub fn default_data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(".local-data")
}

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

/// The local stand-in for the stream and the schedule: sweep due messages every
/// [`DELIVERY_INTERVAL`]. A failed sweep is logged and tried again at the next tick.
async fn deliver_forever(deliverer: Deliverer) {
    let mut ticks = tokio::time::interval(DELIVERY_INTERVAL);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        if let Err(error) = deliverer.sweep().await {
            tracing::error!(error = %error, "outbox sweep failed; retrying at the next tick");
        }
    }
}

/// The local stand-in for the stream's tally records: every [`DELIVERY_INTERVAL`], applies
/// what requests recorded since, so the figures lag by about as much as on AWS.
async fn aggregate_forever(store: Option<Arc<EmbeddedStore>>) {
    let Some(store) = store else { return };
    let mut ticks = tokio::time::interval(DELIVERY_INTERVAL);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        if let Err(error) = store.apply_pending_tallies(TALLY_BATCH).await {
            tracing::error!(error = %error, "applying tallies failed; retrying at the next tick");
        }
    }
}

/// Tallies applied per tick: a stream batch's worth.
const TALLY_BATCH: usize = 1000;

/// Deletes what is older than the retention period, at start and every [`EXPIRY_INTERVAL`].
async fn expire_forever(expiry: Option<Expiry>) {
    let Some(expiry) = expiry else { return };
    let mut ticks = tokio::time::interval(EXPIRY_INTERVAL);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        match expiry
            .store
            .sweep_expired(expiry.retention, expiry.clock.now())
            .await
        {
            Ok(expired) => tracing::info!(
                surveys = expired.surveys,
                orders = expired.orders,
                messages = expired.messages,
                "expired records deleted"
            ),
            Err(error) => {
                tracing::error!(error = %error, "retention sweep failed; retrying at the next tick")
            }
        }
    }
}
