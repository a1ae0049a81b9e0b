//! How a host logs: Lambda's logging controls, else RUST_LOG. Read leniently, because a function
//! must not fail to start over how it logs.

use clap::Args;
use web::telemetry::{LogFormat, DEFAULT_FILTER};

#[derive(Debug, Clone, Default, Args)]
pub struct Logging {
    /// Log level from the function's logging configuration (`TRACE` … `FATAL`), set by Lambda;
    /// wins over RUST_LOG.
    #[arg(long, env = "AWS_LAMBDA_LOG_LEVEL")]
    pub log_level: Option<String>,
    /// `JSON` or `Text`, from the function's logging configuration, set by Lambda. Unset: JSON.
    #[arg(long, env = "AWS_LAMBDA_LOG_FORMAT")]
    pub log_format: Option<String>,
    /// Log filter in `tracing_subscriber` syntax, when AWS_LAMBDA_LOG_LEVEL is unset. Unset:
    /// `info`.
    #[arg(long, env = "RUST_LOG")]
    pub rust_log: Option<String>,
}

impl Logging {
    pub fn format(&self) -> LogFormat {
        match self.log_format.as_deref() {
            Some(format) if format.eq_ignore_ascii_case("text") => LogFormat::Text,
            _ => LogFormat::Json,
        }
    }

    /// AWS_LAMBDA_LOG_LEVEL (FATAL has no tracing level; it means errors), else RUST_LOG, else
    /// the default.
    pub fn filter(&self) -> String {
        match self
            .log_level
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("fatal") => "error".to_owned(),
            Some(level @ ("trace" | "debug" | "info" | "warn" | "error")) => level.to_owned(),
            _ => self
                .rust_log
                .clone()
                .unwrap_or_else(|| DEFAULT_FILTER.to_owned()),
        }
    }

    /// Installs the subscriber these settings describe.
    pub fn init(&self) {
        web::telemetry::init(self.format(), &self.filter());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn logging(level: Option<&str>, format: Option<&str>, rust_log: Option<&str>) -> Logging {
        Logging {
            log_level: level.map(Into::into),
            log_format: format.map(Into::into),
            rust_log: rust_log.map(Into::into),
        }
    }

    #[test]
    fn lambdas_log_level_wins_over_rust_log() {
        assert_eq!(logging(Some("DEBUG"), None, Some("warn")).filter(), "debug");
        assert_eq!(logging(Some("FATAL"), None, None).filter(), "error");
        assert_eq!(
            logging(None, None, Some("warn,web=debug")).filter(),
            "warn,web=debug"
        );
        assert_eq!(logging(Some("LOUD"), None, None).filter(), DEFAULT_FILTER);
    }

    #[test]
    fn text_only_when_asked_for() {
        assert_eq!(logging(None, Some("Text"), None).format(), LogFormat::Text);
        assert_eq!(logging(None, Some("JSON"), None).format(), LogFormat::Json);
        assert_eq!(logging(None, None, None).format(), LogFormat::Json);
    }
}
