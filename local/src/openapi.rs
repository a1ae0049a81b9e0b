//! The whole system's API in one OpenAPI 3.1 document (`docs/openapi.json`): every function's
//! own document, its paths under the function's mount path, as the local stack serves them.

use serde_json::{json, Map, Value};

use crate::mount_path;

/// Each HTTP function's name and its document, in the order docs/api.md describes them.
pub fn function_documents() -> Vec<(&'static str, Value)> {
    vec![
        (create_referral::FUNCTION_NAME, create_referral::openapi()),
        (reward_referral::FUNCTION_NAME, reward_referral::openapi()),
        (collect_survey::FUNCTION_NAME, collect_survey::openapi()),
        (score_nps::FUNCTION_NAME, score_nps::openapi()),
        (customer_data::FUNCTION_NAME, customer_data::openapi()),
    ]
}

/// Two functions describe the same component name differently; the merged document would have
/// to pick one, so it refuses.
#[derive(Debug, thiserror::Error)]
#[error("{function} describes components.{section}.{name} differently from an earlier function")]
pub struct ComponentConflict {
    pub function: &'static str,
    pub section: String,
    pub name: String,
}

/// One document for the local stack: paths become `/lambda-url/<function>/…`, operation ids
/// are prefixed with the function's name (each function has its own `shopify`), and operations
/// are tagged by function.
pub fn merged_document() -> Result<Value, ComponentConflict> {
    let mut paths = Map::new();
    let mut components = Map::new();
    let mut tags = Vec::new();
    for (function, document) in function_documents() {
        tags.push(json!({
            "name": function,
            "description": document["info"]["description"],
        }));
        let prefix = mount_path(function);
        for (path, item) in document["paths"].as_object().into_iter().flatten() {
            let mut item = item.clone();
            for operation in item
                .as_object_mut()
                .into_iter()
                .flat_map(|i| i.values_mut())
            {
                if let Some(id) = operation["operationId"].as_str() {
                    operation["operationId"] = json!(format!("{function}.{id}"));
                }
                operation["tags"] = json!([function]);
            }
            paths.insert(format!("{prefix}{path}"), item);
        }
        for (section, entries) in document["components"].as_object().into_iter().flatten() {
            let Some(merged) = components
                .entry(section.clone())
                .or_insert_with(|| json!({}))
                .as_object_mut()
            else {
                continue;
            };
            for (name, value) in entries.as_object().into_iter().flatten() {
                match merged.get(name) {
                    Some(existing) if existing != value => {
                        return Err(ComponentConflict {
                            function,
                            section: section.clone(),
                            name: name.clone(),
                        })
                    }
                    Some(_) => {}
                    None => {
                        merged.insert(name.clone(), value.clone());
                    }
                }
            }
        }
    }
    Ok(json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Referral & feedback functions",
            "version": env!("CARGO_PKG_VERSION"),
            "license": {"name": "MIT", "identifier": "MIT"},
            "description": "Every function's routes in one document, under the local stack's \
                mount paths (`/lambda-url/<function>/…`). On AWS each function has its own URL \
                (the stack's outputs): replace `http://127.0.0.1:9000/lambda-url/<function>` \
                with it. Each function also serves its own document at `/openapi.json`. \
                docs/api.md (*HTTP API*) has the rules a schema cannot say: exactly-once \
                rewards, the order of the referral rules, the figures' definitions.",
        },
        "servers": [{"url": "http://127.0.0.1:9000", "description": "the local stack (`cargo run -p local`)"}],
        "tags": tags,
        "paths": paths,
        "components": components,
    }))
}
