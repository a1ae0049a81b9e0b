//! The design record's references resolve: every `docs/architecture.md#<section>` in the code
//! names a heading of it, and every repository path it names exists.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

pub(crate) fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// GitHub's anchor of a heading: lower case, spaces to hyphens, punctuation dropped.
pub(crate) fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

fn sources(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable folder").flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || name == "target" {
            continue;
        }
        if path.is_dir() {
            sources(&path, found);
        } else if ["rs", "py", "sh", "yaml", "toml", "md"]
            .iter()
            .any(|ext| name.ends_with(&format!(".{ext}")))
        {
            found.push(path);
        }
    }
}

#[test]
fn every_reference_to_the_design_record_resolves() {
    let record =
        std::fs::read_to_string(root().join("docs/architecture.md")).expect("docs/architecture.md");
    let anchors: BTreeSet<String> = record
        .lines()
        .filter_map(|line| line.strip_prefix('#'))
        .map(|heading| anchor(heading.trim_start_matches('#')))
        .collect();
    let mut files = Vec::new();
    sources(&root(), &mut files);
    let mut references = 0;
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        for (_, rest) in text
            .match_indices("docs/architecture.md#")
            .map(|(i, _)| ((), &text[i + 21..]))
        {
            let section: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '-' || *c == '_')
                .collect();
            if section.is_empty() {
                continue; // a pattern like `#<section>`, not a reference
            }
            references += 1;
            assert!(
                anchors.contains(&section),
                "{} points to docs/architecture.md#{section}, which has no such section",
                file.display()
            );
        }
    }
    assert!(references > 0, "the code points to the design record");
}

#[test]
fn every_path_the_design_record_names_exists() {
    let record =
        std::fs::read_to_string(root().join("docs/architecture.md")).expect("docs/architecture.md");
    let top_level = [
        "shared/",
        "functions/",
        "tests/",
        "local/",
        "infra/",
        "scripts/",
        "docs/",
        "bench/",
    ];
    let mut checked = 0;
    for quoted in record.split('`').skip(1).step_by(2) {
        let path = quoted.split([' ', ':', '(']).next().unwrap_or_default();
        if top_level.iter().any(|prefix| path.starts_with(prefix))
            && !path.contains('<')
            && !path.contains('*')
        {
            checked += 1;
            assert!(
                root().join(path).exists(),
                "docs/architecture.md names {path}, which does not exist"
            );
        }
    }
    assert!(checked > 0, "the design record names files");
}
