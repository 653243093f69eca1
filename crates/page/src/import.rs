//! Opening a model exported by `tools/export_torch.py`: which of the files the user gave are its
//! graph and its weights (loose, or inside a zip), and why anything else is refused before the
//! worker sees it. Plain Rust, tested natively; the worker then builds the graph and checks every
//! weight against it (`vae::imported`).
//!
//! The page reads JSON and safetensors only. A PyTorch checkpoint is a pickle, which can run code
//! when loaded: it is recognised and refused, never unpickled.

use bundle::exported::Exported;
use bundle::{IndexEntry, Manifest};
use std::io::Read;

/// Larger files are refused before they are read: a CelebA-class VAE in f32 is about 20 MB.
pub const MAX_IMPORT_BYTES: f64 = 512.0 * 1024.0 * 1024.0;

/// A file this large is refused before a byte of it is read.
pub fn check_size(name: &str, bytes: f64) -> Result<(), String> {
    if bytes > MAX_IMPORT_BYTES {
        return Err(format!(
            "{name} is {:.0} MB, larger than the {:.0} MB this page opens",
            bytes / 1_048_576.0,
            MAX_IMPORT_BYTES / 1_048_576.0
        ));
    }
    Ok(())
}

/// The two files of an exported model.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelFiles {
    pub graph_json: String,
    pub weights: Vec<u8>,
}

/// Whether a file by this name is meant as a model (as opposed to an image to encode).
pub fn is_model_file(name: &str) -> bool {
    let lower = name.to_lowercase();
    [".json", ".safetensors", ".zip", ".pt", ".pth", ".ckpt", ".pkl", ".bin"]
        .iter()
        .any(|e| lower.ends_with(e))
}

/// The graph and the weights among `files` (name, bytes), a zip's entries counted as files.
pub fn gather(files: Vec<(String, Vec<u8>)>) -> Result<ModelFiles, String> {
    let mut loose = Vec::new();
    for (name, bytes) in files {
        if is_pickle(&bytes) {
            return Err(pickle_refusal(&name));
        }
        if bytes.starts_with(b"PK\x03\x04") || name.to_lowercase().ends_with(".zip") {
            loose.extend(unzip(&name, &bytes)?);
        } else {
            loose.push((name, bytes));
        }
    }
    let mut graph = None;
    let mut weights = None;
    for (name, bytes) in loose {
        let lower = name.to_lowercase();
        if lower.ends_with(".json") {
            let text =
                String::from_utf8(bytes).map_err(|_| format!("{name} is not text, so not a graph.json"))?;
            if graph.replace((name.clone(), text)).is_some() {
                return Err(
                    "more than one .json file was given: give one model's graph.json at a time".into()
                );
            }
        } else if lower.ends_with(".safetensors") {
            check_safetensors(&name, &bytes)?;
            if weights.replace(bytes).is_some() {
                return Err(
                    "more than one .safetensors file was given: give one model's weights at a time".into()
                );
            }
        } else if is_model_file(&name) {
            return Err(format!(
                "{name} is not a file this page opens: it reads a graph.json and a weights.safetensors written by tools/export_torch.py"
            ));
        }
    }
    match (graph, weights) {
        (Some((_, graph_json)), Some(weights)) => Ok(ModelFiles { graph_json, weights }),
        (None, _) => Err("no graph.json: give both files tools/export_torch.py wrote (graph.json and weights.safetensors), or a zip of them".into()),
        (_, None) => Err("no weights.safetensors: give both files tools/export_torch.py wrote (graph.json and weights.safetensors), or a zip of them".into()),
    }
}

/// The manifest the page and the worker run, named so it cannot be taken for a bundled model.
pub fn manifest_of(files: &ModelFiles, models: &[IndexEntry]) -> Result<Manifest, String> {
    let mut manifest = Exported::parse(&files.graph_json)?.into_manifest();
    let name = safe_name(&manifest.name);
    // A bundled model's name stays the bundled model's: links and the gallery go by name.
    manifest.name =
        if models.iter().any(|m| m.name == name && !m.imported) { format!("{name}-imported") } else { name };
    Ok(manifest)
}

/// Letters, digits, `-`, `_` and `.` only (the name goes into links and storage keys), at most 64.
fn safe_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) { c } else { '-' })
        .take(64)
        .collect();
    if cleaned.trim_matches(['-', '.']).is_empty() { "imported-model".into() } else { cleaned }
}

/// A pickle (protocol 2 or later starts with 0x80 and its version), the format of `torch.save`
/// before 1.6, of Lightning's `.ckpt` inside a zip, and of `.pkl` files.
fn is_pickle(bytes: &[u8]) -> bool {
    bytes.len() > 2 && bytes[0] == 0x80 && (2..=5).contains(&bytes[1])
}

fn pickle_refusal(name: &str) -> String {
    format!(
        "{name} is a PyTorch checkpoint (a pickle). The page never unpickles a file, since loading a pickle can run any code: turn it into graph.json and weights.safetensors with `python tools/export_torch.py --module your_vae.py:VAE --checkpoint {name} --latent D --input C,H,W --out exported/`, then drop those here"
    )
}

/// The entries of a zip, as (name, bytes); a PyTorch checkpoint (a zip with a pickle inside) is
/// refused as one.
fn unzip(name: &str, bytes: &[u8]) -> Result<Vec<(String, Vec<u8>)>, String> {
    let damaged =
        |e: zip::result::ZipError| format!("{name} is truncated or damaged ({e}); nothing was opened");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(damaged)?;
    if archive.file_names().any(|f| f.ends_with(".pkl")) {
        return Err(pickle_refusal(name));
    }
    let mut out = Vec::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(damaged)?;
        if entry.is_dir() {
            continue;
        }
        check_size(&format!("{} in {name}", entry.name()), entry.size() as f64)?;
        let inner = entry.name().rsplit('/').next().unwrap_or_default().to_string();
        let mut data = Vec::with_capacity(entry.size() as usize);
        entry
            .read_to_end(&mut data)
            .map_err(|e| format!("{name} is truncated or damaged ({e}); nothing was opened"))?;
        out.push((inner, data));
    }
    Ok(out)
}

/// A safetensors file starts with the length of its JSON header; a file cut short (an
/// interrupted download) ends before the header or the data it announces.
fn check_safetensors(name: &str, bytes: &[u8]) -> Result<(), String> {
    let truncated = || format!("{name} is truncated or not a safetensors file");
    let head: [u8; 8] = bytes.get(..8).and_then(|b| b.try_into().ok()).ok_or_else(truncated)?;
    let n = u64::from_le_bytes(head) as usize;
    let header = bytes.get(8..8usize.saturating_add(n)).ok_or_else(truncated)?;
    let doc: serde_json::Value = serde_json::from_slice(header).map_err(|_| truncated())?;
    let end = doc
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(_, t)| t.get("data_offsets")?.get(1)?.as_u64())
        .max()
        .unwrap_or(0) as usize;
    if 8 + n + end > bytes.len() {
        return Err(format!(
            "{name} is truncated: its header announces {} bytes of tensors, the file holds {}",
            end,
            bytes.len() - 8 - n
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn fixture(file: &str) -> Vec<u8> {
        std::fs::read(paths::root().join("tests/fixtures/torch").join(file)).expect("the committed fixture")
    }

    fn loose() -> Vec<(String, Vec<u8>)> {
        vec![
            ("graph.json".into(), fixture("graph.json")),
            ("weights.safetensors".into(), fixture("weights.safetensors")),
        ]
    }

    fn zipped(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = std::io::Cursor::new(Vec::new());
        let mut z = zip::ZipWriter::new(&mut out);
        for (name, bytes) in entries {
            z.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
            z.write_all(bytes).unwrap();
        }
        z.finish().unwrap();
        out.into_inner()
    }

    #[test]
    fn the_two_files_loose_or_zipped_in_a_folder_give_the_same_model() {
        let a = gather(loose()).unwrap();
        let zip = zipped(&[
            ("exported/graph.json", &fixture("graph.json")),
            ("exported/weights.safetensors", &fixture("weights.safetensors")),
        ]);
        let b = gather(vec![("tiny.zip".into(), zip)]).unwrap();
        assert_eq!(a, b);
        let m = manifest_of(&a, &[]).unwrap();
        assert_eq!((m.name.as_str(), m.latent_dim), ("tiny-vae", 6));
    }

    #[test]
    fn a_name_taken_by_a_bundled_model_is_kept_apart_and_odd_characters_go() {
        let files = gather(loose()).unwrap();
        let bundled = IndexEntry {
            name: "tiny-vae".into(),
            description: String::new(),
            latent_dim: 6,
            imported: false,
        };
        assert_eq!(manifest_of(&files, std::slice::from_ref(&bundled)).unwrap().name, "tiny-vae-imported");
        // An earlier import of the same name is replaced, as a newer export of it would be.
        let earlier = IndexEntry { imported: true, ..bundled };
        assert_eq!(manifest_of(&files, &[earlier]).unwrap().name, "tiny-vae");
        assert_eq!(safe_name("my vae/#1"), "my-vae--1");
        assert_eq!(safe_name("../"), "imported-model");
    }

    #[test]
    fn a_file_over_the_limit_is_refused_by_its_size() {
        assert!(check_size("w.safetensors", 20e6).is_ok());
        let e = check_size("huge.safetensors", 600.0 * 1_048_576.0).unwrap_err();
        assert_eq!(e, "huge.safetensors is 600 MB, larger than the 512 MB this page opens");
    }

    #[test]
    fn pickles_are_refused_unopened_whether_bare_zipped_or_misnamed() {
        let bare = vec![0x80, 0x04, 0x95, 0, 0];
        for (name, bytes) in [
            ("vae.pt", bare.clone()),
            ("weights.safetensors", bare.clone()),
            ("model.ckpt", zipped(&[("archive/data.pkl", &bare), ("archive/data/0", b"xxxx")])),
        ] {
            let e =
                gather(vec![(name.into(), bytes), ("graph.json".into(), fixture("graph.json"))]).unwrap_err();
            assert!(
                e.contains("is a PyTorch checkpoint (a pickle)") && e.contains("export_torch.py"),
                "{name}: {e}"
            );
        }
    }

    #[test]
    fn truncated_files_missing_halves_and_strangers_are_named() {
        let zip = zipped(&[
            ("graph.json", &fixture("graph.json")),
            ("weights.safetensors", &fixture("weights.safetensors")),
        ]);
        let e = gather(vec![("m.zip".into(), zip[..zip.len() / 2].to_vec())]).unwrap_err();
        assert!(e.contains("m.zip is truncated or damaged"), "{e}");
        let w = fixture("weights.safetensors");
        let e = gather(vec![
            ("graph.json".into(), fixture("graph.json")),
            ("weights.safetensors".into(), w[..w.len() - 100].to_vec()),
        ])
        .unwrap_err();
        assert!(e.contains("weights.safetensors is truncated"), "{e}");
        assert!(
            gather(vec![("graph.json".into(), fixture("graph.json"))])
                .unwrap_err()
                .contains("no weights.safetensors")
        );
        assert!(
            gather(vec![("weights.safetensors".into(), w.clone())]).unwrap_err().contains("no graph.json")
        );
        let e = gather(vec![("model.onnx.bin".into(), vec![1, 2, 3])]).unwrap_err();
        assert!(e.contains("not a file this page opens"), "{e}");
        // A graph.json that is not an export, and one from a newer exporter.
        let odd = ModelFiles { graph_json: "{\"layers\": []}".into(), weights: w.clone() };
        assert!(
            manifest_of(&odd, &[]).unwrap_err().contains("not a model exported by tools/export_torch.py")
        );
        let mut doc: serde_json::Value = serde_json::from_slice(&fixture("graph.json")).unwrap();
        doc["format_version"] = 2.into();
        let newer = ModelFiles { graph_json: doc.to_string(), weights: w };
        assert!(manifest_of(&newer, &[]).unwrap_err().contains("format version 2"));
    }
}
