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
