//! The page's weight is a promise: its wasm must never compile burn, cubecl or wgpu (that is
//! the inference worker's job). `cargo xtask test` checks it from cargo's own dependency graph.

use crate::setup::{Result, root, say};
use std::process::Command;

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

/// The page must never compile burn (or its GPU stack): that is what keeps it light. Fails
/// naming the crates when a dependency change pulls them in.
pub fn page_has_no_burn() -> Result {
    let out = cargo()
        .args([
            "tree",
            "-p",
            "page",
            "--target",
            "wasm32-unknown-unknown",
            "-e",
            "normal",
            "--prefix",
            "none",
        ])
        .current_dir(root())
        .output()
        .map_err(|e| format!("cannot run cargo tree: {e}"))?;
    if !out.status.success() {
        return Err(format!("cargo tree -p page failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    let heavy = heavy_crates(&String::from_utf8_lossy(&out.stdout));
    if heavy.is_empty() {
        say("the page's wasm dependency graph has no burn, cubecl or wgpu");
        Ok(())
    } else {
        Err(format!("the page's wasm dependency graph must not contain {}", heavy.join(", ")))
    }
}

/// Crate names in `cargo tree --prefix none` output that belong to burn's engine.
fn heavy_crates(tree: &str) -> Vec<String> {
    let mut found: Vec<String> = tree
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| {
            ["burn", "cubecl", "wgpu"].iter().any(|h| name == h || name.starts_with(&format!("{h}-")))
        })
        .map(str::to_string)
        .collect();
    found.sort();
    found.dedup();
    found
}

#[cfg(test)]
mod tests {
    use super::heavy_crates;

    #[test]
    fn burn_and_its_gpu_stack_are_found_by_name_and_nothing_else() {
        let tree = "page v0.1.0 (/w/crates/page)\nyew v0.23.0\nburn-core v0.22.1\nwgpu v26.0.1\nburnished v1.0.0\ncubecl-runtime v0.9.0\nburn-core v0.22.1 (*)\n";
        assert_eq!(heavy_crates(tree), ["burn-core", "cubecl-runtime", "wgpu"]);
        assert!(heavy_crates("page v0.1.0\nyew v0.23.0\nserde v1.0.0\n").is_empty());
    }
}
