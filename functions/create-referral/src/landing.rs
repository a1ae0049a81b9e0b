//! Where a referral link sends the customer.

use domain::model::ReferralCode;
use web::config::{http_url, Config, ConfigError, Lookup};

const CODE_PLACEHOLDER: &str = "{code}";

/// The shop page a referral link lands on; `{code}` is replaced by the referral code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LandingUrl(String);

impl LandingUrl {
    /// `REFERRAL_LANDING_URL` if set, else `<SHOP_URL>/?ref={code}`.
    pub fn from_config(config: &Config, lookup: Lookup<'_>) -> Result<Self, ConfigError> {
        const NAME: &str = "REFERRAL_LANDING_URL";
        let Some(raw) = lookup(NAME) else {
            return Ok(Self(format!("{}/?ref={CODE_PLACEHOLDER}", config.shop_url)));
        };
        if !raw.contains(CODE_PLACEHOLDER) {
            return Err(web::config::invalid(NAME, "must contain {code}"));
        }
        // Validate with a sample code in place, since `{` is not valid in a URL.
        http_url(NAME, &raw.replace(CODE_PLACEHOLDER, "CODE"))?;
        Ok(Self(raw.trim().to_owned()))
    }

    pub fn for_code(&self, code: &ReferralCode) -> String {
        self.0.replace(CODE_PLACEHOLDER, code.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn config() -> Config {
        let vars = HashMap::from([
            ("API_KEYS", "key-aaaaaaaaaaaaaaaa"),
            ("SHOP_URL", "https://shop.example/"),
            ("SHOP_NAME", "Demo"),
            ("MAIL_FROM", "shop@example.com"),
            ("SUPPORT_EMAIL", "support@example.com"),
        ]);
        Config::load(&|n| vars.get(n).map(|v| v.to_string())).expect("valid config")
    }

    fn code() -> ReferralCode {
        ReferralCode::parse("ABCD2345").expect("valid code")
    }

    #[test]
    fn defaults_to_shop_url_with_ref_parameter() {
        let landing = LandingUrl::from_config(&config(), &|_| None).expect("default");
        assert_eq!(
            landing.for_code(&code()),
            "https://shop.example/?ref=ABCD2345"
        );
    }

    #[test]
    fn configured_template_gets_the_code() {
        let lookup = |_: &str| {
            Some("https://shop.example/welcome?utm_source=referral&code={code}".to_owned())
        };
        let landing = LandingUrl::from_config(&config(), &lookup).expect("template");
        assert_eq!(
            landing.for_code(&code()),
            "https://shop.example/welcome?utm_source=referral&code=ABCD2345"
        );
    }

    #[test]
    fn template_without_placeholder_is_refused() {
        let lookup = |_: &str| Some("https://shop.example/welcome".to_owned());
        assert!(LandingUrl::from_config(&config(), &lookup).is_err());
    }
}
