//! CloudWatch metrics in the embedded metric format: one JSON line on stdout per invocation,
//! which CloudWatch turns into metrics without an API call (or a permission).

use domain::services::DeliveryReport;
use serde_json::{json, Value};

/// The namespace the deliverer's metrics appear under.
pub const NAMESPACE: &str = "ReferralFeedback/Outbox";

/// The EMF document for one invocation; the age of the oldest pending message only when a
/// sweep looked at the pending messages.
pub fn emf_line(function: &str, report: &DeliveryReport, timestamp_ms: i64) -> Value {
    let mut metrics = vec![
        json!({"Name": "Delivered", "Unit": "Count"}),
        json!({"Name": "Retried", "Unit": "Count"}),
        json!({"Name": "Failed", "Unit": "Count"}),
    ];
    let mut document = json!({
        "_aws": {
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [],
        },
        "FunctionName": function,
        "Delivered": report.delivered,
        "Retried": report.retried,
        "Failed": report.failed,
    });
    if let Some(age) = report.oldest_pending_age_seconds {
        metrics.push(json!({"Name": "OldestPendingAgeSeconds", "Unit": "Seconds"}));
        document["OldestPendingAgeSeconds"] = json!(age);
    }
    document["_aws"]["CloudWatchMetrics"] = json!([{
        "Namespace": NAMESPACE,
        "Dimensions": [["FunctionName"]],
        "Metrics": metrics,
    }]);
    document
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_declared_metric_has_its_value() {
        let report = DeliveryReport {
            delivered: 3,
            retried: 1,
            failed: 0,
            picked: 4,
            oldest_pending_age_seconds: Some(42),
        };
        let line = emf_line("deliver-outbox", &report, 1_700_000_000_000);
        let declared = line["_aws"]["CloudWatchMetrics"][0]["Metrics"]
            .as_array()
            .expect("metrics");
        assert_eq!(declared.len(), 4);
        for metric in declared {
            let name = metric["Name"].as_str().expect("name");
            assert!(line[name].is_number(), "{name} has no value");
        }
        assert_eq!(line["OldestPendingAgeSeconds"], 42);
    }
}
