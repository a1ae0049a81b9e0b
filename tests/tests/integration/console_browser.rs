//! The local console in a real browser: headless Chromium opens `/`, finds the functions, their
//! API descriptions, the key and the newest mail, opens the mail, and reads its headers, its
//! plain text (a customer's markup shown as text, never run) and its HTML part in a sandboxed
//! frame. The mail page is saved as tests/artifacts/console-mail.png.

use std::path::PathBuf;

use headless_chrome::protocol::cdp::Page::CaptureScreenshotFormatOption;
use http_tests::stack::{TestStack, API_KEY};
use serde_json::json;

use crate::browser;

struct ConsoleVisit {
    functions: Vec<String>,
    dashboard_link: String,
    key_text: String,
    mail_links: Vec<String>,
    headers: String,
    plain_text: String,
    scripts: u32,
    frame_sandbox: Option<String>,
    frame_heading: String,
    document_title: String,
    screenshot: Vec<u8>,
}

fn visit_console(root: &str) -> ConsoleVisit {
    let browser = browser::launch((1000, 1400));
    let tab = browser.new_tab().expect("a tab");
    tab.navigate_to(root)
        .expect("navigate")
        .wait_until_navigated()
        .expect("console loads");
    let texts = |selector: &str| -> Vec<String> {
        tab.find_elements(selector)
            .map(|elements| {
                elements
                    .iter()
                    .filter_map(|e| e.get_inner_text().ok())
                    .collect()
            })
            .unwrap_or_default()
    };
    let functions = texts("#functions tbody tr td:first-child");
    let dashboard_link = tab
        .find_element("#dashboard")
        .and_then(|a| a.get_attribute_value("href"))
        .expect("the dashboard link")
        .unwrap_or_default();
    let key_text = tab
        .find_element("#storefront-key")
        .and_then(|e| e.get_inner_text())
        .expect("the key");
    let mail_links = texts("#mails a");
    tab.find_element("#mails a")
        .expect("a mail link")
        .click()
        .expect("open the mail");
    tab.wait_until_navigated().expect("mail page loads");
    tab.wait_for_element("iframe").expect("the HTML frame");
    let headers = tab
        .find_element("#headers")
        .and_then(|e| e.get_inner_text())
        .expect("headers");
    let plain_text = tab
        .find_element("#plain-text")
        .and_then(|e| e.get_inner_text())
        .expect("plain text");
    let scripts = tab
        .evaluate("document.querySelectorAll('script').length", false)
        .expect("count scripts")
        .value
        .and_then(|v| v.as_u64())
        .unwrap_or(u64::MAX) as u32;
    let frame_sandbox = tab
        .find_element("iframe")
        .expect("frame")
        .get_attribute_value("sandbox")
        .expect("sandbox attribute");
    let frame_src = tab
        .find_element("iframe")
        .expect("frame")
        .get_attribute_value("src")
        .expect("src")
        .expect("a src");
    let screenshot = tab
        .capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true)
        .expect("screenshot");
    // The frame's document cannot be reached from the console (it is sandboxed into its own
    // origin): open it as the frame would load it.
    let frame_url = format!("{}{}", root.trim_end_matches('/'), frame_src);
    tab.navigate_to(&frame_url)
        .expect("navigate")
        .wait_until_navigated()
        .expect("HTML part loads");
    let frame_heading = tab
        .evaluate("document.body.innerText", false)
        .expect("frame text")
        .value
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let document_title = tab.get_title().unwrap_or_default();
    ConsoleVisit {
        functions,
        dashboard_link,
        key_text,
        mail_links,
        headers,
        plain_text,
        scripts,
        frame_sandbox,
        frame_heading,
        document_title,
        screenshot,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_shows_functions_key_and_mails_in_a_real_browser() {
    let stack = TestStack::start().await;
    for (order, name) in [("o-1", "Ada"), ("o-2", "<script>alert(1)</script> Bea")] {
        let response = stack
            .client
            .post(stack.url("collect-survey", "/surveys"))
            .bearer_auth(API_KEY)
            .json(&json!({"order_id": order, "customer_id": order, "email": format!("{order}@example.com"), "name": name, "locale": "en"}))
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), 201);
        // Delivered before the next is written (the deliverer sends several at once, in no
        // order), and the outbox names files by the millisecond: keep the two apart.
        stack.settled().await;
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    stack.settled().await;
    assert_eq!(stack.mails().await.len(), 2);

    let root = stack.root_url("/");
    let visit = tokio::task::spawn_blocking(move || visit_console(&root))
        .await
        .expect("browser task");

    assert_eq!(
        visit.functions,
        [
            "create-referral",
            "reward-referral",
            "collect-survey",
            "score-nps",
            "customer-data"
        ]
    );
    assert!(
        visit
            .dashboard_link
            .ends_with("/lambda-url/score-nps/dashboard"),
        "the console links to the dashboard: {}",
        visit.dashboard_link
    );
    assert!(visit.key_text.contains(API_KEY), "{}", visit.key_text);
    assert_eq!(visit.mail_links.len(), 2, "{:?}", visit.mail_links);
    // Newest first: Bea's mail was written last, and the first link opened it.
    assert!(
        visit.headers.contains("o-2@example.com"),
        "{}",
        visit.headers
    );
    assert!(
        visit.headers.contains("List-Unsubscribe"),
        "{}",
        visit.headers
    );
    assert!(
        visit.plain_text.contains("<script>alert(1)</script> Bea"),
        "the name is shown as text: {}",
        visit.plain_text
    );
    assert_eq!(
        visit.scripts, 0,
        "no script element on the console's mail page"
    );
    assert_eq!(
        visit.frame_sandbox.as_deref(),
        Some(""),
        "a fully sandboxed frame"
    );
    assert!(
        visit.frame_heading.contains("Test Shop"),
        "the HTML part renders: {}",
        visit.frame_heading
    );
    assert!(!visit.document_title.is_empty() || !visit.frame_heading.is_empty());

    let artifacts = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("artifacts");
    std::fs::create_dir_all(&artifacts).expect("artifacts folder");
    std::fs::write(artifacts.join("console-mail.png"), &visit.screenshot).expect("screenshot");
    assert!(visit.screenshot.starts_with(b"\x89PNG"));
}
