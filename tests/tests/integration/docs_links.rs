//! The README and the book under docs/ hold together: the README stays a first page, the book's
//! summary lists every page, and every relative link (file and `#section`) resolves.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::docs_references::{anchor, root};

/// What a newcomer reads first; the rest belongs in the book.
const README_MAX_LINES: usize = 300;

/// README.md and every page of the book.
fn pages() -> Vec<PathBuf> {
    let mut pages = vec![root().join("README.md")];
    let mut book: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .expect("docs/")
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|e| e == "md"))
        .collect();
    book.sort();
    pages.extend(book);
    pages
}

/// The text outside fenced code blocks: a link inside one is an example, not a link.
fn prose(markdown: &str) -> String {
    let mut fenced = false;
    let mut kept = String::new();
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if !fenced {
            kept.push_str(line);
            kept.push('\n');
        }
    }
    kept
}

/// The anchors of a page's headings, as GitHub makes them (a repeated heading gets `-1`, `-2`).
fn anchors(markdown: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    for line in prose(markdown).lines() {
        let Some(heading) = line.strip_prefix('#') else {
            continue;
        };
        let base = anchor(heading.trim_start_matches('#'));
        let mut candidate = base.clone();
        let mut n = 0;
        while !seen.insert(candidate.clone()) {
            n += 1;
            candidate = format!("{base}-{n}");
        }
    }
    seen
}

/// Every `](target)` of a page's prose, without a title.
fn link_targets(markdown: &str) -> Vec<String> {
    let text = prose(markdown);
    text.match_indices("](")
        .filter_map(|(at, _)| {
            let rest = &text[at + 2..];
            let end = rest.find(')')?;
            let target = rest[..end].split_whitespace().next()?.to_owned();
            Some(target)
        })
        .collect()
}

fn relative(target: &str) -> bool {
    !(target.contains("://") || target.starts_with("mailto:"))
}

#[test]
fn every_relative_link_of_the_readme_and_the_book_resolves() {
    let mut checked = 0;
    let mut broken = Vec::new();
    for page in pages() {
        let text = std::fs::read_to_string(&page).expect("a page");
        let folder = page.parent().expect("a folder");
        for target in link_targets(&text).into_iter().filter(|t| relative(t)) {
            checked += 1;
            let (path, section) = target.split_once('#').unwrap_or((&target, ""));
            let file = if path.is_empty() {
                page.clone()
            } else {
                folder.join(path)
            };
            if !file.exists() {
                broken.push(format!("{}: {target} (no such file)", name(&page)));
                continue;
            }
            if section.is_empty() {
                continue;
            }
            let linked = std::fs::read_to_string(&file).unwrap_or_default();
            if !anchors(&linked).contains(section) {
                broken.push(format!("{}: {target} (no such section)", name(&page)));
            }
        }
    }
    assert!(checked > 50, "the pages link each other ({checked} links)");
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn the_readme_is_a_first_page_and_the_summary_lists_the_whole_book() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let lines = readme.lines().count();
    assert!(
        lines <= README_MAX_LINES,
        "README.md has {lines} lines; at most {README_MAX_LINES}: move the detail into the book"
    );
    let summary = std::fs::read_to_string(root().join("docs/SUMMARY.md")).expect("SUMMARY.md");
    let listed: BTreeSet<String> = link_targets(&summary).into_iter().collect();
    for page in pages().iter().skip(1) {
        let file = name(page);
        if file == "docs/SUMMARY.md" {
            continue;
        }
        let in_book = file.trim_start_matches("docs/");
        assert!(
            listed.contains(in_book),
            "docs/SUMMARY.md does not list {file}"
        );
    }
}

#[test]
fn a_broken_link_or_section_is_found() {
    let page = "# Title\n\n## Two words\n\nSee [here](#two-words) and [there](#nowhere).\n```\n[code](#not-a-link)\n```\n";
    assert_eq!(link_targets(page), ["#two-words", "#nowhere"]);
    let found = anchors(page);
    assert!(found.contains("two-words") && !found.contains("nowhere"));
    assert_eq!(
        anchor(" Shop platforms: Shopify and WooCommerce"),
        "shop-platforms-shopify-and-woocommerce"
    );
}

fn name(page: &Path) -> String {
    page.strip_prefix(root())
        .unwrap_or(page)
        .display()
        .to_string()
}
