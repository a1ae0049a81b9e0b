//! CloudWatch metrics in the embedded metric format: one JSON line on stdout per invocation,
//! which CloudWatch turns into metrics without an API call (or a permission). The template's
//! alarms watch them (docs/runbook.md).

use domain::services::DeliveryReport;
use serde_json::{json, Value};

/// The namespace the deliverer's metrics appear under.
pub const NAMESPACE: &str = "ReferralFeedback/Outbox";

/// The EMF document for one invocation of the function named `function` (its deployed name, so
/// two stacks in one account keep their figures apart).
///
/// - `Delivered`, `Retried`, `Failed`: what its attempts came to.
/// - `OldestPendingAgeSeconds`: when a sweep looked, the age of the oldest message still
///   pending, 0 when none is (so a missing figure means no sweep ran).
/// - `Stalled`: 1 when messages were pending and the invocation delivered none, 0 when it
///   delivered one or nothing was pending; absent for a stream batch that delivered nothing
///   (it saw no pending list). Its minimum over a day is 1 only if nothing was delivered all day
///   while messages waited.
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
    if report.swept {
        metrics.push(json!({"Name": "OldestPendingAgeSeconds", "Unit": "Seconds"}));
        document["OldestPendingAgeSeconds"] = json!(report.oldest_pending_age_seconds.unwrap_or(0));
    }
    let stalled = if report.delivered > 0 {
        Some(0)
    } else if report.swept {
        Some(u8::from(report.oldest_pending_age_seconds.is_some()))
    } else {
        None
    };
    if let Some(stalled) = stalled {
        metrics.push(json!({"Name": "Stalled", "Unit": "Count"}));
        document["Stalled"] = json!(stalled);
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

    fn line(report: DeliveryReport) -> Value {
        let line = emf_line("shop-deliver-outbox", &report, 1_700_000_000_000);
        let declared = line["_aws"]["CloudWatchMetrics"][0]["Metrics"]
            .as_array()
            .expect("metrics");
        for metric in declared {
            let name = metric["Name"].as_str().expect("name");
            assert!(line[name].is_number(), "{name} has no value");
        }
        assert_eq!(line["FunctionName"], "shop-deliver-outbox");
        line
    }

    #[test]
    fn a_sweep_reports_the_oldest_pending_age_and_whether_it_stalled() {
        let waiting = line(DeliveryReport {
            swept: true,
            oldest_pending_age_seconds: Some(42),
            ..DeliveryReport::default()
        });
        assert_eq!(
            (&waiting["OldestPendingAgeSeconds"], &waiting["Stalled"]),
            (&json!(42), &json!(1))
        );
        let delivering = line(DeliveryReport {
            delivered: 3,
            retried: 1,
            picked: 4,
            swept: true,
            oldest_pending_age_seconds: Some(42),
            ..DeliveryReport::default()
        });
        assert_eq!(delivering["Stalled"], 0);
        let idle = line(DeliveryReport {
            swept: true,
            ..DeliveryReport::default()
        });
        assert_eq!(
            (&idle["OldestPendingAgeSeconds"], &idle["Stalled"]),
            (&json!(0), &json!(0))
        );
    }

    #[test]
    fn a_stream_batch_reports_no_pending_age_and_stalls_only_by_delivering() {
        let tallies = line(DeliveryReport::default());
        assert!(tallies.get("OldestPendingAgeSeconds").is_none());
        assert!(tallies.get("Stalled").is_none());
        let sent = line(DeliveryReport {
            delivered: 1,
            ..DeliveryReport::default()
        });
        assert_eq!(sent["Stalled"], 0);
        assert_eq!(sent["Failed"], 0);
    }
}
