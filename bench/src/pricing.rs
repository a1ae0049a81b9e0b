//! Public AWS list prices (us-east-1) and the cost of one operation under them.
//!
//! Sources, as published on the price pages: aws.amazon.com/lambda/pricing (Arm, first
//! 7.5 billion GB-s per month), aws.amazon.com/dynamodb/pricing/on-demand (after the
//! 2024-11-01 cut), aws.amazon.com/ses/pricing (outbound mail). Free tiers are left out: the
//! model prices the millionth-and-later operation, not a shop's first month.

/// The date the prices below were written down, printed next to every cost table.
pub const PRICES_DATED: &str =
    "2026-11-22 (us-east-1 list prices; DynamoDB on-demand as cut on 2024-11-01)";

pub const LAMBDA_REQUEST_PER_MILLION: f64 = 0.20;
pub const LAMBDA_ARM_PER_GB_SECOND: f64 = 0.000_013_333_4;
pub const DYNAMODB_WRITE_UNIT_PER_MILLION: f64 = 0.625;
pub const DYNAMODB_READ_UNIT_PER_MILLION: f64 = 0.125;
pub const SES_MAIL_PER_MILLION: f64 = 100.0;
/// The memory infra/template.yaml gives every function.
pub const LAMBDA_MEMORY_MB: f64 = 128.0;

/// What one million of an operation costs, in dollars, by component.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CostPerMillion {
    pub lambda_requests: f64,
    pub lambda_duration: f64,
    pub dynamodb: f64,
    pub ses: f64,
}

impl CostPerMillion {
    pub fn total(&self) -> f64 {
        self.lambda_requests + self.lambda_duration + self.dynamodb + self.ses
    }
}

/// Lambda bills duration rounded up to the next whole millisecond.
pub fn billed_millis(handler_ms: f64) -> f64 {
    handler_ms.ceil().max(1.0)
}

pub fn cost_per_million(
    handler_ms: f64,
    read_units: f64,
    write_units: f64,
    mails: f64,
) -> CostPerMillion {
    let gb_seconds = LAMBDA_MEMORY_MB / 1024.0 * billed_millis(handler_ms) / 1000.0;
    CostPerMillion {
        lambda_requests: LAMBDA_REQUEST_PER_MILLION,
        lambda_duration: gb_seconds * LAMBDA_ARM_PER_GB_SECOND * 1_000_000.0,
        dynamodb: read_units * DYNAMODB_READ_UNIT_PER_MILLION
            + write_units * DYNAMODB_WRITE_UNIT_PER_MILLION,
        ses: mails * SES_MAIL_PER_MILLION,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_millisecond_at_128_mb_costs_a_sixth_of_a_cent_per_million() {
        let cost = cost_per_million(0.4, 0.0, 0.0, 0.0);
        // 0.125 GB × 0.001 s × $0.0000133334 × 1e6
        assert!(
            (cost.lambda_duration - 0.001_666_675).abs() < 1e-9,
            "{cost:?}"
        );
        assert_eq!(cost.lambda_requests, 0.20);
    }

    #[test]
    fn duration_is_rounded_up_to_whole_milliseconds() {
        assert_eq!(billed_millis(3.01), 4.0);
        assert_eq!(billed_millis(3.0), 3.0);
        assert_eq!(billed_millis(0.0), 1.0);
    }

    #[test]
    fn units_and_mails_are_priced_per_million() {
        let cost = cost_per_million(1.0, 2.0, 4.0, 2.0);
        assert!((cost.dynamodb - (2.0 * 0.125 + 4.0 * 0.625)).abs() < 1e-12);
        assert_eq!(cost.ses, 200.0);
    }
}
