//! Configuration shared by every function, read once at start-up from environment variables.

use crate::ApiKeys;
use domain::model::{Email, Locale};
use domain::services::ShopIdentity;

/// Why start-up configuration is unusable; each variant names the variable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("missing required environment variable {0}")]
    Missing(&'static str),
    #[error("environment variable {name} is invalid: {reason}")]
    Invalid { name: &'static str, reason: String },
}

/// Looks a variable up; `std::env::var` in production, a map in tests.
pub type Lookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Logs a configuration error before it stops a function at start-up, so the reason reaches the
/// function's log group and not only the Lambda init error.
pub fn reported<T>(loaded: Result<T, ConfigError>) -> Result<T, ConfigError> {
    loaded.inspect_err(|error| tracing::error!(error = %error, "configuration is invalid"))
}

/// Reads real environment variables, treating empty values as unset.
pub fn from_process_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// Settings every function reads, under the same names everywhere.
#[derive(Clone)]
pub struct Config {
    pub api_keys: ApiKeys,
    pub shop_url: String,
    pub shop_name: String,
    pub mail_from: Email,
    pub support_email: Email,
    pub default_locale: Locale,
    /// Base of links this function hands out; derived from the request when unset.
    pub public_base_url: Option<String>,
}

impl Config {
    /// What mails and pages say about the shop.
    pub fn shop_identity(&self) -> ShopIdentity {
        ShopIdentity {
            name: self.shop_name.clone(),
            url: self.shop_url.clone(),
            default_locale: self.default_locale,
        }
    }

    pub fn load(lookup: Lookup<'_>) -> Result<Self, ConfigError> {
        Ok(Self {
            api_keys: ApiKeys::parse(&required(lookup, "API_KEYS")?)
                .map_err(|reason| invalid("API_KEYS", reason))?,
            shop_url: http_url("SHOP_URL", &required(lookup, "SHOP_URL")?)?,
            shop_name: required(lookup, "SHOP_NAME")?.trim().to_owned(),
            mail_from: email(lookup, "MAIL_FROM")?,
            support_email: email(lookup, "SUPPORT_EMAIL")?,
            default_locale: match lookup("DEFAULT_LOCALE") {
                None => Locale::De,
                Some(raw) => Locale::parse(&raw).map_err(|e| invalid("DEFAULT_LOCALE", e))?,
            },
            public_base_url: lookup("PUBLIC_BASE_URL")
                .map(|raw| http_url("PUBLIC_BASE_URL", &raw))
                .transpose()?,
        })
    }
}

/// The DynamoDB table; only deployed functions need it, the local stack has none.
pub fn table_name(lookup: Lookup<'_>) -> Result<String, ConfigError> {
    required(lookup, "TABLE_NAME")
}

pub fn required(lookup: Lookup<'_>, name: &'static str) -> Result<String, ConfigError> {
    lookup(name)
        .map(|value| value.trim().to_owned())
        .filter(|value| !value.is_empty())
        .ok_or(ConfigError::Missing(name))
}

pub fn invalid(name: &'static str, reason: impl ToString) -> ConfigError {
    ConfigError::Invalid {
        name,
        reason: reason.to_string(),
    }
}

fn email(lookup: Lookup<'_>, name: &'static str) -> Result<Email, ConfigError> {
    Email::parse(&required(lookup, name)?).map_err(|e| invalid(name, e))
}

/// An absolute http(s) URL without a trailing slash, so paths can be appended with `/`.
pub fn http_url(name: &'static str, raw: &str) -> Result<String, ConfigError> {
    let trimmed = raw.trim().trim_end_matches('/');
    let rest = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"))
        .ok_or_else(|| invalid(name, "must start with http:// or https://"))?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty() || trimmed.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid(name, "must be an absolute URL with a host"));
    }
    Ok(trimmed.to_owned())
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn full() -> HashMap<&'static str, &'static str> {
        HashMap::from([
            ("API_KEYS", "key-aaaaaaaaaaaaaaaa, key-bbbbbbbbbbbbbbbb"),
            ("SHOP_URL", "https://shop.example/"),
            ("SHOP_NAME", "Demo Shop"),
            ("MAIL_FROM", "shop@example.com"),
            ("SUPPORT_EMAIL", "support@example.com"),
        ])
    }

    fn load(vars: &HashMap<&'static str, &'static str>) -> Result<Config, ConfigError> {
        Config::load(&|name| vars.get(name).map(|v| v.to_string()))
    }

    #[test]
    fn loads_with_defaults_for_optional_variables() {
        let config = load(&full()).expect("complete config");
        assert_eq!(config.shop_url, "https://shop.example");
        assert_eq!(config.default_locale, Locale::De);
        assert_eq!(config.public_base_url, None);
        assert!(config.api_keys.accepts("key-bbbbbbbbbbbbbbbb"));
    }

    #[test]
    fn missing_variable_is_named() {
        for name in [
            "API_KEYS",
            "SHOP_URL",
            "SHOP_NAME",
            "MAIL_FROM",
            "SUPPORT_EMAIL",
        ] {
            let mut vars = full();
            vars.remove(name);
            assert_eq!(load(&vars).err(), Some(ConfigError::Missing(name)));
        }
    }

    #[test]
    fn invalid_values_are_named() {
        let mut vars = full();
        vars.insert("SHOP_URL", "shop.example");
        assert!(matches!(
            load(&vars),
            Err(ConfigError::Invalid {
                name: "SHOP_URL",
                ..
            })
        ));
        let mut vars = full();
        vars.insert("DEFAULT_LOCALE", "fr");
        assert!(matches!(
            load(&vars),
            Err(ConfigError::Invalid {
                name: "DEFAULT_LOCALE",
                ..
            })
        ));
    }
}
