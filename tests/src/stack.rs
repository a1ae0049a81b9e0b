//! The real local stack on a random port with its own data folder, and an HTTP client for it.

use std::collections::HashMap;
use std::path::PathBuf;

use local::{Options, RunningStack};

/// The storefront key the test stacks accept.
pub const API_KEY: &str = "test-storefront-key-0123456789";
/// The staff key: feedback, follow-ups, the dashboard, the outbox.
pub const STAFF_KEY: &str = "test-staff-key-0123456789";
/// The privacy key: a customer's export and erasure.
pub const PRIVACY_KEY: &str = "test-privacy-key-0123456789";
pub const SHOP_URL: &str = "https://shop.example";

pub struct TestStack {
    running: RunningStack,
    vars: HashMap<String, String>,
    data_dir: PathBuf,
    _data: tempfile::TempDir,
    pub client: reqwest::Client,
}

impl TestStack {
    pub async fn start() -> Self {
        Self::start_with(&[]).await
    }

    /// Starts with extra environment variables on top of the test defaults.
    pub async fn start_with(extra: &[(&str, &str)]) -> Self {
        let data = tempfile::tempdir().expect("temporary data folder");
        let mut vars: HashMap<String, String> = [
            ("PORT", "0"),
            ("API_KEYS", API_KEY),
            ("STAFF_API_KEYS", STAFF_KEY),
            ("PRIVACY_API_KEYS", PRIVACY_KEY),
            ("SHOP_URL", SHOP_URL),
            ("SHOP_NAME", "Test Shop"),
            // Share links redirect and both sides get a coupon after the order, as the suites
            // written before the friend's first-order offer expect; friend_offer.rs and the
            // browser test of the claim page set the offer on.
            ("FRIEND_REWARD", "next_order"),
            // Nor do they expect a referrer's eleventh reward in a week to be held for review.
            ("REVIEW_MAX_REWARDS_PER_WEEK", "0"),
        ]
        .into_iter()
        .chain(extra.iter().copied())
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        // A folder the stack creates itself, as on a fresh clone.
        let data_dir = data.path().join("data");
        vars.insert("DATA_DIR".into(), data_dir.display().to_string());
        let running = launch(&vars).await;
        Self {
            running,
            vars,
            data_dir,
            _data: data,
            client: webhook_http::client_builder()
                .expect("TLS configuration")
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("http client"),
        }
    }

    /// Stops the server and starts a new one on the same data folder (a new port).
    pub async fn restart(self) -> Self {
        let Self {
            running,
            vars,
            data_dir,
            _data,
            client,
        } = self;
        running.stop().await.expect("clean shutdown");
        let running = launch(&vars).await;
        Self {
            running,
            vars,
            data_dir,
            _data,
            client,
        }
    }

    pub fn data_dir(&self) -> &std::path::Path {
        &self.data_dir
    }

    /// The mails the stack has sent once its delivery task has nothing pending, oldest first.
    pub async fn mails(&self) -> Vec<String> {
        self.settled().await;
        crate::mails::in_folder(&self.data_dir.join(local::OUTBOX_FOLDER))
    }

    /// Waits (at most 10 s) until the stack's outbox holds no pending message that is due (a
    /// reminder or win-back scheduled for later waits) and every tally is applied: delivery and
    /// counting are off the request path, so a request's mails arrive and its figures move
    /// shortly after its answer.
    pub async fn settled(&self) {
        use domain::ports::{Clock, OutboxStore};
        let store = store_sqlite::EmbeddedStore::open(&self.data_dir.join(local::DATABASE_FILE))
            .expect("the stack's store opens beside it");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            // A message in flight keeps its created_at; only a step due later has one ahead.
            let waiting = store
                .due(self.running.clock.now(), 1)
                .await
                .expect("listing pending messages")
                .oldest_pending_since;
            let uncounted = store
                .pending_tallies(1)
                .await
                .expect("listing pending tallies");
            if waiting.is_none() && uncounted.is_empty() {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the local stack still had pending messages or tallies after 10 s"
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    /// URL of a path under a function's mount, e.g. `url("create-referral", "/referrals")`.
    pub fn url(&self, function: &str, path: &str) -> String {
        format!("{}{path}", self.running.function_url(function))
    }

    /// Where the stack listens, for raw HTTP/1.1 written by hand.
    pub fn address(&self) -> std::net::SocketAddr {
        self.running.address
    }

    pub fn root_url(&self, path: &str) -> String {
        format!("http://{}{path}", self.running.address)
    }
}

async fn launch(vars: &HashMap<String, String>) -> RunningStack {
    let vars = vars.clone();
    let options = Options::from_lookup(move |name| vars.get(name).cloned()).expect("options");
    local::start(options).await.expect("local stack starts")
}
