//! `docs/openapi.json` is what the handlers' annotations generate, and every function serves its
//! own part of it. Run with `UPDATE_OPENAPI=1` to rewrite the file after changing a route.

use std::path::PathBuf;

#[test]
fn docs_openapi_json_is_what_the_code_generates() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/openapi.json");
    let generated = local::openapi::merged_document().expect("the functions' components agree");
    let expected = serde_json::to_string_pretty(&generated).expect("JSON") + "\n";
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(&path, &expected).expect("docs/openapi.json written");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == expected,
        "docs/openapi.json differs from what the handlers' annotations generate; \
         run `UPDATE_OPENAPI=1 cargo test -p http-tests --test integration openapi`"
    );
}

/// Every security requirement names a declared scheme, every `$ref` resolves, and every
/// operation id is unique: what a client generator trips over first.
#[test]
fn the_document_is_internally_consistent() {
    let document = local::openapi::merged_document().expect("the functions' components agree");
    let schemes = document["components"]["securitySchemes"]
        .as_object()
        .expect("security schemes");
    let mut operation_ids = std::collections::HashSet::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            for requirement in operation["security"].as_array().into_iter().flatten() {
                for name in requirement.as_object().expect("requirement").keys() {
                    assert!(schemes.contains_key(name), "{method} {path}: scheme {name}");
                }
            }
            let id = operation["operationId"].as_str().expect("an operation id");
            assert!(operation_ids.insert(id.to_owned()), "{id} twice");
        }
    }
    let text = document.to_string();
    for reference in text.split("\"$ref\":\"").skip(1) {
        let pointer = reference
            .split('"')
            .next()
            .and_then(|r| r.strip_prefix('#'))
            .expect("a local reference");
        assert!(
            document.pointer(pointer).is_some(),
            "{pointer} does not resolve"
        );
    }
}

/// What each running function serves at `/openapi.json` is its `openapi()`, and the local stack's
/// `/openapi.json` is the committed file.
#[tokio::test]
async fn each_function_serves_its_document_and_the_stack_the_whole() {
    let stack = http_tests::stack::TestStack::start().await;
    for (function, expected) in local::openapi::function_documents() {
        let response = stack
            .client
            .get(stack.url(function, "/openapi.json"))
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), 200, "{function}");
        assert_eq!(
            response.headers().get("content-type").map(|v| v.as_bytes()),
            Some(&b"application/json"[..])
        );
        assert!(response.headers().contains_key("x-request-id"));
        let served: serde_json::Value = response.json().await.expect("JSON");
        assert_eq!(served, expected, "{function}");
    }
    let whole: serde_json::Value = stack
        .client
        .get(stack.root_url("/openapi.json"))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("JSON");
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/openapi.json");
    let committed: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("docs/openapi.json"))
            .expect("JSON");
    assert_eq!(whole, committed);
}
