//! The friend's claim page in a real browser: headless Chromium opens a share link in German and
//! in English, looks at it at 375 and 1280 px, fills in the address, submits the form and reads the code
//! page back. No page needs a script or scrolls sideways; the shop's name is shown as text, never
//! run; the pages carry the survey pages' CSP. Screenshots go to tests/artifacts/claim-*.png.

use std::collections::HashMap;
use std::path::PathBuf;

use headless_chrome::protocol::cdp::Page::CaptureScreenshotFormatOption;
use headless_chrome::{Browser, Tab};
use http_tests::stack::{TestStack, API_KEY};

use crate::browser;
use serde_json::json;

const SHOP_NAME: &str = "Bäckerei <script>alert(1)</script> & Co";

struct Visit {
    offer_heading: String,
    code: String,
    apply_url: String,
    scripts_run: u64,
    /// The widths at which a page scrolled sideways.
    overflows: Vec<u32>,
    /// (page, width, PNG)
    screenshots: Vec<(&'static str, u32, Vec<u8>)>,
}

const WIDTHS: [u32; 2] = [375, 1280];

/// The page at each width: whether it scrolls sideways, and how it looks.
fn look_at(tab: &Tab, page: &'static str, visit: &mut Visit) {
    for width in WIDTHS {
        browser::screen(tab, width, 800);
        let overflows = tab
            .evaluate(
                "document.documentElement.scrollWidth > window.innerWidth",
                false,
            )
            .expect("evaluate")
            .value
            .and_then(|v| v.as_bool())
            .expect("a boolean");
        if overflows {
            visit.overflows.push(width);
        }
        let shot = tab
            .capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true)
            .expect("screenshot");
        visit.screenshots.push((page, width, shot));
    }
}

/// Opens the link as a visitor whose browser asks for `language` and claims the offer for
/// `email`, on a phone.
fn claim_in_browser(browser: &Browser, link: &str, language: &str, email: &str) -> Visit {
    let tab = browser.new_tab().expect("a tab");
    tab.set_extra_http_headers(HashMap::from([("Accept-Language", language)]))
        .expect("language header");
    tab.navigate_to(link)
        .expect("navigate")
        .wait_until_navigated()
        .expect("claim page loads");
    let offer_heading = tab
        .wait_for_element("h1")
        .and_then(|h| h.get_inner_text())
        .expect("heading");
    let mut visit = Visit {
        offer_heading,
        code: String::new(),
        apply_url: String::new(),
        scripts_run: 0,
        overflows: Vec::new(),
        screenshots: Vec::new(),
    };
    look_at(&tab, "offer", &mut visit);
    tab.find_element("#email")
        .expect("email field")
        .click()
        .expect("focus");
    tab.type_str(email).expect("type the address");
    tab.find_element("button[type=submit]")
        .expect("submit")
        .click()
        .expect("submit the form");
    tab.wait_until_navigated().expect("code page loads");
    visit.code = tab
        .wait_for_element("#code")
        .and_then(|c| c.get_inner_text())
        .expect("the code");
    visit.apply_url = tab
        .find_element("#shop")
        .and_then(|a| a.get_attribute_value("href"))
        .expect("the button")
        .expect("a link");
    visit.scripts_run = tab
        .evaluate("document.querySelectorAll('script').length", false)
        .expect("evaluate")
        .value
        .and_then(|v| v.as_u64())
        .expect("a count");
    look_at(&tab, "code", &mut visit);
    visit
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_friend_claims_the_offer_in_a_real_browser() {
    let stack = TestStack::start_with(&[
        ("FRIEND_REWARD", "first_order"),
        ("SHOP_NAME", SHOP_NAME),
        ("DISCOUNT_PLATFORM", "none"),
    ])
    .await;
    let created = stack
        .client
        .post(stack.url("create-referral", "/referrals"))
        .bearer_auth(API_KEY)
        .json(&json!({"customer_id": "max", "email": "max@example.com"}))
        .send()
        .await
        .expect("sent");
    let body: serde_json::Value = created.json().await.expect("json");
    let link = body["link"].as_str().expect("share link").to_owned();
    let code = body["code"].as_str().expect("code").to_owned();

    // The headers: the survey pages' policy (no script, the one stylesheet by hash), no caching,
    // no framing; the shop's name escaped.
    let page = stack.client.get(&link).send().await.expect("page");
    assert_eq!(page.status(), 200);
    let header = |response: &reqwest::Response, name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let csp = header(&page, "content-security-policy");
    let survey_page = stack
        .client
        .get(stack.url("collect-survey", "/s/not-a-token"))
        .send()
        .await
        .expect("survey page");
    assert_eq!(csp, header(&survey_page, "content-security-policy"));
    assert!(
        csp.starts_with("default-src 'none'; style-src 'sha256-"),
        "{csp}"
    );
    assert!(csp.contains("form-action 'self'") && csp.contains("frame-ancestors 'none'"));
    assert_eq!(header(&page, "x-frame-options"), "DENY");
    assert_eq!(header(&page, "cache-control"), "no-store");
    let html = page.text().await.expect("html");
    assert!(
        !html.contains("<script>"),
        "the shop's name is escaped: {html}"
    );
    assert!(html.contains("Bäckerei &#60;script&#62;alert(1)&#60;/script&#62; &#38; Co"));

    let visits = tokio::task::spawn_blocking(move || {
        let browser = browser::launch((1280, 900));
        ["de-DE,de;q=0.9", "en-GB,en;q=0.9"].map(|language| {
            let email = format!("friend-{}@example.com", &language[..2]);
            let visit = claim_in_browser(&browser, &link, language, &email);
            (language[..2].to_owned(), visit)
        })
    })
    .await
    .expect("browser task");

    let artifacts = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("artifacts");
    std::fs::create_dir_all(&artifacts).expect("artifacts folder");
    let mut codes = Vec::new();
    for (language, visit) in visits {
        let expected = match language.as_str() {
            "de" => "10,00 € Rabatt auf Ihre erste Bestellung",
            _ => "€10.00 off your first order",
        };
        assert_eq!(visit.offer_heading, expected, "{language}");
        assert_eq!(visit.scripts_run, 0, "no script on the page");
        assert_eq!(visit.overflows, Vec::<u32>::new(), "{language}: sideways");
        assert_eq!(
            visit.apply_url,
            format!("https://shop.example/?ref={code}&coupon={}", visit.code)
        );
        for (page, width, shot) in &visit.screenshots {
            assert!(shot.starts_with(b"\x89PNG"));
            let path = artifacts.join(format!("claim-{page}-{language}-{width}.png"));
            std::fs::write(&path, shot).expect("screenshot saved");
        }
        codes.push(visit.code);
    }
    codes.sort();
    codes.dedup();
    assert_eq!(codes.len(), 2, "two people, two codes");
    // Each code is a coupon the storefront can look up, usable at once.
    for coupon in codes {
        let status = stack
            .client
            .get(stack.url("reward-referral", &format!("/coupons/{coupon}")))
            .bearer_auth(API_KEY)
            .send()
            .await
            .expect("coupon");
        let body: serde_json::Value = status.json().await.expect("json");
        assert_eq!(body["status"], "available", "{body}");
    }
}
