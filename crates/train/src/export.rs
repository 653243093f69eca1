//! Writing a bundle (`manifest.json` + `weights.bpk`) and the index the app lists models from.

use std::path::{Path, PathBuf};
use vae::Model;
use vae::bundle::{INDEX_FILE, IndexEntry, MANIFEST_FILE, Manifest, WEIGHTS_FILE, weights_bytes};

/// `web/models/` of this workspace.
pub fn models_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web/models")
}

pub fn write_bundle(dir: &Path, manifest: &Manifest, model: Model) -> Result<(), Box<dyn std::error::Error>> {
    let out = dir.join(&manifest.name);
    std::fs::create_dir_all(&out)?;
    std::fs::write(out.join(WEIGHTS_FILE), weights_bytes(model)?)?;
    std::fs::write(out.join(MANIFEST_FILE), serde_json::to_string_pretty(manifest)?)?;
    write_index(dir)
}

/// Rebuild `index.json` from the bundles present, so the app's model picker lists exactly
/// what is there, never a list kept by hand.
pub fn write_index(dir: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let mut entries = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path().join(MANIFEST_FILE);
        if let Ok(text) = std::fs::read_to_string(&path) {
            let m = Manifest::parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
            entries.push(IndexEntry { name: m.name, description: m.description, latent_dim: m.latent_dim });
        }
    }
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    std::fs::write(dir.join(INDEX_FILE), serde_json::to_string_pretty(&entries)?)?;
    Ok(())
}
