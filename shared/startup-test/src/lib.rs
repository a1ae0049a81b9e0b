//! The one start-up test harness every function package uses: its Lambda binary, run with a
//! complete configuration changed one way, must stop before it contacts AWS or the Lambda runtime
//! and say which variable is wrong, without printing a secret it refused.

use std::process::Command;

/// A variable set (`Some`) or removed (`None`) on top of the complete configuration.
pub type Override<'a> = (&'a str, Option<&'a str>);

/// A function's binary (`env!("CARGO_BIN_EXE_<name>")`) and a configuration it starts with.
pub struct Binary {
    path: &'static str,
    complete: &'static [(&'static str, &'static str)],
}

impl Binary {
    pub const fn new(
        path: &'static str,
        complete: &'static [(&'static str, &'static str)],
    ) -> Self {
        Self { path, complete }
    }

    /// Runs the binary with `overrides` on a clean environment; asserts it did not start and
    /// returns what it printed (stdout and stderr).
    pub fn refuses(&self, overrides: &[Override<'_>]) -> String {
        let mut command = Command::new(self.path);
        command.env_clear().envs(self.complete.iter().copied());
        for (name, value) in overrides {
            match value {
                Some(value) => command.env(name, value),
                None => command.env_remove(name),
            };
        }
        let output = command.output().expect("the binary runs");
        assert!(
            !output.status.success(),
            "{} must not start with {overrides:?}",
            self.path
        );
        String::from_utf8_lossy(&output.stdout).to_string()
            + &String::from_utf8_lossy(&output.stderr)
    }

    /// Asserts the binary refuses `overrides` saying `expected`, and prints none of `secrets`.
    pub fn refuses_saying(&self, overrides: &[Override<'_>], expected: &str, secrets: &[&str]) {
        let printed = self.refuses(overrides);
        assert!(printed.contains(expected), "{overrides:?}: {printed}");
        for secret in secrets {
            assert!(
                !printed.contains(secret),
                "a refused secret must never be printed: {printed}"
            );
        }
    }

    /// Each variable of the complete configuration, removed, stops start-up with its name.
    pub fn needs_each_variable(&self) {
        for (name, _) in self.complete {
            self.refuses_saying(
                &[(name, None)],
                &format!("missing required environment variable {name}"),
                &[],
            );
        }
    }

    /// Each `(name, value)` stops start-up as invalid, naming the variable.
    pub fn refuses_each_value(&self, cases: &[(&str, &str)]) {
        for (name, value) in cases {
            self.refuses_saying(
                &[(name, Some(value))],
                &format!("environment variable {name} is invalid"),
                &[],
            );
        }
    }
}
