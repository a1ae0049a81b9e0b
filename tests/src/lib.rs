//! Helpers shared by the HTTP tests and the store contract tests.

pub mod configuration;
pub mod dynamo;
pub mod stack;
