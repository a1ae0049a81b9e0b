//! Amounts of money in a currency's minor units, bounded so no sum we keep can overflow.

use std::fmt;

use super::Currency;

/// A non-negative amount in minor units (cents for EUR, yen for JPY, fils for KWD), at most
/// [`MinorUnits::MAX`]: ten billion euros in one order is not a shop's order, and the ceiling
/// keeps even millions of orders summed per customer far inside `u64`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct MinorUnits(u64);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("must be at most {max} minor units", max = MinorUnits::MAX)]
    TooLarge,
    #[error("must be a decimal amount such as \"19.99\", without sign, exponent or separators")]
    NotDecimal,
    #[error("has more decimal places than {currency} has ({exponent})")]
    TooPrecise { currency: String, exponent: u16 },
    #[error("{0} is not an ISO 4217 currency")]
    UnknownCurrency(String),
}

impl MinorUnits {
    /// 10^13 minor units: 100 billion in a two-decimal currency.
    pub const MAX: u64 = 10_000_000_000_000;
    pub const ZERO: Self = Self(0);

    pub fn new(value: u64) -> Result<Self, MoneyError> {
        if value > Self::MAX {
            Err(MoneyError::TooLarge)
        } else {
            Ok(Self(value))
        }
    }

    /// A platform's decimal string ("1999.5" EUR, "1200" JPY, "12.345" KWD) in `currency`'s
    /// minor units by its ISO 4217 exponent; exact, never through floating point. Surplus
    /// trailing zeros are fine ("10.000" EUR); a non-zero digit the currency cannot hold is not.
    pub fn parse_decimal(raw: &str, currency: &Currency) -> Result<Self, MoneyError> {
        let exponent = exponent(currency)?;
        let raw = raw.trim();
        let (whole, fraction) = raw.split_once('.').unwrap_or((raw, ""));
        let digits_only = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !digits_only(whole) || !digits_only(fraction) {
            return Err(MoneyError::NotDecimal);
        }
        let kept = fraction.len().min(usize::from(exponent));
        if fraction[kept..].bytes().any(|b| b != b'0') {
            return Err(MoneyError::TooPrecise {
                currency: currency.to_string(),
                exponent,
            });
        }
        let mut value: u64 = 0;
        let padded = fraction[..kept]
            .bytes()
            .chain(std::iter::repeat_n(b'0', usize::from(exponent) - kept));
        for digit in whole.bytes().chain(padded) {
            value = value
                .checked_mul(10)
                .and_then(|v| v.checked_add(u64::from(digit - b'0')))
                .ok_or(MoneyError::TooLarge)?;
        }
        Self::new(value)
    }

    pub fn get(self) -> u64 {
        self.0
    }

    /// The amount as a platform's decimal string in `currency` ("10.00" EUR, "1200" JPY,
    /// "12.345" KWD): the inverse of [`MinorUnits::parse_decimal`].
    pub fn to_decimal(self, currency: &Currency) -> Result<String, MoneyError> {
        let exponent = usize::from(exponent(currency)?);
        let digits = format!("{:0>width$}", self.0, width = exponent + 1);
        let (whole, fraction) = digits.split_at(digits.len() - exponent);
        Ok(if fraction.is_empty() {
            whole.to_owned()
        } else {
            format!("{whole}.{fraction}")
        })
    }

    /// What is left after taking `other` away, never below zero (refunds may exceed the total
    /// when shipping or tax was refunded on top).
    pub fn saturating_sub(self, other: u64) -> Self {
        Self(self.0.saturating_sub(other))
    }
}

/// The currency's ISO 4217 exponent: how many decimal places its minor unit has.
fn exponent(currency: &Currency) -> Result<u16, MoneyError> {
    iso_currency::Currency::from_code(currency.as_ref())
        .and_then(|c| c.exponent())
        .ok_or_else(|| MoneyError::UnknownCurrency(currency.to_string()))
}

impl fmt::Display for MinorUnits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(raw: &str, currency: &str) -> Result<u64, MoneyError> {
        MinorUnits::parse_decimal(raw, &Currency::parse(currency).expect("currency")).map(|m| m.0)
    }

    #[test]
    fn uses_the_currency_exponent() {
        assert_eq!(parse("199.00", "EUR"), Ok(19900));
        assert_eq!(parse("19.9", "EUR"), Ok(1990));
        assert_eq!(parse("7", "EUR"), Ok(700));
        assert_eq!(parse("1200", "JPY"), Ok(1200));
        assert_eq!(parse("1200.00", "JPY"), Ok(1200));
        assert_eq!(parse("12.345", "KWD"), Ok(12345));
        assert_eq!(parse("0.005", "KWD"), Ok(5));
    }

    #[test]
    fn decimals_are_written_with_the_currency_exponent_and_read_back() {
        let decimal = |value: u64, currency: &str| {
            MinorUnits(value)
                .to_decimal(&Currency::parse(currency).expect("currency"))
                .expect("known currency")
        };
        assert_eq!(decimal(1000, "EUR"), "10.00");
        assert_eq!(decimal(5, "EUR"), "0.05");
        assert_eq!(decimal(0, "EUR"), "0.00");
        assert_eq!(decimal(1200, "JPY"), "1200");
        assert_eq!(decimal(12345, "KWD"), "12.345");
        for (value, currency) in [
            (1999, "EUR"),
            (7, "JPY"),
            (1, "KWD"),
            (MinorUnits::MAX, "EUR"),
        ] {
            assert_eq!(parse(&decimal(value, currency), currency), Ok(value));
        }
    }

    #[test]
    fn refuses_what_is_not_an_exact_amount() {
        for bad in [
            "", "-1.00", "+1", "1e3", "1,00", "1.2.3", ".5", "NaN", "1 000",
        ] {
            assert_eq!(parse(bad, "EUR"), Err(MoneyError::NotDecimal), "{bad:?}");
        }
        assert!(matches!(
            parse("19.999", "EUR"),
            Err(MoneyError::TooPrecise { exponent: 2, .. })
        ));
        assert!(matches!(
            parse("1200.5", "JPY"),
            Err(MoneyError::TooPrecise { exponent: 0, .. })
        ));
        assert_eq!(
            parse("1.00", "XYZ"),
            Err(MoneyError::UnknownCurrency("XYZ".into()))
        );
    }

    #[test]
    fn bounds_the_amount() {
        assert_eq!(parse("100000000000.00", "EUR"), Ok(MinorUnits::MAX));
        assert_eq!(parse("100000000000.01", "EUR"), Err(MoneyError::TooLarge));
        assert_eq!(
            parse("184467440737095516.15", "EUR"),
            Err(MoneyError::TooLarge)
        );
        assert_eq!(parse(&"9".repeat(40), "JPY"), Err(MoneyError::TooLarge));
        assert_eq!(MinorUnits::new(u64::MAX), Err(MoneyError::TooLarge));
        assert_eq!(
            MinorUnits::new(MinorUnits::MAX).map(MinorUnits::get),
            Ok(MinorUnits::MAX)
        );
    }
}
