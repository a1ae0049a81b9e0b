//! Which follows of a share link count, on both stores, through create-referral's router: link
//! previews, crawlers, scripts, headless browsers and prefetches get the same answer as a
//! person and count nothing; a person counts once per code within the hour.

use std::sync::Arc;

use http_tests::contract_suite;
use http_tests::platforms::{Answer, PlatformStack, PlatformStore as Store};

const CREATE: &str = "/lambda-url/create-referral";

/// What link unfurlers, crawlers and scripts send, one per family the rules name.
const NOT_PEOPLE: &[&str] = &[
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "WhatsApp/2.24.6.77 A",
    "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "Twitterbot/1.0",
    "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
    "TelegramBot (like TwitterBot)",
    "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
    "Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5 skype-url-preview@microsoft.com",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) BingPreview/1.0b",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15 (Applebot/0.1; +http://www.apple.com/go/applebot)",
    "Mozilla/5.0 (compatible; ExampleLinkPreview/1.0)",
    "SomeCrawler/3.1",
    "Mozilla/5.0 (compatible; TinySpider/0.9)",
    "curl/8.5.0",
    "Wget/1.21.4",
    "python-requests/2.32.3",
    "Python-urllib/3.12",
    "node-fetch/1.0 (+https://github.com/bitinn/node-fetch)",
    "axios/1.7.7",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36",
];

fn stack<S: Store>(store: Arc<S>) -> PlatformStack<S> {
    PlatformStack::new(store, &[("FRIEND_REWARD", "first_order")])
}

async fn open<S: Store>(
    stack: &PlatformStack<S>,
    code: &str,
    headers: &[(&str, String)],
) -> Answer {
    stack
        .call("GET", &format!("{CREATE}/r/{code}"), headers, Vec::new())
        .await
}

async fn clicks<S: Store>(stack: &PlatformStack<S>, customer_id: &str) -> u64 {
    stack.counted().await;
    let stats = stack
        .storefront("GET", &format!("{CREATE}/referrals/{customer_id}"), None)
        .await;
    assert_eq!(stats.status, 200, "{stats:?}");
    stats.body["clicks"].as_u64().expect("clicks")
}

async fn previews_crawlers_scripts_and_prefetches_count_nothing<S: Store>(store: Arc<S>) {
    let stack = stack(store);
    let code = stack.referral_code("ref-1", "max@example.com").await;
    let person = open(&stack, &code, &[("user-agent", http_tests::browser(0))]).await;
    assert_eq!(person.status, 200, "the offer's page");

    for agent in NOT_PEOPLE {
        let answer = open(&stack, &code, &[("user-agent", (*agent).to_owned())]).await;
        assert_eq!(
            (answer.status, answer.text.len()),
            (person.status, person.text.len()),
            "{agent} gets what a person gets"
        );
    }
    assert_eq!(open(&stack, &code, &[]).await.status, 200, "no user agent");
    for (name, value) in [
        ("sec-purpose", "prefetch"),
        ("sec-purpose", "prefetch;prerender"),
        ("purpose", "prefetch"),
        ("x-purpose", "preview"),
        ("x-moz", "prefetch"),
    ] {
        // A browser other than the person's above: only the purpose keeps it from counting.
        let headers = [
            ("user-agent", http_tests::browser(1)),
            (name, value.to_owned()),
        ];
        assert_eq!(open(&stack, &code, &headers).await.status, 200, "{name}");
    }
    let head = stack
        .call(
            "HEAD",
            &format!("{CREATE}/r/{code}"),
            &[("user-agent", http_tests::browser(2))],
            Vec::new(),
        )
        .await;
    assert_eq!(head.status, 200);
    assert_eq!(clicks(&stack, "ref-1").await, 1, "only the person's click");
    let funnel = stack
        .staff("GET", "/lambda-url/score-nps/referrals/stats", None)
        .await;
    assert_eq!(funnel.status, 200, "{funnel:?}");
    assert_eq!(
        funnel.body["clicks"], 1,
        "the funnel counts what the code counts"
    );

    // An unknown code still leads every visitor to the shop and writes nothing.
    let stray = open(
        &stack,
        "ZZZZ9999",
        &[("user-agent", NOT_PEOPLE[0].to_owned())],
    )
    .await;
    assert_eq!(stray.status, 302);
}

async fn one_visitor_counts_once_per_code_within_the_hour<S: Store>(store: Arc<S>) {
    let stack = stack(store);
    let code = stack.referral_code("ref-1", "max@example.com").await;
    let other = stack.referral_code("ref-2", "eva@example.com").await;
    let anna = [("user-agent", http_tests::browser(0))];
    let ben = [("user-agent", http_tests::browser(1))];
    for _ in 0..3 {
        assert_eq!(open(&stack, &code, &anna).await.status, 200);
    }
    // Reloads and the lower-case link are the same visitor on the same code.
    let lower = code.to_ascii_lowercase();
    assert_eq!(open(&stack, &lower, &anna).await.status, 200);
    assert_eq!(clicks(&stack, "ref-1").await, 1, "one visitor, one click");
    open(&stack, &code, &ben).await;
    open(&stack, &other, &anna).await;
    assert_eq!(clicks(&stack, "ref-1").await, 2, "another visitor");
    assert_eq!(
        clicks(&stack, "ref-2").await,
        1,
        "the same visitor on another code"
    );

    // The clock also runs while the test does (seconds on a busy machine): a minute's margin.
    stack.app.clock.advance(59 * 60).expect("clock");
    open(&stack, &code, &anna).await;
    assert_eq!(clicks(&stack, "ref-1").await, 2, "within the hour");
    stack.app.clock.advance(61).expect("clock");
    open(&stack, &code, &anna).await;
    open(&stack, &code, &anna).await;
    assert_eq!(
        clicks(&stack, "ref-1").await,
        3,
        "an hour after the counted click"
    );
}

contract_suite!(
    previews_crawlers_scripts_and_prefetches_count_nothing,
    one_visitor_counts_once_per_code_within_the_hour,
);
