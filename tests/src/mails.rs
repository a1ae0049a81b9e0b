//! The mails the local mailer wrote: `.eml` files in a folder, oldest first.

use std::path::{Path, PathBuf};

/// Every `.eml` file in `folder`, in name order (the names start with the time of sending);
/// none when the folder does not exist yet.
pub fn in_folder(folder: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|entry| entry.expect("folder entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "eml"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|file| std::fs::read_to_string(file).expect("readable mail"))
        .collect()
}
