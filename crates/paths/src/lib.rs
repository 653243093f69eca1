//! Where the project's files are, found when the program runs.
//!
//! Why not `env!("CARGO_MANIFEST_DIR")`: it is fixed when the binary is compiled. With one
//! `CARGO_TARGET_DIR` shared by two checkouts, cargo reused a binary built in the other checkout
//! (its fingerprints are relative paths and mtimes), and `cargo xtask bench` run in one wrote its
//! results into the other. Walking up from the current directory finds the checkout the
//! command was started in.

use std::path::{Path, PathBuf};

/// The workspace root: the nearest directory at or above the current one whose `Cargo.toml`
/// declares `[workspace]`; the current directory if there is none (a binary run elsewhere).
pub fn root() -> PathBuf {
    let here = std::env::current_dir().unwrap_or_default();
    workspace_above(&here).unwrap_or(here)
}

fn workspace_above(start: &Path) -> Option<PathBuf> {
    start.ancestors().find(|dir| is_workspace_root(dir)).map(Path::to_path_buf)
}

fn is_workspace_root(dir: &Path) -> bool {
    std::fs::read_to_string(dir.join("Cargo.toml"))
        .is_ok_and(|toml| toml.lines().any(|line| line.trim() == "[workspace]"))
}

/// cargo's build directory: `$CARGO_TARGET_DIR` when set (CI keeps it outside the clone), else
/// `target/` at the root.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root().join("target"))
}

/// Where set-up puts downloaded data: `$LATENT_LAB_DATA`, else `.data/` at the root.
pub fn data_dir() -> PathBuf {
    std::env::var_os("LATENT_LAB_DATA").map(PathBuf::from).unwrap_or_else(|| root().join(".data"))
}

/// The bundles the page serves: `web/models/`.
pub fn models_dir() -> PathBuf {
    root().join("web/models")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_workspace_from_a_member_and_from_deep_inside() {
        // Tests run in the package's own directory, one below the workspace.
        let root = root();
        assert!(root.join("crates/paths/Cargo.toml").is_file(), "{}", root.display());
        assert_eq!(workspace_above(&root.join("crates/paths/src")), Some(root.clone()));
        // A member's Cargo.toml has no [workspace] table, so it is never taken for the root.
        assert!(!is_workspace_root(&root.join("crates/paths")));
    }

    #[test]
    fn nothing_above_a_directory_outside_any_workspace() {
        let outside = std::env::temp_dir().join(format!("paths-test-{}", std::process::id()));
        std::fs::create_dir_all(&outside).unwrap();
        assert_eq!(workspace_above(&outside), None);
        std::fs::remove_dir_all(&outside).unwrap();
    }
}
