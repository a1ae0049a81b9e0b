//! Mails per second of one deliverer instance whose mailer takes 100 ms a send (about an SES
//! `SendEmail` round trip from Lambda), at several `OUTBOX_CONCURRENCY` values, with and without
//! the `SES_MAX_SEND_RATE` pace. The messages are 200 real thank-you mails (`POST /surveys`) in
//! the embedded store, so the store's own claim and settle are included. Prints Markdown.

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use domain::model::{Concurrency, RetrySchedule, SendRate};
use domain::ports::{MailError, Mailer, OutgoingMail, SystemClock};
use domain::services::Deliverer;
use http_tests::platforms::PlatformStack;

const MAILS: usize = 200;
const SEND_TIME: Duration = Duration::from_millis(100);

struct HundredMillisecondMailer;

#[async_trait]
impl Mailer for HundredMillisecondMailer {
    async fn send(&self, _mail: &OutgoingMail) -> Result<(), MailError> {
        tokio::time::sleep(SEND_TIME).await;
        Ok(())
    }
}

async fn pending_mails() -> Arc<store_sqlite::EmbeddedStore> {
    let store = Arc::new(store_sqlite::EmbeddedStore::in_memory().expect("store"));
    http_tests::burst::surveys(&PlatformStack::new(store.clone(), &[]), MAILS).await;
    store
}

#[tokio::main]
async fn main() {
    println!(
        "| OUTBOX_CONCURRENCY | SES_MAX_SEND_RATE | {MAILS} mails took (s) | mails per second |"
    );
    println!("|---:|---:|---:|---:|");
    for (concurrency, rate) in [
        ("1", None),
        ("8", None),
        ("8", Some("14")),
        ("32", None),
        ("32", Some("50")),
    ] {
        let store = pending_mails().await;
        let mut deliverer = Deliverer::new(
            store,
            Arc::new(HundredMillisecondMailer),
            None,
            Arc::new(SystemClock),
            RetrySchedule::default(),
        )
        .with_concurrency(concurrency.parse::<Concurrency>().expect("concurrency"));
        if let Some(rate) = rate {
            deliverer = deliverer.with_mail_rate(rate.parse::<SendRate>().expect("rate"));
        }
        let started = Instant::now();
        let mut delivered = 0;
        while delivered < MAILS as u32 {
            delivered += deliverer.sweep().await.expect("sweep").delivered;
        }
        let seconds = started.elapsed().as_secs_f64();
        println!(
            "| {concurrency} | {} | {seconds:.2} | {:.1} |",
            rate.unwrap_or("unpaced"),
            f64::from(delivered) / seconds
        );
    }
}
