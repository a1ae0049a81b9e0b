//! Logs on stdout, one line per event: JSON objects (as CloudWatch and `jq` expect) unless the
//! host asks for text. Each line written while a request is handled carries its request id.

use tracing_subscriber::EnvFilter;

/// When nobody chose a filter: our `info`, without the SDK's chatter.
pub const DEFAULT_FILTER: &str = "info,aws_config=warn,aws_smithy_runtime=warn";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Json,
    Text,
}

/// Installs the subscriber with a filter in `tracing_subscriber` syntax (`info`,
/// `debug,aws_config=warn`, …); an unusable filter falls back to [`DEFAULT_FILTER`], since a
/// function must not fail to start over its log level. Calling it twice (tests) is harmless.
pub fn init(format: LogFormat, filter: &str) {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let builder = tracing_subscriber::fmt()
        .with_target(false)
        .with_ansi(false)
        .with_env_filter(filter);
    let _already_installed = match format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
        LogFormat::Text => builder.try_init(),
    };
}
