//! The service worker's build stamp (`web/sw.js`): trunk copies the file as it is, and this
//! writes into dist/ what the worker cannot know by itself. `BUILD` is a hash of every other
//! file, so a deployment that changes anything is a new service worker, which is how the page
//! learns that an update is ready; `SHELL` lists what a first visit on the CPU path fetched (the
//! page, the CPU worker, the model index and the default model), cached when it installs.

use crate::setup::{Result, say};
use sha2::{Digest, Sha256};
use std::path::Path;

const WORKER: &str = "sw.js";

/// Write dist/sw.js from `template` (web/sw.js) with dist/'s stamp. Run after everything else
/// that changes dist/ (wasm-opt), before the precompressed twins are written; running it again
/// after another change stamps anew.
pub fn stamp_service_worker(template: &Path, dist: &Path) -> Result {
    let path = dist.join(WORKER);
    let source =
        std::fs::read_to_string(template).map_err(|e| format!("reading {}: {e}", template.display()))?;
    let files = crate::dist::files(dist)?;
    let relative = |f: &Path| f.strip_prefix(dist).ok().map(|r| r.to_string_lossy().replace('\\', "/"));
    let mut hash = Sha256::new();
    let mut shell = vec!["./".to_string()];
    let default_model = format!("models/{}/", bundle::DEFAULT_MODEL);
    for file in &files {
        let Some(rel) = relative(file) else { continue };
        if rel == WORKER || rel.ends_with(".br") || rel.ends_with(".gz") {
            continue;
        }
        let bytes = std::fs::read(file).map_err(|e| format!("reading {rel}: {e}"))?;
        hash.update(rel.as_bytes());
        hash.update((bytes.len() as u64).to_le_bytes());
        hash.update(&bytes);
        if in_shell(&rel, &default_model) {
            shell.push(rel);
        }
    }
    let build: String = hash.finalize().iter().take(8).map(|b| format!("{b:02x}")).collect();
    let stamped = source
        .replace("__LATENT_LAB_BUILD__", &build)
        .replace("__LATENT_LAB_SHELL__", &serde_json::to_string(&shell).map_err(|e| e.to_string())?);
    if stamped == source {
        return Err(format!("{} has no build stamp to fill in", template.display()));
    }
    std::fs::write(&path, stamped).map_err(|e| format!("writing {}: {e}", path.display()))?;
    say(&format!("service worker: build {build}, {} files cached on install", shell.len()));
    Ok(())
}

/// What the first image needs on the CPU path, and the page's icons. The WebGPU module (tens of MB) and the other
/// models are cached when the page first fetches them, not on every visitor's first load.
fn in_shell(rel: &str, default_model: &str) -> bool {
    let top_level = !rel.contains('/');
    (top_level && !rel.starts_with("worker_gpu") && rel != "index.html")
        || rel.starts_with("icons/")
        || rel == bundle::INDEX_URL
        || rel.starts_with(default_model)
}

/// Stamp the service worker of the app in dist/.
pub fn stamp_dist() -> Result {
    let root = crate::setup::root();
    stamp_service_worker(&root.join("web").join(WORKER), &root.join("dist"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stamp_lists_the_cpu_shell_and_changes_with_any_file() {
        let dir = std::env::temp_dir().join(format!("latent-lab-sw-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let write = |rel: &str, body: &str| {
            let p = dir.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, body).unwrap();
        };
        let source = "const BUILD = \"__LATENT_LAB_BUILD__\";\nconst SHELL = __LATENT_LAB_SHELL__;\n";
        for (rel, body) in [
            ("index.html", "<html>"),
            ("page_bg.wasm", "page"),
            ("page_bg.wasm.br", "twin"),
            ("worker_gpu_bg.wasm", "gpu"),
            ("models/index.json", "[]"),
            ("models/mnist-vae/decoder.bpk", "w"),
            ("models/faces-vae/decoder.bpk", "w"),
        ] {
            write(rel, body);
        }
        let template = dir.with_extension("template.js");
        std::fs::write(&template, source).unwrap();
        let stamp = || {
            stamp_service_worker(&template, &dir).unwrap();
            std::fs::read_to_string(dir.join(WORKER)).unwrap()
        };
        let first = stamp();
        assert!(!first.contains("sw.js"), "the worker is not in its own shell");
        assert!(
            first.contains(r#"["./","models/index.json","models/mnist-vae/decoder.bpk","page_bg.wasm"]"#),
            "{first}"
        );
        assert_eq!(stamp(), first, "the same files give the same build");
        write("models/faces-vae/decoder.bpk", "retrained");
        assert_ne!(stamp(), first, "any file changed is a new build");
        std::fs::write(&template, "no stamp here").unwrap();
        assert!(stamp_service_worker(&template, &dir).is_err(), "a template without the stamp is an error");
        std::fs::remove_dir_all(&dir).unwrap();
        std::fs::remove_file(&template).unwrap();
    }
}
