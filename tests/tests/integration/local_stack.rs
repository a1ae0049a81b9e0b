//! The local stack's own promises: what it writes into its data folder is readable by its owner
//! only, and its console says when the outbox folder cannot be read instead of failing.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use http_tests::stack::{TestStack, API_KEY};
use reqwest::StatusCode;
use serde_json::json;

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

#[tokio::test]
async fn the_data_folder_and_its_files_are_the_owners_only() {
    let stack = TestStack::start().await;
    let created = stack
        .client
        .post(stack.url("create-referral", "/referrals"))
        .bearer_auth(API_KEY)
        .json(&json!({"customer_id": "c-1", "email": "ada@example.com"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(created.status(), StatusCode::CREATED);
    let code = created.json::<serde_json::Value>().await.expect("JSON")["code"]
        .as_str()
        .expect("code")
        .to_owned();
    let ordered = stack
        .client
        .post(stack.url("reward-referral", "/orders"))
        .bearer_auth(API_KEY)
        .json(
            &json!({"order_id": "o-1", "customer_id": "c-2", "email": "ben@example.com",
                      "total_cents": 5990, "currency": "EUR", "referral_code": code}),
        )
        .send()
        .await
        .expect("sent");
    assert_eq!(ordered.status(), StatusCode::OK);
    assert_eq!(stack.mails().await.len(), 2);

    let data = stack.data_dir();
    assert_eq!(mode(data), 0o700, "the data folder");
    assert_eq!(
        mode(&data.join(local::OUTBOX_FOLDER)),
        0o700,
        "the outbox folder"
    );
    let mut files = 0;
    for folder in [data.to_owned(), data.join(local::OUTBOX_FOLDER)] {
        for entry in std::fs::read_dir(&folder).expect("listing") {
            let path = entry.expect("entry").path();
            if path.is_file() {
                assert_eq!(mode(&path), 0o600, "{}", path.display());
                files += 1;
            }
        }
    }
    // The store, its journal, the fingerprint key and two mails at least.
    assert!(files >= 5, "{files} files checked");
}

#[tokio::test]
async fn an_unreadable_outbox_is_shown_on_the_console_not_answered_500() {
    let stack = TestStack::start().await;
    std::fs::write(stack.data_dir().join(local::OUTBOX_FOLDER), "not a folder")
        .expect("a file where the folder goes");
    let console = stack
        .client
        .get(stack.root_url("/"))
        .send()
        .await
        .expect("sent");
    assert_eq!(console.status(), StatusCode::OK);
    let page = console.text().await.expect("page");
    assert!(page.contains("id=\"outbox-unreadable\""), "{page}");
    assert!(page.contains("Outbox unreadable"), "{page}");
    assert!(
        page.contains(API_KEY),
        "the rest of the console still works"
    );
}
