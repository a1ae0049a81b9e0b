//! The deliverer as the tests run it: over the store under test, mailing into a fresh folder
//! through a mailer that can be made to fail, and posting events to a recording receiver that
//! can be made to refuse them.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use domain::model::{Email, MessageId, RetrySchedule};
use domain::ports::{
    Clock, MailError, Mailer, MessageStatus, OutboxAdmin, OutboxStore, OutgoingMail, WebhookError,
    WebhookSender,
};
use domain::services::{Deliverer, DeliveryReport};
use local::MailFolder;

/// Fails the next `n` sends with a provider-like reason, then passes mail to the folder.
pub struct FlakyMailer {
    inner: MailFolder,
    failures_left: AtomicU32,
}

#[async_trait]
impl Mailer for FlakyMailer {
    async fn send(&self, mail: &OutgoingMail) -> Result<(), MailError> {
        let failing = self
            .failures_left
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        if failing {
            return Err(MailError::new(
                "sending through SES",
                format!("Throttling: Maximum sending rate exceeded for {}", mail.to),
            ));
        }
        self.inner.send(mail).await
    }
}

/// Records every event it accepts; refuses the next `n` with 500.
#[derive(Default)]
pub struct RecordingReceiver {
    accepted: Mutex<Vec<(MessageId, String)>>,
    refusals_left: AtomicU32,
    refused: Mutex<Vec<MessageId>>,
}

impl RecordingReceiver {
    pub fn accepted(&self) -> Vec<(MessageId, serde_json::Value)> {
        self.accepted
            .lock()
            .expect("receiver lock")
            .iter()
            .map(|(id, body)| (id.clone(), serde_json::from_str(body).expect("JSON body")))
            .collect()
    }

    pub fn refused(&self) -> Vec<MessageId> {
        self.refused.lock().expect("receiver lock").clone()
    }

    pub fn refuse_next(&self, n: u32) {
        self.refusals_left.store(n, Ordering::SeqCst);
    }
}

#[async_trait]
impl WebhookSender for RecordingReceiver {
    async fn post(&self, id: &MessageId, body: &str) -> Result<(), WebhookError> {
        let refusing = self
            .refusals_left
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        if refusing {
            self.refused.lock().expect("receiver lock").push(id.clone());
            return Err(WebhookError::Failed("the receiver answered 500".into()));
        }
        self.accepted
            .lock()
            .expect("receiver lock")
            .push((id.clone(), body.to_owned()));
        Ok(())
    }
}

/// The deliverer over one store, as deliver-outbox and the local stack build it.
pub struct TestDelivery {
    pub deliverer: Deliverer,
    pub receiver: Arc<RecordingReceiver>,
    mailer: Arc<FlakyMailer>,
    admin: Arc<dyn OutboxAdmin>,
    folder: PathBuf,
    _temp: tempfile::TempDir,
}

impl TestDelivery {
    pub fn new<S: OutboxStore + OutboxAdmin + 'static>(
        store: Arc<S>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self::with_schedule(store, clock, RetrySchedule::default())
    }

    pub fn with_schedule<S: OutboxStore + OutboxAdmin + 'static>(
        store: Arc<S>,
        clock: Arc<dyn Clock>,
        schedule: RetrySchedule,
    ) -> Self {
        let temp = tempfile::tempdir().expect("temporary folder");
        let folder = temp.path().join("mails");
        let mailer = Arc::new(FlakyMailer {
            inner: MailFolder::new(
                &folder,
                Email::parse("shop@example.com").expect("email"),
                "Test Shop",
            ),
            failures_left: AtomicU32::new(0),
        });
        let receiver = Arc::new(RecordingReceiver::default());
        let deliverer = Deliverer::new(
            store.clone(),
            mailer.clone(),
            Some(receiver.clone()),
            clock,
            schedule,
        );
        Self {
            deliverer,
            receiver,
            mailer,
            admin: store,
            folder,
            _temp: temp,
        }
    }

    /// Sweeps until nothing due is left (what the stream and the schedule do on AWS).
    pub async fn deliver(&self) -> DeliveryReport {
        let mut total = DeliveryReport::default();
        for _ in 0..20 {
            let report = self.deliverer.sweep().await.expect("sweep");
            total.delivered += report.delivered;
            total.retried += report.retried;
            total.failed += report.failed;
            if report.picked == 0 {
                return total;
            }
        }
        panic!("the outbox kept having due messages after 20 sweeps");
    }

    /// The next `n` mails fail, as during an SES outage.
    pub fn fail_next_mails(&self, n: u32) {
        self.mailer.failures_left.store(n, Ordering::SeqCst);
    }

    pub fn mails(&self) -> Vec<String> {
        crate::mails::in_folder(&self.folder)
    }

    pub fn folder(&self) -> &Path {
        &self.folder
    }

    /// Every message with `status`, as the operators' listing pages through them.
    pub async fn listed(&self, status: MessageStatus) -> Vec<domain::ports::MessageSummary> {
        let mut all = Vec::new();
        let mut after = None;
        loop {
            let page = self
                .admin
                .messages(status, 7, after.as_ref())
                .await
                .expect("listing");
            all.extend(page.messages);
            match page.next {
                Some(next) => after = Some(next),
                None => return all,
            }
        }
    }

    /// The types of the events the receiver accepted, in order.
    pub fn event_types(&self) -> Vec<String> {
        self.receiver
            .accepted()
            .iter()
            .map(|(_, body)| body["type"].as_str().expect("type").to_owned())
            .collect()
    }
}
