//! The local stack's settings: the variables it reads, the development defaults it fills in,
//! and where it keeps its data.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use clap::Parser;
use settings::{Logging, SettingsError};

use crate::{console, mount_path, private_files};

/// Values used when a variable is unset, so `cargo run -p local` works on a fresh clone.
/// The API keys and the platforms' webhook secrets are public (docs/configuration.md); never use
/// them anywhere reachable from outside.
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
    pub(crate) fn role_keys(&self) -> Vec<console::RoleKey> {
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
    pub(crate) fn function_settings<S: clap::CommandFactory + clap::FromArgMatches>(
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
