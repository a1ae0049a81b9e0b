//! A real browser answers a survey: headless Chromium opens the link from the mail in the
//! outbox, keeps the preselected score, writes a comment, submits, and lands on the thank-you
//! page. The stored answer is checked and the page saved as tests/artifacts/survey-thank-you.png.

use std::path::PathBuf;

use domain::model::SurveyToken;
use domain::ports::SurveyStore;
use headless_chrome::protocol::cdp::Page::CaptureScreenshotFormatOption;
use http_tests::stack::{TestStack, API_KEY};
use serde_json::json;
use store_sqlite::EmbeddedStore;

use crate::browser;

struct Visit {
    preselected: Option<String>,
    heading: String,
    screenshot: Vec<u8>,
}

/// Drives the browser synchronously (headless_chrome's API); run off the async executor.
fn answer_in_browser(link: &str, comment: &str) -> Visit {
    let browser = browser::launch((480, 900));
    let tab = browser.new_tab().expect("a tab");
    tab.navigate_to(link)
        .expect("navigate")
        .wait_until_navigated()
        .expect("page loads");
    let preselected = tab
        .wait_for_element("input[name=score]:checked")
        .expect("a preselected score")
        .get_attribute_value("value")
        .expect("value attribute");
    tab.wait_for_element("#comment")
        .expect("comment box")
        .click()
        .expect("focus comment");
    tab.type_str(comment).expect("type comment");
    tab.find_element("button[type=submit]")
        .expect("submit button")
        .click()
        .expect("submit");
    tab.wait_until_navigated().expect("thank-you page loads");
    let heading = tab
        .wait_for_element("h1")
        .expect("heading")
        .get_inner_text()
        .expect("heading text");
    let screenshot = tab
        .capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true)
        .expect("screenshot");
    Visit {
        preselected,
        heading,
        screenshot,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_answers_the_survey_in_a_real_browser() {
    let stack = TestStack::start().await;
    let response = stack
        .client
        .post(stack.url("collect-survey", "/surveys"))
        .bearer_auth(API_KEY)
        .json(&json!({"order_id": "o-1", "customer_id": "anna", "email": "anna@example.com", "name": "Anna", "locale": "de"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 201);

    let mail = stack.mails().await.into_iter().next().expect("one mail");
    let link = mail
        .lines()
        .map(str::trim)
        .find_map(|line| line.strip_prefix("9: "))
        .expect("the score-9 link in the plain-text part")
        .to_owned();
    let token = link
        .rsplit("/s/")
        .next()
        .and_then(|t| t.split('?').next())
        .expect("token")
        .to_owned();

    let comment = "Schnelle Lieferung, gerne wieder!";
    let visit = tokio::task::spawn_blocking(move || answer_in_browser(&link, comment))
        .await
        .expect("browser task");
    assert_eq!(visit.preselected.as_deref(), Some("9"));
    assert_eq!(visit.heading, "Vielen Dank für Ihre Bewertung!");

    let store = EmbeddedStore::open(&stack.data_dir().join("store.sqlite3")).expect("store");
    let survey = store
        .survey(&SurveyToken::parse(&token).expect("token"))
        .await
        .expect("read")
        .expect("survey");
    let answer = survey.answer.expect("the browser's answer is stored");
    assert_eq!(
        (
            answer.score.value(),
            answer.comment.as_ref().map(AsRef::as_ref)
        ),
        (9, Some(comment))
    );

    let artifacts = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("artifacts");
    std::fs::create_dir_all(&artifacts).expect("artifacts folder");
    let screenshot = artifacts.join("survey-thank-you.png");
    std::fs::write(&screenshot, &visit.screenshot).expect("screenshot saved");
    assert!(
        visit.screenshot.starts_with(b"\x89PNG"),
        "a PNG of the thank-you page"
    );
    println!("screenshot: {}", screenshot.display());
}
