//! The common crate: domain rules and newtypes, ports, adapters, HTTP glue and configuration.

pub mod adapters;
#[cfg(feature = "aws")]
pub mod aws_sdk;
pub mod config;
pub mod domain;
pub mod html;
pub mod http;
pub mod ports;
pub mod services;
pub mod telemetry;
