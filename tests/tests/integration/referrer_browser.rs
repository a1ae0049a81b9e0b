//! The referrer's page in a real browser: headless Chromium opens it at 375 and 1280 px, the
//! page's one script runs under its CSP (the copy button appears only when it does), a click on
//! the copy button puts the share link on the system clipboard, and nothing scrolls sideways.
//! Screenshots go to tests/artifacts/referrer-page-*.png.

use std::path::PathBuf;

use headless_chrome::protocol::cdp::Browser::{GrantPermissions, PermissionType};
use headless_chrome::protocol::cdp::Page::CaptureScreenshotFormatOption;
use http_tests::stack::{TestStack, API_KEY};
use serde_json::json;

use crate::browser;

struct Visit {
    heading: String,
    copy_visible_before: bool,
    button_after: String,
    clipboard: String,
    native_share_shown_where_supported: bool,
    overflows: Vec<u32>,
    screenshots: Vec<(u32, Vec<u8>)>,
}

fn evaluate(tab: &headless_chrome::Tab, script: &str, promise: bool) -> serde_json::Value {
    tab.evaluate(script, promise)
        .expect("evaluate")
        .value
        .unwrap_or(serde_json::Value::Null)
}

fn visit(page_url: &str, origin: &str) -> Visit {
    let browser = browser::launch((1280, 900));
    let tab = browser.new_tab().expect("a tab");
    // The clipboard as a person's browser has it after they allowed the site to copy: the test
    // reads back what the button wrote.
    tab.call_method(GrantPermissions {
        permissions: vec![
            PermissionType::ClipboardReadWrite,
            PermissionType::ClipboardSanitizedWrite,
        ],
        origin: Some(origin.to_owned()),
        browser_context_id: None,
    })
    .expect("clipboard permission");
    tab.navigate_to(page_url)
        .expect("navigate")
        .wait_until_navigated()
        .expect("the page loads");
    let heading = tab
        .wait_for_element("h1")
        .and_then(|h| h.get_inner_text())
        .expect("heading");
    let copy_visible_before =
        evaluate(&tab, "!document.getElementById('copy').hidden", false) == json!(true);
    let native_share_shown_where_supported = evaluate(
        &tab,
        "document.getElementById('native').hidden === !navigator.share",
        false,
    ) == json!(true);
    let mut overflows = Vec::new();
    let mut screenshots = Vec::new();
    for width in [375, 1280] {
        browser::screen(&tab, width, 900);
        if evaluate(
            &tab,
            "document.documentElement.scrollWidth > window.innerWidth",
            false,
        ) == json!(true)
        {
            overflows.push(width);
        }
        let shot = tab
            .capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true)
            .expect("screenshot");
        screenshots.push((width, shot));
    }
    tab.find_element("#copy")
        .expect("copy button")
        .click()
        .expect("click");
    let mut button_after = String::new();
    for _ in 0..50 {
        button_after = evaluate(&tab, "document.getElementById('copy').textContent", false)
            .as_str()
            .unwrap_or_default()
            .to_owned();
        if button_after.contains('✓') {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let clipboard = evaluate(&tab, "navigator.clipboard.readText()", true)
        .as_str()
        .unwrap_or_default()
        .to_owned();
    Visit {
        heading,
        copy_visible_before,
        button_after,
        clipboard,
        native_share_shown_where_supported,
        overflows,
        screenshots,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_referrer_copies_their_link_in_a_real_browser() {
    let stack = TestStack::start_with(&[("FRIEND_REWARD", "both")]).await;
    let created = stack
        .client
        .post(stack.url("create-referral", "/referrals"))
        .bearer_auth(API_KEY)
        .json(&json!({"customer_id": "rita", "email": "rita@example.com", "locale": "en"}))
        .send()
        .await
        .expect("sent");
    let body: serde_json::Value = created.json().await.expect("json");
    let link = body["link"].as_str().expect("share link").to_owned();
    let page_url = body["page_url"].as_str().expect("page_url").to_owned();
    // A friend's click and first order, so the page has a figure and a reward to show.
    stack.client.get(&link).send().await.expect("click");
    let code = body["code"].as_str().expect("code");
    let order = stack
        .client
        .post(stack.url("reward-referral", "/orders"))
        .bearer_auth(API_KEY)
        .json(&json!({
            "order_id": "o-1", "customer_id": "fiona", "email": "fiona@example.com",
            "total_cents": 5000, "currency": "EUR", "referral_code": code,
        }))
        .send()
        .await
        .expect("order");
    let order: serde_json::Value = order.json().await.expect("json");
    assert_eq!(order["referral"]["status"], "rewarded", "{order}");

    // The policy pins the stylesheet and the one script by hash; nothing else may run or load.
    let page = stack.client.get(&page_url).send().await.expect("page");
    assert_eq!(page.status(), 200);
    let csp = page
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        csp.starts_with("default-src 'none'; style-src 'sha256-")
            && csp.contains("; script-src 'sha256-"),
        "{csp}"
    );
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    let html = page.text().await.expect("html");
    assert_eq!(html.matches("<script>").count(), 1, "one inline script");
    assert!(html.contains(r#"<li data-status="pending">"#), "{html}");

    let origin = {
        let after_scheme = page_url.find("://").expect("scheme") + 3;
        let end = page_url[after_scheme..].find('/').expect("path") + after_scheme;
        page_url[..end].to_owned()
    };
    let visit = tokio::task::spawn_blocking(move || visit(&page_url, &origin))
        .await
        .expect("browser task");

    assert_eq!(visit.heading, "Recommend Test Shop to your friends");
    assert!(
        visit.copy_visible_before,
        "the script ran under the CSP and showed the copy button"
    );
    assert_eq!(visit.button_after, "Copied ✓");
    assert_eq!(visit.clipboard, link, "the share link is on the clipboard");
    assert!(visit.native_share_shown_where_supported);
    assert_eq!(
        visit.overflows,
        Vec::<u32>::new(),
        "nothing scrolls sideways"
    );
    let artifacts = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("artifacts");
    std::fs::create_dir_all(&artifacts).expect("artifacts folder");
    for (width, shot) in visit.screenshots {
        assert!(shot.starts_with(b"\x89PNG"));
        std::fs::write(artifacts.join(format!("referrer-page-{width}.png")), shot)
            .expect("screenshot saved");
    }
}
