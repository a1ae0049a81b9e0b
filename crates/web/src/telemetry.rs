//! Structured JSON logs on stdout, one object per line, as CloudWatch and `jq` expect.

use tracing_subscriber::EnvFilter;

/// Installs the JSON subscriber; `RUST_LOG` overrides the default `info` level.
/// Calling it twice (tests) is harmless.
pub fn init() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,aws_config=warn,aws_smithy_runtime=warn"));
    let _already_installed = tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_current_span(false)
        .with_span_list(false)
        .with_target(false)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init();
}
