//! `cargo run -p e2e --bin first_visit [DIST]`: the first-visit measurement alone (see
//! `first_visit.rs`), on `dist/` unless another folder is named.

mod first_visit;

fn main() {
    let dist = std::env::args()
        .nth(1)
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| e2e::workspace().join("dist"));
    let commit = std::process::Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    first_visit::run(&dist, &commit);
}
