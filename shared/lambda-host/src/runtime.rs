//! The environment Lambda itself sets or the operator tunes, as opposed to a function's settings.

use clap::Parser;
use settings::Logging;

/// Read leniently (every field optional, every value a string): a function must not fail to
/// start over how it logs or which roots it trusts.
#[derive(Debug, Clone, Default, Parser)]
#[command(no_binary_name = true)]
pub struct Runtime {
    #[command(flatten)]
    pub logging: Logging,
    /// Trust the CA certificates in this file instead of the bundled Amazon Trust Services roots
    /// (Lambda only).
    #[arg(long, env = "SSL_CERT_FILE")]
    pub ssl_cert_file: Option<String>,
    /// Trust the CA certificates in this folder instead of the bundled roots (Lambda only).
    #[arg(long, env = "SSL_CERT_DIR")]
    pub ssl_cert_dir: Option<String>,
}

impl Runtime {
    pub fn from_env() -> Self {
        // Nothing in it is required and every value is a string, so loading cannot fail.
        settings::load(settings::from_process_env).unwrap_or_default()
    }

    /// Whether the operator asked for other trust roots than the bundled ones.
    pub fn custom_roots(&self) -> bool {
        self.ssl_cert_file.is_some() || self.ssl_cert_dir.is_some()
    }
}
