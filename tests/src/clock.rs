//! The one test clock: starts at a chosen instant and moves only when a test moves it.

use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};
use domain::ports::Clock;

#[derive(Debug)]
pub struct SettableClock(Mutex<DateTime<Utc>>);

impl SettableClock {
    pub fn at(instant: DateTime<Utc>) -> Self {
        Self(Mutex::new(instant))
    }

    pub fn set(&self, instant: DateTime<Utc>) {
        *self.0.lock().expect("clock lock") = instant;
    }

    pub fn advance(&self, by: Duration) {
        *self.0.lock().expect("clock lock") += by;
    }
}

impl Clock for SettableClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().expect("clock lock")
    }
}
