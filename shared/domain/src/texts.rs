//! Every text a customer or staff member reads (mails, pages, the dashboard), from one catalog
//! per locale in Project Fluent's format: `shared/domain/locales/<locale>/<part>.ftl`. Code names
//! a message by its id and passes its variables; the words, their order, plurals and the way a
//! locale writes money and dates live in the catalog. Adding a locale is adding its folder and
//! its [`Locale`] variant; `every_locale_has_every_message` says what is missing.

use std::borrow::Cow;
use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

use crate::model::Locale;

/// The catalog's parts, one file each per locale: mails; the survey pages; the offer, claim and
/// referrer pages; the staff dashboard.
pub const PARTS: [&str; 4] = ["mails", "survey", "referral", "dashboard"];

macro_rules! catalog {
    ($locale:literal) => {
        [
            include_str!(concat!("../locales/", $locale, "/mails.ftl")),
            include_str!(concat!("../locales/", $locale, "/survey.ftl")),
            include_str!(concat!("../locales/", $locale, "/referral.ftl")),
            include_str!(concat!("../locales/", $locale, "/dashboard.ftl")),
        ]
    };
}

/// The catalog's source, compiled into every binary.
pub fn sources(locale: Locale) -> [&'static str; PARTS.len()] {
    match locale {
        Locale::De => catalog!("de"),
        Locale::En => catalog!("en"),
        Locale::Fr => catalog!("fr"),
    }
}

/// A value a message is formatted with: text as it is, or a number (which also selects a
/// plural form).
#[derive(Debug, Clone, Copy)]
pub enum Arg<'a> {
    Text(&'a str),
    Number(i64),
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(text: &'a str) -> Self {
        Arg::Text(text)
    }
}

impl<'a> From<&'a String> for Arg<'a> {
    fn from(text: &'a String) -> Self {
        Arg::Text(text)
    }
}

impl From<u64> for Arg<'_> {
    fn from(number: u64) -> Self {
        Arg::Number(i64::try_from(number).unwrap_or(i64::MAX))
    }
}

impl From<usize> for Arg<'_> {
    fn from(number: usize) -> Self {
        Arg::Number(i64::try_from(number).unwrap_or(i64::MAX))
    }
}

impl From<u32> for Arg<'_> {
    fn from(number: u32) -> Self {
        Arg::Number(i64::from(number))
    }
}

impl From<u8> for Arg<'_> {
    fn from(number: u8) -> Self {
        Arg::Number(i64::from(number))
    }
}

/// A catalog that does not parse, or a message that is missing or names an unknown variable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    #[error("{locale}/{part}.ftl does not parse: {detail}")]
    Syntax {
        locale: Locale,
        part: &'static str,
        detail: String,
    },
    #[error("{locale}: message {id} defined twice")]
    Duplicate { locale: Locale, id: String },
}

struct Catalog {
    bundles: Vec<(Locale, FluentBundle<FluentResource>)>,
}

fn bundle(locale: Locale) -> Result<FluentBundle<FluentResource>, CatalogError> {
    let language = locale
        .as_str()
        .parse()
        .map_err(|error| CatalogError::Syntax {
            locale,
            part: "tag",
            detail: format!("{error}"),
        })?;
    let mut bundle = FluentBundle::new_concurrent(vec![language]);
    // Unicode isolation marks around each variable are for mixed-direction scripts; in a
    // subject line or a URL they are invisible garbage.
    bundle.set_use_isolating(false);
    for (part, source) in PARTS.into_iter().zip(sources(locale)) {
        let resource = FluentResource::try_new(source.to_owned()).map_err(|(_, errors)| {
            CatalogError::Syntax {
                locale,
                part,
                detail: format!("{errors:?}"),
            }
        })?;
        bundle.add_resource(resource).map_err(|errors| {
            let id = errors
                .first()
                .map(|error| format!("{error:?}"))
                .unwrap_or_default();
            CatalogError::Duplicate { locale, id }
        })?;
    }
    Ok(bundle)
}

/// Every locale's bundle, checked; the tests build this, so a catalog that does not parse never
/// leaves the repository.
fn load() -> Result<Catalog, CatalogError> {
    let bundles = Locale::ALL
        .into_iter()
        .map(|locale| Ok((locale, bundle(locale)?)))
        .collect::<Result<_, CatalogError>>()?;
    Ok(Catalog { bundles })
}

static CATALOG: LazyLock<Catalog> = LazyLock::new(|| {
    load().expect("the locale catalogs compiled into the binary parse (checked by the tests)")
});

/// A message without variables.
pub fn text(locale: Locale, id: &str) -> Cow<'static, str> {
    format(locale, id, None)
}

/// A message with its variables.
pub fn text_with(locale: Locale, id: &str, args: &[(&str, Arg<'_>)]) -> String {
    let mut fluent = FluentArgs::with_capacity(args.len());
    for (name, value) in args {
        match *value {
            Arg::Text(text) => fluent.set(*name, FluentValue::from(text.to_owned())),
            Arg::Number(number) => fluent.set(*name, FluentValue::from(number)),
        }
    }
    format(locale, id, Some(&fluent)).into_owned()
}

fn format(locale: Locale, id: &str, args: Option<&FluentArgs<'_>>) -> Cow<'static, str> {
    let Some((_, bundle)) = CATALOG.bundles.iter().find(|(l, _)| *l == locale) else {
        return Cow::Owned(id.to_owned());
    };
    let Some(pattern) = bundle.get_message(id).and_then(|message| message.value()) else {
        // The tests check every id the code names against every catalog; a miss here is a
        // defect, shown as the id rather than failing the customer's page.
        tracing::error!(%locale, id, "message missing from the catalog");
        return Cow::Owned(id.to_owned());
    };
    let mut errors = Vec::new();
    let formatted = bundle.format_pattern(pattern, args, &mut errors);
    if !errors.is_empty() {
        tracing::error!(%locale, id, ?errors, "message formatted with errors");
    }
    formatted
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ids a locale's catalog defines, and the variables each uses: what the tests compare.
    fn messages(locale: Locale) -> Result<Vec<(String, Vec<String>)>, CatalogError> {
        let mut messages = Vec::new();
        for (part, source) in PARTS.into_iter().zip(sources(locale)) {
            let resource = FluentResource::try_new(source.to_owned()).map_err(|(_, errors)| {
                CatalogError::Syntax {
                    locale,
                    part,
                    detail: format!("{errors:?}"),
                }
            })?;
            for entry in resource.entries() {
                if let fluent_syntax::ast::Entry::Message(message) = entry {
                    let mut variables = Vec::new();
                    if let Some(pattern) = &message.value {
                        collect_variables(pattern, &mut variables);
                    }
                    variables.sort();
                    variables.dedup();
                    messages.push((message.id.name.to_owned(), variables));
                }
            }
        }
        messages.sort();
        Ok(messages)
    }

    fn collect_variables(pattern: &fluent_syntax::ast::Pattern<&str>, into: &mut Vec<String>) {
        use fluent_syntax::ast::{Expression, InlineExpression, PatternElement};
        fn inline(expression: &InlineExpression<&str>, into: &mut Vec<String>) {
            match expression {
                InlineExpression::VariableReference { id } => into.push(id.name.to_owned()),
                InlineExpression::FunctionReference { arguments, .. } => {
                    for argument in &arguments.positional {
                        inline(argument, into);
                    }
                }
                InlineExpression::Placeable { expression } => outer(expression, into),
                _ => {}
            }
        }
        fn outer(expression: &Expression<&str>, into: &mut Vec<String>) {
            match expression {
                Expression::Inline(expression) => inline(expression, into),
                Expression::Select { selector, variants } => {
                    inline(selector, into);
                    for variant in variants {
                        collect_variables(&variant.value, into);
                    }
                }
            }
        }
        for element in &pattern.elements {
            if let PatternElement::Placeable { expression } = element {
                outer(expression, into);
            }
        }
    }

    #[test]
    fn every_catalog_parses() {
        load().map(|_| ()).expect("every catalog parses");
    }

    /// English is the reference: every other locale defines the same ids with the same
    /// variables, and nothing more.
    #[test]
    fn every_locale_has_every_message() {
        let reference = messages(Locale::En).expect("en parses");
        assert!(
            reference.len() > 100,
            "the catalog holds the product's texts"
        );
        for locale in Locale::ALL {
            let catalog = messages(locale).expect("parses");
            let ids = |m: &[(String, Vec<String>)]| -> Vec<String> {
                m.iter().map(|(id, _)| id.clone()).collect()
            };
            let missing: Vec<_> = ids(&reference)
                .into_iter()
                .filter(|id| !catalog.iter().any(|(i, _)| i == id))
                .collect();
            let extra: Vec<_> = ids(&catalog)
                .into_iter()
                .filter(|id| !reference.iter().any(|(i, _)| i == id))
                .collect();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "{locale}: missing {missing:?}, not in en {extra:?}"
            );
            for ((id, expected), (_, found)) in reference.iter().zip(&catalog) {
                assert_eq!(found, expected, "{locale}: {id} uses other variables");
            }
        }
    }

    /// Every id the code names (`text(locale, "id")`, `text_with(locale, "id", …)`) is in the
    /// catalog, and every message in the catalog is named somewhere in the code.
    #[test]
    fn the_code_and_the_catalog_name_the_same_messages() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut named = std::collections::BTreeSet::new();
        let mut folders = vec![root.join("shared"), root.join("functions")];
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(&folder)
                .expect("a source folder")
                .flatten()
            {
                let path = entry.path();
                if path.is_dir() {
                    folders.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("texts.rs")
                {
                    let source = std::fs::read_to_string(&path).expect("a source file");
                    named.extend(ids_named_in(&source));
                }
            }
        }
        let catalog: std::collections::BTreeSet<String> = messages(Locale::En)
            .expect("en parses")
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        named.remove("no-such-message");
        let unknown: Vec<_> = named.difference(&catalog).collect();
        let unused: Vec<_> = catalog.difference(&named).collect();
        assert!(
            unknown.is_empty(),
            "named in code, not in the catalog: {unknown:?}"
        );
        assert!(
            unused.is_empty(),
            "in the catalog, named nowhere: {unused:?}"
        );
    }

    /// The literal ids after `text(` or `text_with(` and the locale argument.
    fn ids_named_in(source: &str) -> Vec<String> {
        let mut ids = Vec::new();
        for call in ["text(", "text_with("] {
            for (at, _) in source.match_indices(call) {
                let preceded = source[..at].chars().next_back();
                if preceded.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    continue;
                }
                let rest = &source[at + call.len()..];
                let Some(comma) = rest.find(',') else {
                    continue;
                };
                let Some(literal) = rest[comma + 1..].trim_start().strip_prefix('"') else {
                    continue;
                };
                if let Some(end) = literal.find('"') {
                    ids.push(literal[..end].to_owned());
                }
            }
        }
        ids
    }

    #[test]
    fn a_message_is_formatted_with_its_variables_and_no_isolation_marks() {
        let line = text_with(
            Locale::Fr,
            "survey-question",
            &[("shop", Arg::from("Kiosque"))],
        );
        assert!(line.contains("Kiosque"), "{line}");
        assert!(!line.contains('\u{2068}'), "no isolation marks: {line:?}");
    }

    #[test]
    fn a_missing_message_shows_its_id() {
        assert_eq!(text(Locale::De, "no-such-message"), "no-such-message");
    }
}
