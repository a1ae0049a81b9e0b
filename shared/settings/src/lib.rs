//! Typed settings: one struct per function, each field with its variable, default and doc
//! comment, read once at start-up through one lookup function, failing with the variable's name.
//!
//! The structs derive clap's `Parser`, which gives parsing into the domain's newtypes, defaults
//! and the doc comments as data (docs/configuration.md's tables are generated from them). clap
//! reads only the process environment; [`load`] reads through a lookup instead, so the local
//! stack and the tests can run several configurations in one process, and production passes
//! [`from_process_env`].

mod groups;
mod logging;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, Command, CommandFactory, FromArgMatches};

pub use groups::{
    Delivery, DiscountPlatformChoice, DynamoTable, Fingerprints, FriendOfferDays, FriendTerms,
    Privacy, PublicBaseUrl, ReferralBaseUrl, ReferrerTerms, RetentionPeriod, RewardCurrency,
    Sender, SesSending, ShopName, ShopPlatforms, ShopPresentation, ShopUrl, ShopifyShopUrl, Staff,
    Storefront, SurveyReminders, WebhookEndpoint, WinbackLapse,
};
pub use logging::Logging;

/// Why settings are unusable; each variant names the variable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    #[error("missing required environment variable {0}")]
    Missing(String),
    #[error("environment variable {name} is invalid: {reason}")]
    Invalid { name: String, reason: String },
}

/// Reads real environment variables, treating blank values as unset.
pub fn from_process_env(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .filter(|value| !value.trim().is_empty())
}

/// Reads `S` from the variables `lookup` knows; blank values count as unset.
pub fn load<S: CommandFactory + FromArgMatches>(
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<S, SettingsError> {
    let command = S::command();
    let mut arguments = Vec::new();
    for arg in command.get_arguments() {
        let name = variable_name(arg);
        match lookup(&name).filter(|value| !value.trim().is_empty()) {
            Some(value) => arguments.push(format!("--{}={}", long_name(arg), value.trim())),
            None if arg.is_required_set() => return Err(SettingsError::Missing(name)),
            None => {}
        }
    }
    // clap must not read the process environment behind the lookup's back.
    command
        .mut_args(|arg| arg.env(None::<&str>))
        .try_get_matches_from(arguments)
        .and_then(|mut matches| S::from_arg_matches_mut(&mut matches))
        .map_err(|error| invalid(&S::command(), &error))
}

/// One variable as documented: what the configuration table of docs/configuration.md shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variable {
    pub name: String,
    pub required: bool,
    pub default: Option<String>,
    pub doc: String,
}

/// Every variable `S` reads, in declaration order.
pub fn variables<S: CommandFactory>() -> Vec<Variable> {
    S::command()
        .get_arguments()
        .map(|arg| Variable {
            name: variable_name(arg),
            required: arg.is_required_set(),
            default: match arg.get_default_values() {
                [] => None,
                values => Some(
                    values
                        .iter()
                        .map(|v| v.to_string_lossy().into_owned())
                        .collect::<Vec<_>>()
                        .join(","),
                ),
            },
            doc: arg.get_help().map(ToString::to_string).unwrap_or_default(),
        })
        .collect()
}

fn variable_name(arg: &Arg) -> String {
    arg.get_env()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| panic!("setting {} names no environment variable", arg.get_id()))
}

fn long_name(arg: &Arg) -> &str {
    arg.get_long()
        .unwrap_or_else(|| panic!("setting {} has no long name", arg.get_id()))
}

/// Names the variable behind a clap error and keeps the parser's own reason.
fn invalid(command: &Command, error: &clap::Error) -> SettingsError {
    let flag = match error.get(ContextKind::InvalidArg) {
        Some(ContextValue::String(flag)) => flag.clone(),
        _ => String::new(),
    };
    let name = command
        .get_arguments()
        .find(|arg| {
            flag.starts_with(&format!("--{} ", long_name(arg)))
                || flag == format!("--{}", long_name(arg))
        })
        .map_or_else(|| "(unknown)".to_owned(), variable_name);
    let reason = match (error.kind(), std::error::Error::source(error)) {
        (_, Some(source)) => source.to_string(),
        (ErrorKind::InvalidValue, None) => match error.get(ContextKind::ValidValue) {
            Some(ContextValue::Strings(valid)) => format!("must be one of {}", valid.join(", ")),
            _ => "is not an accepted value".to_owned(),
        },
        (kind, None) => kind.as_str().unwrap_or("is invalid").to_owned(),
    };
    SettingsError::Invalid { name, reason }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use clap::Parser;

    use super::*;

    /// What a function's settings look like.
    #[derive(Debug, Parser)]
    #[command(no_binary_name = true)]
    struct Example {
        /// Days of something.
        #[arg(long, env = "EXAMPLE_DAYS", default_value_t = 14)]
        days: u32,
        /// A required address.
        #[arg(long, env = "EXAMPLE_URL", value_parser = domain::model::HttpUrl::parse)]
        url: domain::model::HttpUrl,
        /// An optional word.
        #[arg(long, env = "EXAMPLE_WORD")]
        word: Option<String>,
    }

    fn from(vars: &[(&str, &str)]) -> Result<Example, SettingsError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        load::<Example>(|name| vars.get(name).cloned())
    }

    #[test]
    fn values_are_parsed_into_their_types_with_defaults_for_the_rest() {
        let example = from(&[("EXAMPLE_URL", "https://shop.example/")]).expect("loads");
        assert_eq!(
            (example.days, example.url.as_str(), example.word),
            (14, "https://shop.example", None)
        );
        let example = from(&[
            ("EXAMPLE_URL", "https://a.example"),
            ("EXAMPLE_DAYS", " 3 "),
            ("EXAMPLE_WORD", "x=y"),
        ])
        .expect("loads");
        assert_eq!((example.days, example.word.as_deref()), (3, Some("x=y")));
    }

    #[test]
    fn a_missing_variable_is_named() {
        assert_eq!(
            from(&[]).unwrap_err().to_string(),
            "missing required environment variable EXAMPLE_URL"
        );
        assert_eq!(
            from(&[("EXAMPLE_URL", "  ")]).unwrap_err(),
            SettingsError::Missing("EXAMPLE_URL".into()),
            "blank is unset"
        );
    }

    #[test]
    fn an_invalid_value_is_named_with_the_parsers_reason() {
        let error = from(&[("EXAMPLE_URL", "shop.example")]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "environment variable EXAMPLE_URL is invalid: must start with http:// or https://"
        );
        let error =
            from(&[("EXAMPLE_URL", "https://a.example"), ("EXAMPLE_DAYS", "-1")]).unwrap_err();
        assert!(
            matches!(&error, SettingsError::Invalid { name, .. } if name == "EXAMPLE_DAYS"),
            "{error}"
        );
    }

    #[test]
    fn the_process_environment_is_not_read_behind_the_lookup() {
        // Whatever the test process has set, an empty lookup means every variable is unset.
        std::env::set_var("EXAMPLE_WORD", "from the process");
        let example = from(&[("EXAMPLE_URL", "https://a.example")]).expect("loads");
        assert_eq!(example.word, None);
    }

    #[test]
    fn variables_carry_name_default_and_doc() {
        let listed = variables::<Example>();
        assert_eq!(
            listed[0],
            Variable {
                name: "EXAMPLE_DAYS".into(),
                required: false,
                default: Some("14".into()),
                doc: "Days of something".into()
            }
        );
        assert!(listed[1].required);
        assert_eq!(listed[2].default, None);
    }
}
