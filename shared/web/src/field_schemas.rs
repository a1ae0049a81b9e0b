//! The API document's schema of each request field a domain type parses, built from the
//! constants the parser checks: a length, a range or a pattern is written once, in the domain,
//! and the document follows it. Used as `#[schema(schema_with = web::field_schemas::…)]`.

use domain::model::{
    Locale, MinorUnits, Score, ID_PATTERN, MAX_COMMENT_CHARS, MAX_EMAIL_LEN, MAX_ID_LEN,
    MAX_NAME_CHARS, MAX_NOTE_CHARS, MAX_SEGMENT_CHARS, SURVEY_ID_PATTERN,
};
use domain::services::MAX_REVIEW_NOTE_CHARS;
use serde_json::json;
use utoipa::openapi::schema::{KnownFormat, SchemaFormat, Type};
use utoipa::openapi::{Object, ObjectBuilder};

fn text(description: String) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
}

fn id(what: &str, example: &str) -> Object {
    text(format!(
        "{what}: 1–{MAX_ID_LEN} printable ASCII characters, no whitespace."
    ))
    .min_length(Some(1))
    .max_length(Some(MAX_ID_LEN))
    .pattern(Some(ID_PATTERN))
    .examples([json!(example)])
    .build()
}

pub fn order_id() -> Object {
    id("The shop's order id; the key of exactly-once", "o-1001")
}

pub fn customer_id() -> Object {
    id("The shop's id for the customer", "cust-42")
}

pub fn email() -> Object {
    text("`local@domain.tld`; surrounding spaces are trimmed, the domain lower-cased.".into())
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Email)))
        .max_length(Some(MAX_EMAIL_LEN))
        .examples([json!("ada@example.com")])
        .build()
}

pub fn name() -> Object {
    text(format!(
        "1–{MAX_NAME_CHARS} characters after trimming, no control characters."
    ))
    .max_length(Some(MAX_NAME_CHARS))
    .examples([json!("Ada")])
    .build()
}

/// A `locale` field as `Locale::parse` reads it: the languages with a catalog, any case, with
/// or without a region.
pub fn locale() -> Object {
    let tags: Vec<&str> = Locale::ALL.iter().map(|locale| locale.as_str()).collect();
    let any_case: Vec<String> = tags
        .iter()
        .map(|tag| {
            tag.chars()
                .map(|c| format!("[{}{}]", c, c.to_ascii_uppercase()))
                .collect()
        })
        .collect();
    text(format!(
        "`{}`; a region (`de-AT`, `en_GB`) is accepted.",
        tags.join("`, `")
    ))
    .pattern(Some(format!(
        "^({})([-_][A-Za-z0-9]+)*$",
        any_case.join("|")
    )))
    .examples([json!("de")])
    .build()
}

pub fn segment() -> Object {
    text(format!(
        "What the shop wants NPS by (a product category, a sales channel): 1–{MAX_SEGMENT_CHARS} characters."
    ))
    .max_length(Some(MAX_SEGMENT_CHARS))
    .examples([json!("shoes")])
    .build()
}

pub fn minor_units() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
        .description(Some(format!("Minor units (cents), 0–{}.", MinorUnits::MAX)))
        .minimum(Some(0))
        .maximum(Some(MinorUnits::MAX))
        .examples([json!(5900)])
        .build()
}

pub fn score() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .description(Some(format!("0–{}.", Score::MAX)))
        .minimum(Some(0))
        .maximum(Some(Score::MAX))
        .build()
}

pub fn comment() -> Object {
    text(format!(
        "At most {MAX_COMMENT_CHARS} characters; blank is none."
    ))
    .max_length(Some(MAX_COMMENT_CHARS))
    .build()
}

pub fn follow_up_note() -> Object {
    text(format!(
        "Support's note, at most {MAX_NOTE_CHARS} characters; `null` or absent keeps none."
    ))
    .max_length(Some(MAX_NOTE_CHARS))
    .build()
}

pub fn review_note() -> Object {
    text(format!(
        "For the record, at most {MAX_REVIEW_NOTE_CHARS} characters."
    ))
    .max_length(Some(MAX_REVIEW_NOTE_CHARS))
    .build()
}

pub fn survey_id() -> Object {
    text("The survey's public id, as `GET /responses`, the follow-up route and the `survey.*` events name it.".into())
        .pattern(Some(SURVEY_ID_PATTERN))
        .examples([json!("srv_0f1e2d3c4b5a69788796a5b4c3d2e1f0")])
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The document states what the parsers check.
    #[test]
    fn each_schema_states_its_parsers_rule() {
        let value = |object: Object| serde_json::to_value(object).expect("json");
        assert_eq!(value(order_id())["maxLength"], MAX_ID_LEN);
        assert_eq!(value(minor_units())["maximum"], MinorUnits::MAX);
        assert_eq!(value(comment())["maxLength"], MAX_COMMENT_CHARS);
        assert_eq!(value(follow_up_note())["maxLength"], MAX_NOTE_CHARS);
        assert_eq!(
            value(locale())["pattern"],
            "^([dD][eE]|[eE][nN]|[fF][rR])([-_][A-Za-z0-9]+)*$"
        );
    }
}
