//! Keys with roles: every keyed route of the API document takes the key of its role and refuses
//! the others with 401, whatever the route. The document is the list of routes, so a route added
//! later is covered without touching this test.

use http_tests::stack::{TestStack, API_KEY, PRIVACY_KEY, STAFF_KEY};
use reqwest::{Method, StatusCode};
use serde_json::Value;

/// The key the running stack accepts for each scheme the document declares.
const ROLES: [(&str, &str); 3] = [
    ("storefront_key", API_KEY),
    ("staff_key", STAFF_KEY),
    ("privacy_key", PRIVACY_KEY),
];

/// Every operation that requires a role's key: (method, path with its parameters filled, role).
fn keyed_operations(document: &Value) -> Vec<(Method, String, &'static str)> {
    let mut operations = Vec::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            let schemes: Vec<&str> = operation["security"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_object)
                .flat_map(|requirement| requirement.keys().map(String::as_str))
                .collect();
            let Some((role, _)) = ROLES.iter().find(|(role, _)| schemes.contains(role)) else {
                continue;
            };
            let concrete = path
                .split('/')
                .map(|segment| {
                    if segment.starts_with('{') {
                        "x1"
                    } else {
                        segment
                    }
                })
                .collect::<Vec<_>>()
                .join("/");
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).expect("a method");
            operations.push((method, concrete, *role));
        }
    }
    operations
}

#[tokio::test]
async fn a_key_of_one_role_is_refused_on_every_other_roles_routes() {
    let stack = TestStack::start().await;
    let document = local::openapi::merged_document().expect("the document");
    let operations = keyed_operations(&document);
    let per_role = |wanted: &str| operations.iter().filter(|(_, _, r)| *r == wanted).count();
    assert!(
        per_role("storefront_key") >= 7
            && per_role("staff_key") >= 8
            && per_role("privacy_key") >= 4,
        "the document names each route's role: {operations:?}"
    );
    for (method, path, role) in &operations {
        for (key_role, key) in ROLES {
            let response = stack
                .client
                .request(method.clone(), stack.root_url(path))
                .bearer_auth(key)
                .header("content-type", "application/json")
                .body("{}")
                .send()
                .await
                .expect("sent");
            let status = response.status();
            if key_role == *role {
                assert_ne!(
                    status,
                    StatusCode::UNAUTHORIZED,
                    "{method} {path} refused its own role's key"
                );
            } else {
                assert_eq!(
                    status,
                    StatusCode::UNAUTHORIZED,
                    "{method} {path} ({role}) took a {key_role}"
                );
                let body: Value = response.json().await.expect("the error envelope");
                assert_eq!(body["error"]["code"], "unauthorized", "{method} {path}");
            }
        }
    }
}

#[tokio::test]
async fn the_dashboard_takes_only_a_staff_key_as_its_password() {
    let stack = TestStack::start().await;
    for (key, expected) in [
        (STAFF_KEY, StatusCode::OK),
        (API_KEY, StatusCode::UNAUTHORIZED),
        (PRIVACY_KEY, StatusCode::UNAUTHORIZED),
    ] {
        let response = stack
            .client
            .get(stack.url("score-nps", "/dashboard"))
            .basic_auth("staff", Some(key))
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), expected, "{key}");
    }
}
