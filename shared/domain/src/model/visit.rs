//! Which follows of a share link are people: link previews, crawlers, scripts and prefetches
//! open links nobody clicked, and one person reloading a page is one click. The list of
//! automated user agents lives here and nowhere else.

use std::fmt;
use std::net::IpAddr;

use chrono::Duration;

use super::{FingerprintKey, ReferralCode};

/// One visitor counts once per code within this long of their counted click; their
/// fingerprint is kept this long and no longer.
pub const VISIT_WINDOW: Duration = Duration::hours(1);

/// Parts of user agents that are not a person at a browser, matched case-insensitively anywhere
/// in the `User-Agent` header. Link unfurlers of chat apps and social networks, search and
/// AI crawlers, HTTP libraries and command-line tools, headless and automated browsers; the
/// generic words at the end catch the many smaller ones that name themselves.
pub const AUTOMATED_AGENTS: &[&str] = &[
    // Social networks and messengers unfurling a pasted link.
    "facebookexternalhit",
    "facebookcatalog",
    "meta-externalagent",
    "whatsapp",
    "slack",
    "twitterbot",
    "linkedinbot",
    "telegrambot",
    "discordbot",
    "skypeuripreview",
    "redditbot",
    "embedly",
    "iframely",
    "vkshare",
    "mastodon",
    "bluesky",
    "kakaotalk-scrap",
    // Office and mail security gateways opening a link before the browser does.
    "microsoft office",
    "ms-office",
    // Search engines and their previews.
    "googlebot",
    "google-inspectiontool",
    "googleother",
    "google-read-aloud",
    "apis-google",
    "mediapartners-google",
    "adsbot-google",
    "feedfetcher-google",
    "google web preview",
    "bingbot",
    "bingpreview",
    "msnbot",
    "adidxbot",
    "applebot",
    "yandex",
    "baiduspider",
    "duckduckbot",
    "duckassistbot",
    "petalbot",
    "seznambot",
    "qwantify",
    "ahrefs",
    "semrush",
    "mj12bot",
    "dotbot",
    // AI assistants and their crawlers.
    "gptbot",
    "chatgpt-user",
    "oai-searchbot",
    "claudebot",
    "claude-user",
    "anthropic-ai",
    "perplexity",
    "ccbot",
    "bytespider",
    "amazonbot",
    // Scripts and HTTP libraries.
    "curl/",
    "wget/",
    "python-requests",
    "python-urllib",
    "python-httpx",
    "aiohttp",
    "scrapy",
    "node-fetch",
    "undici",
    "axios/",
    "got (",
    "okhttp",
    "go-http-client",
    "java/",
    "apache-httpclient",
    "libwww-perl",
    "ruby",
    "php/",
    "guzzlehttp",
    "postmanruntime",
    "insomnia",
    "httpie",
    "reqwest",
    // Headless and automated browsers, uptime monitors, security scanners.
    "headless",
    "phantomjs",
    "puppeteer",
    "playwright",
    "selenium",
    "webdriver",
    "lighthouse",
    "pingdom",
    "uptimerobot",
    "statuscake",
    "site24x7",
    "datadog",
    "newrelic",
    "barracuda",
    "proofpoint",
    "mimecast",
    "safelinks",
    // Anything else that says what it is.
    "bot",
    "crawler",
    "spider",
    "preview",
    "scraper",
    "fetcher",
    "monitor",
    "scan",
    "http-client",
];

/// Whether `user_agent` is one of [`AUTOMATED_AGENTS`]; a request without one is not a
/// browser either.
pub fn is_automated(user_agent: Option<&str>) -> bool {
    let Some(agent) = user_agent.map(str::trim).filter(|agent| !agent.is_empty()) else {
        return true;
    };
    let agent = agent.to_ascii_lowercase();
    AUTOMATED_AGENTS.iter().any(|part| agent.contains(part))
}

/// A follow of a share link as the request shows it.
#[derive(Debug, Clone, Default)]
pub struct Visit {
    pub user_agent: Option<String>,
    /// The address the request came from; missing only where no network is in between (a test
    /// calling the router in process).
    pub source_ip: Option<IpAddr>,
    /// A browser loading the page ahead of a click that may never come (`Sec-Purpose: prefetch`,
    /// `Purpose: prefetch`).
    pub prefetch: bool,
}

impl Visit {
    /// The visitor's fingerprint when a person followed the link; `None` for a prefetch or an
    /// automated agent.
    pub fn person(&self, key: &FingerprintKey, code: &ReferralCode) -> Option<VisitorFingerprint> {
        if self.prefetch || is_automated(self.user_agent.as_deref()) {
            return None;
        }
        Some(key.visitor(
            code,
            self.source_ip,
            self.user_agent.as_deref().unwrap_or(""),
        ))
    }
}

/// Whether a request's purpose header value asks for a prefetch or prerender rather than a
/// navigation (`prefetch`, `prefetch;prerender`, Safari's old `preview`).
pub fn is_prefetch(purpose: &str) -> bool {
    let purpose = purpose.to_ascii_lowercase();
    ["prefetch", "prerender", "preview"]
        .iter()
        .any(|word| purpose.contains(word))
}

/// The address a visitor is known by: IPv4 as is; IPv6 by its /64 network, which one home or
/// phone keeps while its devices rotate the rest (RFC 8981), and IPv4 mapped into IPv6 as IPv4.
pub(super) fn network(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// The keyed fingerprint of one visitor (network address and user agent) on one code: no raw
/// address is ever stored, and without the shop's key nobody can tell which address it was.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VisitorFingerprint(String);

impl AsRef<str> for VisitorFingerprint {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for VisitorFingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FingerprintKey {
    pub fn visitor(
        &self,
        code: &ReferralCode,
        source_ip: Option<IpAddr>,
        user_agent: &str,
    ) -> VisitorFingerprint {
        let address = source_ip.map(network).unwrap_or_default();
        let value = format!("{code}\0{address}\0{user_agent}");
        // 128 bits: two visitors sharing one is out of reach, and the item key stays short.
        VisitorFingerprint(super::hex(&self.mac("visitor", &value)[..16]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHROME: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
    const SAFARI_IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1";
    const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
    const SAMSUNG: &str = "Mozilla/5.0 (Linux; Android 14; SM-S928B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36";
    const EDGE: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0";
    const LINE_APP: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Safari Line/13.16.0";
    const SNAPCHAT_APP: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Snapchat/12.70.0.37 (like Safari/8618.1.15.10.15, panda)";
    const PINTEREST_APP: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [Pinterest/iOS]";
    const INSTAGRAM_APP: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram 339.0.3.12.91 (iPhone14,5; iOS 17_5; de_DE; de; scale=3.00; 1170x2532; 618023787)";

    fn key() -> FingerprintKey {
        FingerprintKey::parse(&"k".repeat(32)).expect("key")
    }

    fn code() -> ReferralCode {
        ReferralCode::parse("ABCD2345").expect("code")
    }

    #[test]
    fn browsers_and_in_app_browsers_are_people() {
        for agent in [
            CHROME,
            SAFARI_IPHONE,
            FIREFOX,
            SAMSUNG,
            EDGE,
            INSTAGRAM_APP,
            LINE_APP,
            SNAPCHAT_APP,
            PINTEREST_APP,
        ] {
            assert!(!is_automated(Some(agent)), "{agent}");
        }
    }

    #[test]
    fn link_previews_crawlers_and_scripts_are_not() {
        for agent in [
            "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
            "WhatsApp/2.23.20.0",
            "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
            "Slack-ImgProxy (+https://api.slack.com/robots)",
            "Twitterbot/1.0",
            "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
            "TelegramBot (like TwitterBot)",
            "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
            "Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5",
            "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
            "Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/534+ (KHTML, like Gecko) BingPreview/1.0b",
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.1.1 Safari/605.1.15 (Applebot/0.1; +http://www.apple.com/go/applebot)",
            "Mozilla/5.0 (compatible; SomeCrawler/1.0)",
            "ExampleSpider/2.1",
            "curl/8.5.0",
            "Wget/1.21.4",
            "python-requests/2.32.3",
            "Python-urllib/3.11",
            "node-fetch/1.0 (+https://github.com/bitinn/node-fetch)",
            "undici",
            "axios/1.7.7",
            "Go-http-client/2.0",
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36",
            "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)",
        ] {
            assert!(is_automated(Some(agent)), "{agent}");
        }
        assert!(is_automated(None), "no user agent at all");
        assert!(is_automated(Some("  ")), "a blank one");
    }

    #[test]
    fn prefetches_and_prerenders_are_told_apart_from_navigations() {
        assert!(is_prefetch("prefetch"));
        assert!(is_prefetch("prefetch;prerender"));
        assert!(is_prefetch("Prefetch"));
        assert!(is_prefetch("preview"));
        assert!(!is_prefetch(""));
        assert!(!is_prefetch("navigate"));
    }

    #[test]
    fn a_person_is_one_network_and_browser_on_one_code() {
        let key = key();
        let ip = |raw: &str| Some(raw.parse::<IpAddr>().expect("ip"));
        let visit = |address: &str, agent: &str| Visit {
            user_agent: Some(agent.to_owned()),
            source_ip: ip(address),
            prefetch: false,
        };
        let one = visit("203.0.113.7", CHROME).person(&key, &code());
        assert!(one.is_some());
        assert_eq!(one, visit("203.0.113.7", CHROME).person(&key, &code()));
        assert_ne!(one, visit("203.0.113.8", CHROME).person(&key, &code()));
        assert_ne!(one, visit("203.0.113.7", FIREFOX).person(&key, &code()));
        let other_code = ReferralCode::parse("WXYZ6789").expect("code");
        assert_ne!(one, visit("203.0.113.7", CHROME).person(&key, &other_code));
        // One home's IPv6 devices rotate their interface ids within the /64.
        assert_eq!(
            visit("2001:db8:1:2::aa", CHROME).person(&key, &code()),
            visit("2001:db8:1:2:ffff::1", CHROME).person(&key, &code())
        );
        assert_ne!(
            visit("2001:db8:1:2::aa", CHROME).person(&key, &code()),
            visit("2001:db8:1:3::aa", CHROME).person(&key, &code())
        );
        assert_eq!(
            visit("::ffff:203.0.113.7", CHROME).person(&key, &code()),
            one
        );
        let prefetch = Visit {
            prefetch: true,
            ..visit("203.0.113.7", CHROME)
        };
        assert_eq!(prefetch.person(&key, &code()), None);
        assert_eq!(
            visit("203.0.113.7", "curl/8.5.0").person(&key, &code()),
            None
        );
    }

    #[test]
    fn the_fingerprint_is_keyed_and_holds_no_address() {
        let address: IpAddr = "203.0.113.7".parse().expect("ip");
        let one = key().visitor(&code(), Some(address), CHROME);
        let other_key = FingerprintKey::parse(&"j".repeat(32)).expect("key");
        assert_ne!(one, other_key.visitor(&code(), Some(address), CHROME));
        assert_eq!(one.as_ref().len(), 32);
        assert!(!one.as_ref().contains("203"));
    }
}
