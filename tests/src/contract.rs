//! One contract suite, run unchanged against both stores.

/// A fresh in-memory embedded store: what the suites run against besides DynamoDB.
pub fn embedded_store() -> store_sqlite::EmbeddedStore {
    store_sqlite::EmbeddedStore::in_memory().expect("in-memory store")
}

/// Runs each named suite function (`async fn name(store: Arc<S>)`, or `Arc<dyn Port>`) once on
/// the embedded store and once on a fresh table in the DynamoDB emulator, as tests named
/// `embedded::<name>` and `dynamodb::<name>`. Multi-threaded, so concurrency tests race for real.
#[macro_export]
macro_rules! contract_suite {
    ($($test:ident),* $(,)?) => {
        mod embedded {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $test() {
                    super::$test(::std::sync::Arc::new($crate::contract::embedded_store())).await;
                }
            )*
        }
        mod dynamodb {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $test() {
                    super::$test(::std::sync::Arc::new($crate::dynamo::fresh_store().await)).await;
                }
            )*
        }
    };
}
