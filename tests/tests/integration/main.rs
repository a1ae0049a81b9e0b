//! Every integration test in one binary, so the workspace is linked once instead of eleven
//! times: HTTP tests against the real local stack, the store contract suites on both stores
//! (the emulator's DynamoDB and SQLite), DynamoDB round trips, the browser test, the
//! configuration tables of docs/configuration.md, and the design record's references. Helpers
//! are in the `http_tests` library (tests/src).

mod api_key_roles;
mod browser;
mod claim_browser;
mod collect_survey_http;
mod conflict_rule;
mod console_browser;
mod create_referral_http;
mod customer_data_http;
mod delivery_pace;
mod docs_links;
mod docs_references;
mod dynamodb_requests;
mod edge_answers;
mod feedback_contract;
mod feedback_http;
mod friend_offer;
mod hot_items;
mod listings;
mod local_stack;
mod openapi_document;
mod order_contract;
mod outbox_contract;
mod personal_data_contract;
mod platform_discounts;
mod platform_orders;
mod platform_webhooks;
mod readme_configuration;
mod referrer_browser;
mod referrer_page;
mod retention_flows;
mod review_queue;
mod reward_referral_http;
mod score_contract;
mod score_nps_http;
mod share_clicks;
mod store_contract;
mod survey_browser;
mod survey_contract;
mod tally_contract;
