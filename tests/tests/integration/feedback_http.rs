//! Responses, the CSV export, follow-ups and the dashboard over HTTP against the real local
//! stack; the dashboard in headless Chromium at phone and desktop widths, screenshots saved as
//! tests/artifacts/dashboard-375.png and dashboard-1280.png, and a follow-up marked from it
//! (dashboard-follow-up-1280.png).

use std::collections::HashMap;
use std::path::PathBuf;

use base64::Engine;
use chrono::{Datelike, Days, Utc};
use headless_chrome::protocol::cdp::Page::CaptureScreenshotFormatOption;
use http_tests::stack::{TestStack, API_KEY, STAFF_KEY};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::browser;

/// Sends a survey for order `n` and answers it; returns the answer's JSON.
async fn answered(stack: &TestStack, n: usize, segment: &str, score: u8, comment: &str) -> Value {
    let sent = stack
        .client
        .post(stack.url("collect-survey", "/surveys"))
        .bearer_auth(API_KEY)
        .json(&json!({"order_id": format!("o-{n}"), "customer_id": format!("c-{n}"), "email": format!("kunde{n}@example.com"), "locale": "de", "segment": segment}))
        .send()
        .await
        .expect("sent");
    assert_eq!(sent.status(), StatusCode::CREATED);
    let token =
        http_tests::mails::survey_token(&stack.mails().await, &format!("kunde{n}@example.com"))
            .expect("the survey mail");
    let answer = stack
        .client
        .post(stack.url("collect-survey", &format!("/s/{token}")))
        .header("accept", "application/json")
        .json(&json!({"score": score.to_string(), "comment": comment}))
        .send()
        .await
        .expect("sent");
    assert_eq!(answer.status(), StatusCode::OK);
    answer.json().await.expect("JSON")
}

/// A staff read, once the stack has counted every request so far.
async fn get(stack: &TestStack, path: &str) -> (StatusCode, Value) {
    stack.settled().await;
    let response = stack
        .client
        .get(stack.url("score-nps", path))
        .bearer_auth(STAFF_KEY)
        .send()
        .await
        .expect("sent");
    (response.status(), response.json().await.expect("JSON"))
}

async fn follow_up(stack: &TestStack, survey_id: &str, body: Value) -> StatusCode {
    stack
        .client
        .post(stack.url(
            "collect-survey",
            &format!("/responses/{survey_id}/follow-up"),
        ))
        .bearer_auth(STAFF_KEY)
        .json(&body)
        .send()
        .await
        .expect("sent")
        .status()
}

const COMMENTS: [&str; 5] = [
    "=HYPERLINK(\"http://evil.example\",\"klick\")",
    "Größe passt nicht, \"Ärmel\" zu kurz\nZweite Zeile",
    "+49 30 1234",
    "@SUM(A1:A2)",
    "Alles prima – gerne wieder",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn responses_are_listed_followed_up_and_exported_as_csv() {
    let stack = TestStack::start_with(&[("SURVEY_THROTTLE_DAYS", "0")]).await;
    let scores = [2, 5, 9, 10, 7];
    let mut ids = Vec::new();
    for (n, (score, comment)) in scores.iter().zip(COMMENTS).enumerate() {
        let segment = if n % 2 == 0 { "Schuhe" } else { "Taschen" };
        let body = answered(&stack, n, segment, *score, comment).await;
        // The answer names the survey by its public id, as the listing does.
        let id = body["survey_id"].as_str().expect("survey id");
        assert!(id.starts_with("srv_"), "{id}");
        ids.push(id.to_owned());
    }

    let (status, page) = get(&stack, "/responses?category=detractor&limit=1").await;
    assert_eq!(status, StatusCode::OK);
    let first = &page["responses"][0];
    assert_eq!(first["survey_id"], ids[1].as_str(), "newest first");
    assert_eq!(first["follow_up"]["status"], "open");
    assert_eq!(first["segment"], "Taschen");
    assert!(!first.to_string().contains('@'), "no email in a response");
    let cursor = page["next_cursor"].as_str().expect("a second page");
    let (_, second) = get(
        &stack,
        &format!("/responses?category=detractor&limit=1&cursor={cursor}"),
    )
    .await;
    assert_eq!(second["responses"][0]["survey_id"], ids[0].as_str());
    assert!(second["next_cursor"].is_null());

    let (_, nps) = get(&stack, "/nps").await;
    assert_eq!(nps["open_detractors"], 2);
    assert_eq!(
        follow_up(
            &stack,
            &ids[0],
            json!({"status": "contacted", "note": "Angerufen"})
        )
        .await,
        StatusCode::OK
    );
    let (_, nps) = get(&stack, "/nps").await;
    assert_eq!(nps["open_detractors"], 1);
    let (_, contacted) = get(&stack, "/responses?follow_up=contacted").await;
    assert_eq!(contacted["responses"][0]["follow_up"]["note"], "Angerufen");
    assert_eq!(
        follow_up(&stack, &ids[2], json!({"status": "resolved"})).await,
        StatusCode::CONFLICT,
        "a promoter has no follow-up"
    );

    let (_, segments) = get(&stack, "/nps/segments").await;
    // Schuhe: 2, 9, 7 → (1 − 1)/3 = 0; Taschen: 5, 10 → (1 − 1)/2 = 0; de: all five.
    assert_eq!(segments["segments"][0]["name"], "Schuhe");
    assert_eq!(segments["segments"][0]["responses"], 3);
    assert_eq!(segments["segments"][0]["nps"], 0.0);
    assert_eq!(segments["segments"][1]["responses"], 2);
    assert_eq!(segments["locales"][0]["name"], "de");
    assert_eq!(segments["locales"][0]["responses"], 5);

    for (path, field) in [
        ("/responses?category=happy", "category"),
        ("/responses?limit=101", "limit"),
        ("/responses?cursor=bm9wZQ", "cursor"),
        ("/responses?has_comment=yes", "has_comment"),
        ("/nps?segment=%0A", "segment"),
    ] {
        let (status, body) = get(&stack, path).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}");
        assert_eq!(body["error"]["field"], field, "{path}");
    }

    // The CSV: two rows per file, then the Link header's next file, followed as a client
    // would: its path is the request's own, mount path included.
    let mut rows: Vec<csv::StringRecord> = Vec::new();
    let mut next = Some(stack.url("score-nps", "/responses?format=csv&limit=2"));
    let mut files = 0;
    while let Some(url) = next.take() {
        let response = stack
            .client
            .get(url)
            .bearer_auth(STAFF_KEY)
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), StatusCode::OK);
        assert!(response.headers()["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("text/csv"));
        next = response.headers().get("link").map(|link| {
            let link = link.to_str().expect("ascii");
            assert!(link.ends_with(">; rel=\"next\""), "{link}");
            let target = link
                .trim_start_matches('<')
                .split('>')
                .next()
                .expect("target");
            assert!(
                target.starts_with("/lambda-url/score-nps/responses?"),
                "{link}"
            );
            stack.root_url(target)
        });
        let bytes = response.bytes().await.expect("body");
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 BOM for Excel");
        let mut reader = csv::Reader::from_reader(&bytes[3..]);
        assert_eq!(reader.headers().expect("header")[0].to_owned(), "survey_id");
        rows.extend(reader.records().map(|r| r.expect("a well-formed record")));
        files += 1;
    }
    assert_eq!(files, 3);
    assert_eq!(rows.len(), 5);
    let comments: HashMap<String, String> = rows
        .iter()
        .map(|row| (row[0].to_owned(), row[5].to_owned()))
        .collect();
    assert_eq!(comments[&ids[0]], format!("'{}", COMMENTS[0]));
    assert_eq!(
        comments[&ids[1]], COMMENTS[1],
        "umlauts, quotes, comma and newline intact"
    );
    assert_eq!(comments[&ids[2]], format!("'{}", COMMENTS[2]));
    assert_eq!(comments[&ids[3]], format!("'{}", COMMENTS[3]));
    let accept_csv = stack
        .client
        .get(stack.url("score-nps", "/responses"))
        .bearer_auth(STAFF_KEY)
        .header("accept", "text/csv")
        .send()
        .await
        .expect("sent");
    assert!(accept_csv.headers()["content-type"]
        .to_str()
        .expect("ascii")
        .starts_with("text/csv"));
}

/// What the browser saw at one width.
struct Looked {
    points: u64,
    ticks: u64,
    margin: String,
    open_orders: Vec<String>,
    scroll_width: u64,
    viewport_width: u64,
    screenshot: Vec<u8>,
}

/// The dashboard at `url` in a tab of `browser`, logged in with a staff key, in `language`.
fn open_dashboard(
    browser: &headless_chrome::Browser,
    url: &str,
    language: &str,
) -> std::sync::Arc<headless_chrome::Tab> {
    let tab = browser.new_tab().expect("a tab");
    let credentials =
        base64::engine::general_purpose::STANDARD.encode(format!("staff:{STAFF_KEY}"));
    tab.set_extra_http_headers(HashMap::from([
        ("Authorization", format!("Basic {credentials}").as_str()),
        ("Accept-Language", language),
    ]))
    .expect("headers");
    tab.navigate_to(url)
        .expect("navigate")
        .wait_until_navigated()
        .expect("page loads");
    tab
}

fn look_at_dashboard(url: &str, width: u32) -> Looked {
    let browser = browser::launch((width, 1000));
    let tab = open_dashboard(&browser, url, "de-DE,de;q=0.9");
    browser::screen(&tab, width, 1000);
    tab.wait_for_element("#trend").expect("the chart");
    let number = |expression: &str| {
        tab.evaluate(expression, false)
            .expect("evaluates")
            .value
            .and_then(|v| v.as_u64())
            .unwrap_or_else(|| panic!("{expression} is a number"))
    };
    let open_orders = tab
        .evaluate(
            "JSON.stringify([...document.querySelectorAll('#open-detractors li')].map(li => li.dataset.order))",
            false,
        )
        .expect("evaluates")
        .value
        .and_then(|v| v.as_str().map(str::to_owned))
        .map(|json| serde_json::from_str(&json).expect("a JSON list"))
        .expect("open detractors");
    Looked {
        points: number("document.querySelectorAll('circle.point').length"),
        ticks: number("document.querySelectorAll('text.tick').length"),
        margin: tab
            .evaluate(
                "document.querySelector('#summary dl div:nth-child(2) dd').textContent",
                false,
            )
            .expect("evaluates")
            .value
            .and_then(|v| v.as_str().map(str::to_owned))
            .expect("the margin"),
        open_orders,
        scroll_width: number("document.documentElement.scrollWidth"),
        viewport_width: number("window.innerWidth"),
        screenshot: tab
            .capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true)
            .expect("screenshot"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_read_the_dashboard_in_a_browser() {
    let stack = TestStack::start_with(&[("SURVEY_THROTTLE_DAYS", "0")]).await;
    for (n, score) in [0u8, 3, 6, 7, 9, 10, 10, 4].into_iter().enumerate() {
        let comment = format!("Kommentar {n}: Größe & Passform <b>nicht</b> ok");
        answered(&stack, n, "Schuhe", score, &comment).await;
    }

    let unauthenticated = stack
        .client
        .get(stack.url("score-nps", "/dashboard"))
        .send()
        .await
        .expect("sent");
    assert_eq!(unauthenticated.status(), StatusCode::UNAUTHORIZED);
    let challenge = unauthenticated.headers()["www-authenticate"]
        .to_str()
        .expect("ascii");
    assert!(challenge.starts_with("Basic realm="), "{challenge}");

    let page = stack
        .client
        .get(stack.url("score-nps", "/dashboard"))
        .basic_auth("staff", Some(STAFF_KEY))
        .send()
        .await
        .expect("sent");
    assert_eq!(page.status(), StatusCode::OK);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(
        csp.starts_with("default-src 'none'; style-src 'sha256-"),
        "{csp}"
    );
    let html = page.text().await.expect("html");
    assert!(
        !html.contains("<script") && !html.contains("<b>nicht"),
        "no script, comments escaped"
    );

    // The weeks (Monday to Sunday) the default 90 days touch, counted here.
    let today = Utc::now().date_naive();
    let from = today.checked_sub_days(Days::new(89)).expect("date");
    let weeks = (0..90)
        .filter_map(|d| from.checked_add_days(Days::new(d)))
        .map(|day| day.iso_week())
        .collect::<std::collections::BTreeSet<_>>()
        .len() as u64;
    let (_, open) = get(&stack, &format!("/responses?follow_up=open&from={from}")).await;
    let expected_open: Vec<String> = open["responses"]
        .as_array()
        .expect("list")
        .iter()
        .map(|r| r["order_id"].as_str().expect("order").to_owned())
        .collect();
    assert_eq!(expected_open.len(), 4, "scores 0, 3, 6 and 4");

    let artifacts = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("artifacts");
    std::fs::create_dir_all(&artifacts).expect("artifacts folder");
    for width in [375u32, 1280] {
        let url = stack.url("score-nps", "/dashboard");
        let looked = tokio::task::spawn_blocking(move || look_at_dashboard(&url, width))
            .await
            .expect("browser task");
        assert_eq!(
            looked.points,
            1,
            "a point for the one week with answers, none on zero for the {} without at {width} px",
            weeks - 1
        );
        assert!(
            (2..=6).contains(&looked.ticks) && weeks >= 13,
            "dates on the axis: {} of {weeks} weeks",
            looked.ticks
        );
        assert_eq!(
            looked.margin, "zu wenige Antworten (unter 10)",
            "8 answers: no margin that would read as certainty"
        );
        assert_eq!(looked.open_orders, expected_open, "at {width} px");
        assert!(
            looked.scroll_width <= looked.viewport_width,
            "no horizontal scrolling at {width} px: {} > {}",
            looked.scroll_width,
            looked.viewport_width
        );
        assert!(looked.screenshot.starts_with(b"\x89PNG"));
        std::fs::write(
            artifacts.join(format!("dashboard-{width}.png")),
            &looked.screenshot,
        )
        .expect("screenshot saved");
    }
}

/// Marks the first detractor on the dashboard `contacted` with a note, then `resolved`, as a
/// person would: the select, the textarea, the button; returns what the page said each time.
fn mark_in_browser(url: &str, survey_id: &str) -> (String, String, String, bool, Vec<u8>) {
    let browser = browser::launch((1280, 1000));
    let tab = open_dashboard(&browser, url, "en-GB,en;q=0.9");
    let item = format!("#s-{survey_id}");
    let text = |expression: &str| {
        tab.evaluate(expression, false)
            .expect("evaluates")
            .value
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    };
    let submit = |status: &str, note: &str| {
        tab.evaluate(
            &format!("document.querySelector('{item} select').value = '{status}'"),
            false,
        )
        .expect("status chosen");
        tab.find_element(&format!("{item} textarea"))
            .expect("note field")
            .click()
            .expect("focus");
        tab.type_str(note).expect("note typed");
        tab.find_element(&format!("{item} button"))
            .expect("save button")
            .click()
            .expect("saved");
        tab.wait_until_navigated().expect("back on the dashboard");
        tab.wait_for_element("#notice").expect("a notice");
    };
    submit("contacted", "Called, new parcel sent");
    let notice = text("document.getElementById('notice').textContent");
    let status = text(&format!(
        "document.querySelector('{item}').dataset.status + ' ' + document.querySelector('{item} textarea').value"
    ));
    let address = text("location.search + location.hash");
    tab.evaluate(
        &format!("document.querySelector('{item}').scrollIntoView({{block: 'center'}})"),
        false,
    )
    .expect("scrolled");
    let screenshot = tab
        .capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true)
        .expect("screenshot");
    submit("resolved", "");
    let gone = tab
        .evaluate(&format!("document.querySelector('{item}') === null"), false)
        .expect("evaluates")
        .value
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    (notice, status, address, gone, screenshot)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_mark_follow_ups_from_the_dashboard() {
    let stack = TestStack::start_with(&[
        ("SURVEY_THROTTLE_DAYS", "0"),
        ("SHOP_TIME_ZONE", "America/New_York"),
    ])
    .await;
    let answer = answered(&stack, 1, "Schuhe", 2, "Paket kam zu spät").await;
    let (_, open) = get(&stack, "/responses?follow_up=open").await;
    assert_eq!(open["responses"][0]["survey_id"], answer["survey_id"]);
    let survey_id = answer["survey_id"]
        .as_str()
        .expect("a survey id")
        .to_owned();
    let dashboard = stack.url("score-nps", "/dashboard");
    let form = [
        ("survey_id", survey_id.as_str()),
        ("status", "contacted"),
        ("note", "x"),
    ];

    // The form's rules: the login, then the origin, then the fields.
    let post = |origin: Option<&str>, site: Option<&str>, auth: bool| {
        let mut request = stack.client.post(&dashboard).form(&form);
        if auth {
            request = request.basic_auth("staff", Some(STAFF_KEY));
        }
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        if let Some(site) = site {
            request = request.header("sec-fetch-site", site);
        }
        request.send()
    };
    let own_origin = {
        let rest = &dashboard[dashboard.find("://").expect("scheme") + 3..];
        format!("http://{}", &rest[..rest.find('/').expect("path")])
    };
    let unauthenticated = post(Some(&own_origin), None, false).await.expect("sent");
    assert_eq!(unauthenticated.status(), StatusCode::UNAUTHORIZED);
    for (origin, site) in [
        (None, None),
        (Some("https://evil.example"), None),
        (Some("null"), None),
        (Some(own_origin.as_str()), Some("cross-site")),
        (None, Some("same-site")),
    ] {
        let refused = post(origin, site, true).await.expect("sent");
        assert_eq!(
            refused.status(),
            StatusCode::FORBIDDEN,
            "{origin:?} {site:?}"
        );
        let body: Value = refused.json().await.expect("json");
        assert_eq!(body["error"]["code"], "cross_origin");
    }
    let (_, still) = get(&stack, "/responses?follow_up=open").await;
    assert_eq!(
        still["responses"].as_array().map(Vec::len),
        Some(1),
        "nothing changed"
    );
    let bad = stack
        .client
        .post(&dashboard)
        .basic_auth("staff", Some(STAFF_KEY))
        .header("sec-fetch-site", "same-origin")
        .form(&[("survey_id", survey_id.as_str()), ("status", "done")])
        .send()
        .await
        .expect("sent");
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let unknown = stack
        .client
        .post(&dashboard)
        .basic_auth("staff", Some(STAFF_KEY))
        .header("origin", &own_origin)
        .form(&[
            ("survey_id", "srv_0123456789abcdef0123456789abcdef"),
            ("status", "resolved"),
            ("from", "2026-01-01"),
        ])
        .send()
        .await
        .expect("sent");
    assert_eq!(unknown.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        unknown.headers()["location"],
        "dashboard?from=2026-01-01&notice=not_found#s-srv_0123456789abcdef0123456789abcdef"
    );

    // In the browser: contacted with a note, then resolved, from the page itself.
    let (notice, status, address, gone, screenshot) = {
        let (url, id) = (dashboard.clone(), survey_id.clone());
        tokio::task::spawn_blocking(move || mark_in_browser(&url, &id))
            .await
            .expect("browser task")
    };
    assert_eq!(notice, "Saved.");
    assert_eq!(status, "contacted Called, new parcel sent");
    assert!(
        address.contains("notice=saved") && address.ends_with(&format!("#s-{survey_id}")),
        "{address}"
    );
    assert!(gone, "a resolved detractor leaves the list");
    let artifacts = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("artifacts");
    std::fs::create_dir_all(&artifacts).expect("artifacts folder");
    std::fs::write(artifacts.join("dashboard-follow-up-1280.png"), screenshot)
        .expect("screenshot saved");
    let (_, resolved) = get(&stack, "/responses?follow_up=resolved").await;
    let follow_up = &resolved["responses"][0]["follow_up"];
    assert_eq!(follow_up["status"], "resolved", "{resolved}");
    assert_eq!(
        follow_up["note"], "Called, new parcel sent",
        "the form shows the note, so saving again keeps it: {follow_up}"
    );

    // Times in SHOP_TIME_ZONE, named on the page.
    answered(&stack, 2, "Schuhe", 1, "kaputt").await;
    let page = stack
        .client
        .get(&dashboard)
        .basic_auth("staff", Some(STAFF_KEY))
        .header("accept-language", "en")
        .send()
        .await
        .expect("sent")
        .text()
        .await
        .expect("html");
    assert!(page.contains("Times in America/New_York."), "{page}");
    assert!(
        page.contains(" EST · Order o-2") || page.contains(" EDT · Order o-2"),
        "the answer's time on New York's clock: {page}"
    );
}
