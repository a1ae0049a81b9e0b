//! The AWS SDK configuration each function builds once per cold start.
//!
//! The functions only talk to AWS service endpoints (DynamoDB, SES), whose certificates chain
//! to Amazon Trust Services. Trusting those five roots instead of the system store means
//! nothing else can vouch for an AWS endpoint, and start-up no longer parses the whole system
//! bundle (≈140 certificates on Lambda's image): that parse was most of the functions' init
//! time (BENCHMARKS.md). Setting `SSL_CERT_FILE` or `SSL_CERT_DIR` switches back to those
//! system-style roots, for endpoints behind another CA (a TLS-inspecting proxy, say).

use aws_config::environment::EnvironmentVariableCredentialsProvider;
use aws_config::{BehaviorVersion, SdkConfig};
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode, TlsContext, TrustStore};

use crate::Runtime;

/// Amazon Root CA 1–4 and the Starfield Services G2 root that cross-signs them, as shipped in
/// Mozilla's store (Debian ca-certificates).
const AMAZON_TRUST_SERVICES_ROOTS: &[u8] = include_bytes!("../certs/amazon-trust-services.pem");

/// Which roots the SDK's HTTPS client trusts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Roots {
    AmazonTrustServices,
    /// The files named by `SSL_CERT_FILE` / `SSL_CERT_DIR` (rustls-native-certs reads them).
    FromEnvironment,
}

impl Roots {
    pub fn for_runtime(runtime: &Runtime) -> Self {
        if runtime.custom_roots() {
            Self::FromEnvironment
        } else {
            Self::AmazonTrustServices
        }
    }

    fn trust_store(self) -> TrustStore {
        match self {
            Self::AmazonTrustServices => {
                TrustStore::empty().with_pem_certificate(AMAZON_TRUST_SERVICES_ROOTS)
            }
            Self::FromEnvironment => TrustStore::empty().with_native_roots(true),
        }
    }
}

/// Region and endpoint come from the standard chain. Credentials come from the environment
/// only: Lambda always puts the execution role's credentials there, and the default chain
/// would also build its fallbacks at every cold start, for nothing (web identity through an
/// STS client on the SDK's own HTTPS client, which loads the whole system store; IMDS).
pub async fn sdk_config(
    roots: Roots,
) -> Result<SdkConfig, aws_smithy_http_client::HttpClientError> {
    let tls_context = TlsContext::builder()
        .with_trust_store(roots.trust_store())
        .build()?;
    let http_client = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc))
        .tls_context(tls_context)
        .build_https();
    Ok(aws_config::defaults(BehaviorVersion::latest())
        .http_client(http_client)
        .credentials_provider(EnvironmentVariableCredentialsProvider::new())
        .load()
        .await)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_roots_are_the_five_amazon_trust_services_roots() {
        let text = std::str::from_utf8(AMAZON_TRUST_SERVICES_ROOTS).expect("PEM is text");
        assert_eq!(text.matches("-----BEGIN CERTIFICATE-----").count(), 5);
    }

    #[test]
    fn system_roots_are_used_only_when_asked_for() {
        assert_eq!(
            Roots::for_runtime(&Runtime::default()),
            Roots::AmazonTrustServices
        );
        let file = Runtime {
            ssl_cert_file: Some("/etc/ssl/cert.pem".into()),
            ..Runtime::default()
        };
        assert_eq!(Roots::for_runtime(&file), Roots::FromEnvironment);
    }

    /// The roots are parsed when the first HTTPS connection is set up; a bad bundle would panic
    /// there. A listener that hangs up stands in for an endpoint: the request must fail as a
    /// dispatch failure (no TLS server), not a panic.
    #[tokio::test]
    async fn an_https_request_sets_up_tls_with_the_bundled_roots() {
        use aws_sdk_dynamodb::config::{Credentials, Region};
        use aws_sdk_dynamodb::error::SdkError;

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("port");
        let address = listener.local_addr().expect("address");
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                drop(socket);
            }
        });
        let shared = sdk_config(Roots::AmazonTrustServices)
            .await
            .expect("TLS context");
        let config = aws_sdk_dynamodb::config::Builder::from(&shared)
            .endpoint_url(format!("https://{address}"))
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new("id", "secret", None, None, "test"))
            .retry_config(aws_config::retry::RetryConfig::disabled())
            .build();
        let error = aws_sdk_dynamodb::Client::from_conf(config)
            .list_tables()
            .send()
            .await
            .expect_err("nothing speaks TLS there");
        assert!(matches!(error, SdkError::DispatchFailure(_)), "{error:?}");
    }
}
