//! Where a referral link sends the customer.

use domain::model::{HttpUrl, ReferralCode};

const CODE_PLACEHOLDER: &str = "{code}";

/// The shop page a referral link lands on; `{code}` is replaced by the referral code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LandingUrl(String);

impl LandingUrl {
    /// A URL template containing `{code}` (REFERRAL_LANDING_URL).
    pub fn parse(raw: &str) -> Result<Self, String> {
        if !raw.contains(CODE_PLACEHOLDER) {
            return Err("must contain {code}".into());
        }
        // Validate with a sample code in place, since `{` is not valid in a URL.
        HttpUrl::parse(&raw.replace(CODE_PLACEHOLDER, "CODE")).map_err(|e| e.to_string())?;
        Ok(Self(raw.trim().to_owned()))
    }

    /// `<SHOP_URL>/?ref={code}`: the shop's home page with the code for the storefront to keep.
    pub fn shop_default(shop_url: &HttpUrl) -> Self {
        Self(format!("{shop_url}/?ref={CODE_PLACEHOLDER}"))
    }

    pub fn for_code(&self, code: &ReferralCode) -> String {
        self.0.replace(CODE_PLACEHOLDER, code.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code() -> ReferralCode {
        ReferralCode::parse("ABCD2345").expect("valid code")
    }

    #[test]
    fn defaults_to_shop_url_with_ref_parameter() {
        let shop = HttpUrl::parse("https://shop.example/").expect("url");
        assert_eq!(
            LandingUrl::shop_default(&shop).for_code(&code()),
            "https://shop.example/?ref=ABCD2345"
        );
    }

    #[test]
    fn configured_template_gets_the_code() {
        let landing =
            LandingUrl::parse("https://shop.example/welcome?utm_source=referral&code={code}")
                .expect("template");
        assert_eq!(
            landing.for_code(&code()),
            "https://shop.example/welcome?utm_source=referral&code=ABCD2345"
        );
    }

    #[test]
    fn template_without_placeholder_or_not_a_url_is_refused() {
        assert!(LandingUrl::parse("https://shop.example/welcome").is_err());
        assert!(LandingUrl::parse("shop.example/?ref={code}").is_err());
    }
}
