//! `SHOP_TIME_ZONE`: the zone the dashboard shows times in, parsed once at start-up from the
//! IANA database embedded in the binary (only this zone's rules are read from it).

use std::fmt;

use chrono::{DateTime, Utc};

#[derive(Clone)]
pub struct ShopTimeZone {
    name: String,
    zone: jiff::tz::TimeZone,
}

impl ShopTimeZone {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let name = raw.trim();
        jiff::tz::TimeZone::get(name)
            .map(|zone| Self {
                name: name.to_owned(),
                zone,
            })
            .map_err(|_| "must be an IANA time zone such as Europe/Berlin".to_owned())
    }

    /// The zone's IANA name, as configured.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `at` on the shop's clock, in strftime's `pattern` (`%Z`: the zone's abbreviation).
    pub fn format(&self, at: DateTime<Utc>, pattern: &str) -> String {
        match jiff::Timestamp::from_millisecond(at.timestamp_millis()) {
            Ok(instant) => instant
                .to_zoned_datetime(self.zone.clone())
                .strftime(pattern)
                .to_string(),
            // Outside jiff's range (years beyond ±9999): no stored time is; say it in UTC.
            Err(_) => at.format("%Y-%m-%d %H:%M UTC").to_string(),
        }
    }
}

impl fmt::Debug for ShopTimeZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn times_follow_the_zone_and_its_daylight_saving() {
        let berlin = ShopTimeZone::parse("Europe/Berlin").expect("a zone");
        let winter = Utc
            .with_ymd_and_hms(2026, 12, 4, 20, 15, 0)
            .single()
            .expect("time");
        let summer = Utc
            .with_ymd_and_hms(2026, 7, 4, 20, 15, 0)
            .single()
            .expect("time");
        assert_eq!(
            berlin.format(winter, "%d.%m.%Y %H:%M %Z"),
            "04.12.2026 21:15 CET"
        );
        assert_eq!(
            berlin.format(summer, "%d.%m.%Y %H:%M %Z"),
            "04.07.2026 22:15 CEST"
        );
        let new_york = ShopTimeZone::parse(" America/New_York ").expect("a zone");
        assert_eq!(
            new_york.format(winter, "%-d %b %Y, %H:%M %Z"),
            "4 Dec 2026, 15:15 EST"
        );
        assert_eq!(new_york.name(), "America/New_York");
    }

    #[test]
    fn unknown_zones_are_refused() {
        for raw in ["Europe/Atlantis", "", "CEST+1", "../etc/passwd"] {
            assert!(ShopTimeZone::parse(raw).is_err(), "{raw}");
        }
    }
}
