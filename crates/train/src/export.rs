//! Writing a bundle (`manifest.json` + `decoder.bpk` + `encoder.bpk`) and the index the app
//! lists models from.

use crate::examples::{Examples, Source};
use bundle::{Example, INDEX_FILE, IndexEntry, MANIFEST_FILE, Manifest};
use burn::module::Module;
use data::Split;
use data::faces::ATTRIBUTES;
use std::path::{Path, PathBuf};
use vae::Model;

/// `web/models/` of this workspace.
pub fn models_dir() -> PathBuf {
    paths::models_dir()
}

/// Per-preset checkpoints live under the build directory: large, temporary, never committed.
pub fn checkpoints_dir(name: &str) -> PathBuf {
    paths::target_dir().join("checkpoints").join(name)
}

/// Write a bundle: its compact weights (`crate::compact`, which also records their measured
/// loss in the manifest), then the manifest, then the refreshed index.
pub fn write_bundle(dir: &Path, manifest: &Manifest, model: Model) -> Result<(), Box<dyn std::error::Error>> {
    let out = dir.join(&manifest.name);
    std::fs::create_dir_all(&out)?;
    let mut manifest = manifest.clone();
    crate::compact::write(&out, &mut manifest, &model)?;
    std::fs::write(out.join(MANIFEST_FILE), serde_json::to_string_pretty(&manifest)?)?;
    write_index(dir)
}

/// Encode the first test images with `model` and write them as the bundle's `codes.bin`,
/// recording it in `manifest` (which the caller writes).
pub fn write_codes(
    dir: &Path,
    manifest: &mut Manifest,
    model: &Model,
    source: Source,
) -> Result<(), Box<dyn std::error::Error>> {
    let device = burn::prelude::Device::flex();
    let test = source.load(Split::Test, bundle::CODES_COUNT)?;
    let enc = crate::evaluate::encode_all(&model.clone().to_device(&device), &test, &device);
    let codes = crate::evaluate::codes(&enc, &test.labels, bundle::CODES_COUNT);
    let out = dir.join(&manifest.name);
    std::fs::create_dir_all(&out)?;
    std::fs::write(out.join(bundle::CODES_FILE), codes.to_bytes())?;
    let labels =
        if source == Source::Faces { bundle::LabelKind::Attributes } else { bundle::LabelKind::Class };
    manifest.codes = Some(bundle::CodesFile { file: bundle::CODES_FILE.into(), count: codes.len(), labels });
    Ok(())
}

/// Rebuild `index.json` from the bundles present, so the app's model picker lists exactly
/// what is there, never a list kept by hand.
pub fn write_index(dir: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let mut entries = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path().join(MANIFEST_FILE);
        if let Ok(text) = std::fs::read_to_string(&path) {
            let m = Manifest::parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
            entries.push(IndexEntry {
                name: m.name,
                description: m.description,
                latent_dim: m.latent_dim,
                imported: false,
            });
        }
    }
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    std::fs::write(dir.join(INDEX_FILE), serde_json::to_string_pretty(&entries)?)?;
    Ok(())
}

/// How many examples a bundle ships.
const EXAMPLES: usize = 10;

/// Write example PNGs from the test split into the bundle folder and list them in `manifest`:
/// one per class for digits and garments; faces with and without glasses, half each.
pub fn write_examples(
    dir: &Path,
    manifest: &mut Manifest,
    source: Source,
) -> Result<(), Box<dyn std::error::Error>> {
    let out = dir.join(&manifest.name).join("examples");
    std::fs::create_dir_all(&out)?;
    let (test, picks): (Examples, Vec<(usize, String)>) = match source {
        Source::Faces => {
            let test = source.load(Split::Test, 200)?;
            let describe = |l: u16| {
                let on: Vec<&str> = ATTRIBUTES
                    .iter()
                    .enumerate()
                    .filter(|(k, _)| l & (1 << k) != 0)
                    .map(|(_, a)| *a)
                    .collect();
                if on.is_empty() { "plain".to_string() } else { on.join(", ") }
            };
            let with_glasses = |want: bool| -> Vec<usize> {
                (0..test.len())
                    .filter(|&i| (test_label(&test, i) & 1 != 0) == want)
                    .take(EXAMPLES / 2)
                    .collect()
            };
            let picks = [with_glasses(true), with_glasses(false)]
                .concat()
                .into_iter()
                .map(|i| (i, describe(test_label(&test, i))))
                .collect();
            (test, picks)
        }
        _ => {
            let test = source.load(Split::Test, 0)?;
            let names = source.label_names();
            let picks = (0..names.len())
                .filter_map(|c| {
                    (0..test.len()).find(|&i| usize::from(test.labels[i]) == c).map(|i| (i, names[c].clone()))
                })
                .take(EXAMPLES)
                .collect();
            (test, picks)
        }
    };
    let (w, channels) = (manifest.image.width, manifest.image.channels);
    manifest.examples.clear();
    for (n, (i, label)) in picks.into_iter().enumerate() {
        let file = format!("examples/{n}.png");
        write_png(&dir.join(&manifest.name).join(&file), w, w, channels, test.row(i))?;
        manifest.examples.push(Example { file, label, mu: Vec::new(), logvar: Vec::new() });
    }
    Ok(())
}

/// Pixels in 0..1, interleaved, as an 8-bit grayscale (1 channel) or RGB (3) PNG.
pub fn write_png(
    path: &Path,
    width: usize,
    height: usize,
    channels: usize,
    pixels: &[f32],
) -> Result<(), Box<dyn std::error::Error>> {
    let bytes: Vec<u8> = pixels.iter().map(|v| (v.clamp(0.0, 1.0) * 255.0).round() as u8).collect();
    let mut encoder = png::Encoder::new(std::fs::File::create(path)?, width as u32, height as u32);
    encoder.set_color(if channels == 3 { png::ColorType::Rgb } else { png::ColorType::Grayscale });
    encoder.set_depth(png::BitDepth::Eight);
    encoder.write_header()?.write_image_data(&bytes)?;
    Ok(())
}

fn test_label(ex: &Examples, i: usize) -> u16 {
    ex.labels[i]
}
