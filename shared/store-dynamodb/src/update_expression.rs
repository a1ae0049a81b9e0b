//! An `UpdateItem` expression built from its parts: what the answer and the follow-up routes
//! write to a survey, every attribute behind a name placeholder.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;

use super::attributes::{number, timestamp};
use domain::ports::FollowUpChange;

/// An update's SET and REMOVE clauses and its conditions, every attribute behind a name
/// placeholder (several, like `comment`, are reserved words).
#[derive(Default)]
pub(super) struct Expression {
    sets: Vec<String>,
    removes: Vec<String>,
    conditions: Vec<String>,
    names: HashMap<String, String>,
    values: HashMap<String, AttributeValue>,
}

impl Expression {
    pub(super) fn name(&mut self, attribute: &str) -> String {
        let placeholder = format!("#a{}", self.names.len());
        self.names.insert(placeholder.clone(), attribute.to_owned());
        placeholder
    }

    pub(super) fn value(&mut self, value: AttributeValue) -> String {
        let placeholder = format!(":v{}", self.values.len());
        self.values.insert(placeholder.clone(), value);
        placeholder
    }

    pub(super) fn set(&mut self, attribute: &str, value: AttributeValue) {
        let (name, value) = (self.name(attribute), self.value(value));
        self.sets.push(format!("{name} = {value}"));
    }

    pub(super) fn remove(&mut self, attribute: &str) {
        let name = self.name(attribute);
        self.removes.push(name);
    }

    pub(super) fn condition_equal(&mut self, attribute: &str, value: AttributeValue) {
        let (name, value) = (self.name(attribute), self.value(value));
        self.conditions.push(format!("{name} = {value}"));
    }

    pub(super) fn condition_absent(&mut self, attribute: &str) {
        let name = self.name(attribute);
        self.conditions
            .push(format!("attribute_not_exists({name})"));
    }

    pub(super) fn condition_present(&mut self, attribute: &str) {
        let name = self.name(attribute);
        self.conditions.push(format!("attribute_exists({name})"));
    }

    /// Writes `change.next`, only if the stored follow-up is still `change.previous`.
    pub(super) fn follow_up(&mut self, change: &FollowUpChange) {
        let next = &change.next;
        self.set(
            "follow_up_status",
            AttributeValue::S(next.status.as_str().to_owned()),
        );
        match &next.note {
            Some(note) => self.set(
                "follow_up_note",
                AttributeValue::S(note.as_ref().to_owned()),
            ),
            None => self.remove("follow_up_note"),
        }
        self.set("follow_up_at", timestamp(next.updated_at));
        self.set(
            "follow_up_on",
            AttributeValue::S(next.opened_on.format("%Y-%m-%d").to_string()),
        );
        self.set("follow_up_version", number(next.version));
        match &change.previous {
            None => self.condition_absent("follow_up_version"),
            Some(previous) => self.condition_equal("follow_up_version", number(previous.version)),
        }
    }

    pub(super) fn apply(
        self,
        update: aws_sdk_dynamodb::types::builders::UpdateBuilder,
    ) -> aws_sdk_dynamodb::types::builders::UpdateBuilder {
        let mut expression = format!("SET {}", self.sets.join(", "));
        if !self.removes.is_empty() {
            expression.push_str(&format!(" REMOVE {}", self.removes.join(", ")));
        }
        update
            .update_expression(expression)
            .condition_expression(self.conditions.join(" AND "))
            .set_expression_attribute_names(Some(self.names))
            .set_expression_attribute_values(Some(self.values))
    }
}
