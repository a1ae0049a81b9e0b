//! The local stack: every function router on one port, the embedded store, development defaults.
//! Never deployed; it exists so a storefront developer can work without an AWS account.

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use axum::Router;
use domain::ports::{MetricsStore, OrderStore, ReferralStore, SurveyStore, SystemClock};
use domain::services::{
    CouponService, OrderService, ReferralLinks, ReferralService, ScoreService, SurveyService,
};
use store_sqlite::EmbeddedStore;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use web::config::{Config, Lookup};
use web::{route_not_found, with_request_logging};

mod mail_folder;

pub use mail_folder::MailFolder;

/// Values used when a variable is unset, so `cargo run -p local` works on a fresh clone.
/// The API key is public (README); never use it anywhere reachable from outside.
pub const DEV_DEFAULTS: &[(&str, &str)] = &[
    ("API_KEYS", "local-dev-key-not-secret"),
    ("SHOP_URL", "http://localhost:3000"),
    ("SHOP_NAME", "Demo Shop"),
    ("MAIL_FROM", "shop@example.com"),
    ("SUPPORT_EMAIL", "support@example.com"),
    ("DEFAULT_LOCALE", "de"),
];

pub const DEFAULT_PORT: u16 = 9000;
const DATABASE_FILE: &str = "store.sqlite3";
/// Where mails land, one `.eml` file each, inside the data folder.
pub const OUTBOX_FOLDER: &str = "outbox";

/// Variable lookup that can move into the server task.
type SharedLookup = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// Where the local stack listens and keeps its data, plus the functions' configuration.
pub struct Options {
    pub address: SocketAddr,
    pub data_dir: PathBuf,
    lookup: SharedLookup,
}

impl Options {
    /// Reads `PORT`, `DATA_DIR` and the functions' variables through `lookup`, falling back to
    /// [`DEV_DEFAULTS`].
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static,
    ) -> anyhow::Result<Self> {
        let port = match lookup("PORT") {
            Some(raw) => raw
                .trim()
                .parse()
                .with_context(|| format!("PORT must be a port number, got {raw:?}"))?,
            None => DEFAULT_PORT,
        };
        let data_dir = lookup("DATA_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(default_data_dir);
        let with_defaults = move |name: &str| {
            lookup(name).or_else(|| {
                DEV_DEFAULTS
                    .iter()
                    .find(|(key, _)| *key == name)
                    .map(|(_, value)| (*value).to_owned())
            })
        };
        Ok(Self {
            address: SocketAddr::from(([127, 0, 0, 1], port)),
            data_dir,
            lookup: Arc::new(with_defaults),
        })
    }
}

/// `<repo>/.local-data`, git-ignored, so data survives restarts without touching the user's home.
pub fn default_data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(".local-data")
}

/// Builds every function's router over one embedded store, mounted like `cargo lambda watch`;
/// `address` is where the stack listens, so promoters' links point at the local create-referral.
pub fn build_app(options: &Options, address: SocketAddr) -> anyhow::Result<Router> {
    std::fs::create_dir_all(&options.data_dir)
        .with_context(|| format!("creating data folder {}", options.data_dir.display()))?;
    let store = Arc::new(
        EmbeddedStore::open(&options.data_dir.join(DATABASE_FILE))
            .context("opening the embedded store")?,
    );
    build_app_over(options, address, store)
}

/// The same wiring over any store: the benchmarks run it over DynamoDB to count each route's
/// requests and capacity units. Mail still goes to the outbox in the data folder.
pub fn build_app_over<S>(
    options: &Options,
    address: SocketAddr,
    store: Arc<S>,
) -> anyhow::Result<Router>
where
    S: ReferralStore + OrderStore + SurveyStore + MetricsStore + 'static,
{
    let lookup: Lookup<'_> = &*options.lookup;
    let config = Config::load(lookup).context("configuration")?;
    let clock = Arc::new(SystemClock);
    let mailer = Arc::new(MailFolder::new(
        options.data_dir.join(OUTBOX_FOLDER),
        config.mail_from.clone(),
        config.shop_name.clone(),
    ));
    let shop = config.shop_identity();

    let referrals = ReferralService::new(store.clone(), clock.clone());
    let create_referral = create_referral::router(
        create_referral::AppState::new(referrals, &config, lookup).context("configuration")?,
        &config,
    );

    let rules = reward_referral::rules_from_env(lookup).context("configuration")?;
    let reward_referral = reward_referral::router(
        reward_referral::AppState {
            orders: OrderService::new(
                store.clone(),
                mailer.clone(),
                clock.clone(),
                rules,
                shop.clone(),
            )
            .with_activity_window(
                reward_referral::activity_window_from_env(lookup).context("configuration")?,
            ),
            coupons: CouponService::new(store.clone(), clock.clone()),
            clock: clock.clone(),
        },
        &config,
    );

    let referral_links = match lookup("REFERRAL_BASE_URL") {
        Some(_) => {
            collect_survey::referral_links_from_env(&config, lookup).context("configuration")?
        }
        None => ReferralLinks::Function(format!(
            "http://{address}{}",
            mount_path(create_referral::FUNCTION_NAME)
        )),
    };
    let surveys = SurveyService::new(
        store.clone(),
        mailer,
        clock.clone(),
        shop,
        config.support_email.clone(),
        collect_survey::survey_rules_from_env(lookup).context("configuration")?,
        ReferralService::new(store.clone(), clock.clone()),
        referral_links,
    );
    let collect_survey = collect_survey::router(
        collect_survey::AppState {
            surveys,
            public_base_url: config.public_base_url.clone(),
            default_locale: config.default_locale,
            shop_name: config.shop_name.clone(),
        },
        &config,
    );

    let score_nps = score_nps::router(
        score_nps::AppState {
            scores: ScoreService::new(store.clone()),
            clock: clock.clone(),
        },
        &config,
    );

    let app = Router::new()
        .nest(&mount_path(create_referral::FUNCTION_NAME), create_referral)
        .nest(&mount_path(reward_referral::FUNCTION_NAME), reward_referral)
        .nest(&mount_path(collect_survey::FUNCTION_NAME), collect_survey)
        .nest(&mount_path(score_nps::FUNCTION_NAME), score_nps)
        .fallback(route_not_found);
    Ok(with_request_logging(app))
}

/// `/lambda-url/<function>`: the URL shape of `cargo lambda watch`.
pub fn mount_path(function: &str) -> String {
    format!("/lambda-url/{function}")
}

/// A running local stack; [`RunningStack::stop`] shuts it down gracefully.
pub struct RunningStack {
    pub address: SocketAddr,
    shutdown: oneshot::Sender<()>,
    server: JoinHandle<std::io::Result<()>>,
}

impl RunningStack {
    pub fn function_url(&self, function: &str) -> String {
        format!("http://{}{}", self.address, mount_path(function))
    }

    /// Stops accepting, lets in-flight requests finish, and releases the store.
    pub async fn stop(self) -> anyhow::Result<()> {
        let _already_stopping = self.shutdown.send(());
        self.server.await.context("server task")?.context("server")
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
    let server = tokio::spawn(serve(listener, app, async {
        let _ = stop_signal.await;
    }));
    Ok(RunningStack {
        address,
        shutdown,
        server,
    })
}

async fn serve(
    listener: TcpListener,
    app: Router,
    stop: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app)
        .with_graceful_shutdown(stop)
        .await
}
