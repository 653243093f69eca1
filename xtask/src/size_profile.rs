//! Where the bytes of each wasm module go, for bench/SIZE-PROFILE.md: twiggy's largest items
//! and the same bytes summed by crate. The shipped modules have no symbol names (`strip` in
//! Cargo.toml), so each module's final link is redone with names kept: `cargo rustc` passes
//! `-C strip=none` to that one crate, and every dependency comes from the build just made.

use crate::setup::{self, Result, root, run, say};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::process::Command;

/// The modules a visitor can download: (package, binary, features).
const MODULES: [(&str, &str, Option<&str>); 3] =
    [("page", "page", None), ("worker", "worker", None), ("worker", "worker_gpu", Some("webgpu"))];

/// How many of each module's largest items the report lists.
const TOP: usize = 12;
/// How many crates the per-crate table lists before "everything else".
const CRATES: usize = 14;

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

/// One item of `twiggy top`: its name and its own size in bytes.
struct Item {
    name: String,
    bytes: u64,
}

fn items(twiggy: &std::path::Path, wasm: &std::path::Path) -> Result<Vec<Item>> {
    let out = Command::new(twiggy)
        .args(["top", "--format", "json", "-n", "10000000"])
        .arg(wasm)
        .output()
        .map_err(|e| format!("cannot run twiggy: {e}"))?;
    if !out.status.success() {
        return Err(format!("twiggy failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    let json: serde_json::Value =
        serde_json::from_slice(&out.stdout).map_err(|e| format!("twiggy printed no JSON: {e}"))?;
    let list = json.get("items").unwrap_or(&json).as_array().cloned().unwrap_or_default();
    Ok(list
        .iter()
        .filter_map(|i| {
            Some(Item { name: i.get("name")?.as_str()?.to_string(), bytes: i.get("shallow_size")?.as_u64()? })
        })
        .collect())
}

/// The crate a demangled item belongs to: the first path segment of its name, or of the type
/// in `<Type as Trait>::f`; wasm's own sections (data segments, tables, custom sections) are
/// named as what they are.
fn crate_of(name: &str) -> String {
    let n =
        name.trim_start_matches(['<', '&', '*', ' ']).trim_start_matches("mut ").trim_start_matches("dyn ");
    if n.starts_with("data[") {
        return "data segments".into();
    }
    if n.contains(" subsection") || n.starts_with("custom section") {
        return "names and custom sections".into();
    }
    match n.find("::") {
        Some(i) if n[..i].chars().all(|c| c.is_alphanumeric() || c == '_') => n[..i].to_string(),
        _ => "wasm structure (types, tables, glue, unnamed)".into(),
    }
}

fn module_report(twiggy: &std::path::Path, bin: &str, wasm: &std::path::Path) -> Result<String> {
    let items = items(twiggy, wasm)?;
    // The name section is what the shipped module lacks: leave it out of every share.
    let shipped: Vec<&Item> =
        items.iter().filter(|i| crate_of(&i.name) != "names and custom sections").collect();
    let total: u64 = shipped.iter().map(|i| i.bytes).sum();
    let pct = |b: u64| 100.0 * b as f64 / total.max(1) as f64;
    let mut by_crate: BTreeMap<String, u64> = BTreeMap::new();
    for i in &shipped {
        *by_crate.entry(crate_of(&i.name)).or_default() += i.bytes;
    }
    let mut crates: Vec<(String, u64)> = by_crate.into_iter().collect();
    crates.sort_by_key(|c| std::cmp::Reverse(c.1));
    let mut md = format!(
        "## {bin}\n\n{total} bytes of code and data without the name section ({} items).\n\n\
         | crate | bytes | share |\n|---|---:|---:|\n",
        shipped.len()
    );
    for (name, bytes) in crates.iter().take(CRATES) {
        let _ = writeln!(md, "| `{name}` | {bytes} | {:.1}% |", pct(*bytes));
    }
    let rest: u64 = crates.iter().skip(CRATES).map(|c| c.1).sum();
    if rest > 0 {
        let _ = writeln!(md, "| {} other crates | {rest} | {:.1}% |", crates.len() - CRATES, pct(rest));
    }
    let _ = write!(md, "\nLargest items:\n\n| item | bytes | share |\n|---|---:|---:|\n");
    let mut largest = shipped.clone();
    largest.sort_by_key(|i| std::cmp::Reverse(i.bytes));
    for i in largest.iter().take(TOP) {
        let name: String = i.name.chars().take(110).collect::<String>().replace('|', "\\|");
        let _ = writeln!(md, "| `{name}` | {} | {:.1}% |", i.bytes, pct(i.bytes));
    }
    Ok(md)
}

/// Relink the three modules with names and write bench/SIZE-PROFILE.md. Run after the release
/// build (`bench` does), so that only the final crates are compiled again.
pub fn write() -> Result {
    let twiggy = setup::twiggy()?;
    let target = paths::target_dir().join("wasm32-unknown-unknown/release");
    let commit = setup::output("git", &["rev-parse", "--short", "HEAD"]).unwrap_or_default();
    let mut md = format!(
        "# Where each module's bytes go\n\n\
         Taken by `cargo xtask bench` on commit `{}` with twiggy {}: each module's final link redone with symbol \
         names kept (`cargo rustc --release … -- -C strip=none`; the code is the shipped build's), before \
         wasm-bindgen, which adds a little glue and removes its own descriptors. Bytes are twiggy's shallow \
         sizes, summed by the first path segment of each demangled name (for `<T as Trait>::f`, the crate of \
         `T`; generic code is counted where it was instantiated). The name section, which the shipped module \
         does not have, is left out.\n\n",
        commit.trim(),
        setup::TWIGGY_VERSION
    );
    for (package, bin, features) in MODULES {
        say(&format!("relinking {bin} with symbol names for its size profile"));
        let mut cmd = cargo();
        cmd.args(["rustc", "--release", "--target", "wasm32-unknown-unknown", "-p", package, "--bin", bin]);
        if let Some(f) = features {
            cmd.args(["--features", f]);
        }
        run(cmd.args(["--", "-C", "strip=none"]))?;
        md += &module_report(&twiggy, bin, &target.join(format!("{bin}.wasm")))?;
        md += "\n";
    }
    std::fs::write(root().join("bench/SIZE-PROFILE.md"), &md)
        .map_err(|e| format!("cannot write bench/: {e}"))?;
    say("wrote bench/SIZE-PROFILE.md");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::crate_of;

    #[test]
    fn items_are_counted_under_their_crate() {
        assert_eq!(crate_of("burn_flex::ops::matmul::h1234"), "burn_flex");
        assert_eq!(crate_of("<gemm_common::gemm::Foo<T> as core::ops::Drop>::drop::h1"), "gemm_common");
        assert_eq!(crate_of("<&mut serde_json::de::Deserializer as x>::y"), "serde_json");
        assert_eq!(crate_of("data[3]"), "data segments");
        assert_eq!(crate_of("\"function names\" subsection"), "names and custom sections");
        assert_eq!(crate_of("code[12]"), "wasm structure (types, tables, glue, unnamed)");
    }
}
