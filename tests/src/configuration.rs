//! The configuration tables of docs/configuration.md, generated from the settings structs so the
//! two cannot drift: every variable with the functions that read it, whether it is required, its
//! default and its doc comment.

use settings::Variable;

/// Which settings each deployed function reads (its Lambda settings include the function's own).
pub fn lambda_settings() -> Vec<(&'static str, Vec<Variable>)> {
    vec![
        (
            create_referral::FUNCTION_NAME,
            settings::variables::<create_referral::LambdaSettings>(),
        ),
        (
            reward_referral::FUNCTION_NAME,
            settings::variables::<reward_referral::LambdaSettings>(),
        ),
        (
            collect_survey::FUNCTION_NAME,
            settings::variables::<collect_survey::LambdaSettings>(),
        ),
        (
            score_nps::FUNCTION_NAME,
            settings::variables::<score_nps::LambdaSettings>(),
        ),
        (
            customer_data::FUNCTION_NAME,
            settings::variables::<customer_data::LambdaSettings>(),
        ),
        (
            deliver_outbox::FUNCTION_NAME,
            settings::variables::<deliver_outbox::LambdaSettings>(),
        ),
    ]
}

/// A doc comment's "Unset: …" sentence is the default of a variable whose default is derived.
fn meaning_and_default(variable: &Variable) -> (String, String) {
    let (meaning, unset) = match variable.doc.split_once(" Unset: ") {
        Some((meaning, unset)) => (meaning.to_owned(), Some(unset.trim_end_matches('.'))),
        None => (variable.doc.clone(), None),
    };
    let default = match (&variable.default, unset) {
        (Some(value), _) => format!("`{value}`"),
        (None, Some(text)) => text.to_owned(),
        (None, None) => "–".to_owned(),
    };
    (meaning.trim_end_matches('.').to_owned(), default)
}

/// The table under docs/configuration.md's "## On Lambda": one row per variable, in the order
/// the functions declare them; the Lambda runtime's variables last.
pub fn configuration_table(runtime: &[Variable]) -> String {
    let functions = lambda_settings();
    let mut rows: Vec<(Variable, Vec<&str>)> = Vec::new();
    for (function, variables) in &functions {
        for variable in variables {
            match rows
                .iter_mut()
                .find(|(known, _)| known.name == variable.name)
            {
                Some((known, readers)) => {
                    assert_eq!(
                        known, variable,
                        "{} is declared differently in two functions",
                        variable.name
                    );
                    readers.push(function);
                }
                None => rows.push((variable.clone(), vec![function])),
            }
        }
    }
    let everyone: Vec<&str> = functions.iter().map(|(name, _)| *name).collect();
    rows.extend(runtime.iter().map(|v| (v.clone(), everyone.clone())));

    let mut table = String::from(
        "| variable | read by | required | default | meaning |\n|---|---|---|---|---|\n",
    );
    for (variable, readers) in rows {
        let (meaning, default) = meaning_and_default(&variable);
        let read_by = if readers.len() == everyone.len() {
            "every function".to_owned()
        } else {
            readers.join(", ")
        };
        let required = if variable.required { "yes" } else { "no" };
        table.push_str(&format!(
            "| `{}` | {read_by} | {required} | {default} | {meaning} |\n",
            variable.name
        ));
    }
    table
}

/// The table of the local stack's variables and the defaults it fills in for the functions.
pub fn local_table(own: &[Variable], dev_defaults: &[(&str, &str)]) -> String {
    let mut table = String::from("| variable | local default | meaning |\n|---|---|---|\n");
    for variable in own.iter().filter(|v| !is_logging(v)) {
        let (meaning, default) = meaning_and_default(variable);
        table.push_str(&format!(
            "| `{}` | {default} | {meaning} |\n",
            variable.name
        ));
    }
    for (name, value) in dev_defaults {
        table.push_str(&format!(
            "| `{name}` | `{value}` | as on Lambda (see the table below) |\n"
        ));
    }
    table.push_str(
        "| `REFERRAL_BASE_URL` | this stack's create-referral | as on Lambda (see the table below) |\n",
    );
    table.push_str(&format!(
        "| `FINGERPRINT_KEY` | generated on the first start into `<DATA_DIR>/{}` | as on Lambda (see the table below) |\n",
        local::FINGERPRINT_KEY_FILE
    ));
    table
}

/// Logging is the same everywhere and listed once, in the configuration table.
fn is_logging(variable: &Variable) -> bool {
    ["RUST_LOG", "AWS_LAMBDA_LOG_LEVEL", "AWS_LAMBDA_LOG_FORMAT"].contains(&variable.name.as_str())
}

/// Replaces what stands between `<!-- begin {name} -->` and `<!-- end {name} -->`.
pub fn splice(document: &str, name: &str, generated: &str) -> Option<String> {
    let begin =
        format!("<!-- begin {name} (generated by the tests from the settings structs) -->\n");
    let end = format!("<!-- end {name} -->");
    let start = document.find(&begin)? + begin.len();
    let stop = start + document[start..].find(&end)?;
    Some(format!(
        "{}{generated}{}",
        &document[..start],
        &document[stop..]
    ))
}
