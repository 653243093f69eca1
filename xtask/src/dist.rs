//! `cargo xtask dist`: the static folder to put online. The release build through wasm-opt, with
//! every compressible file's brotli and gzip twins beside it (`x.wasm.br`, `x.wasm.gz`), which
//! static hosts and CDNs that honour precompressed files (and `crates/devserver`) send with
//! `Content-Encoding` instead of compressing on each request.

use crate::setup::{Result, say};
use std::io::Write;
use std::path::Path;

/// Files smaller than this gain nothing worth a second copy.
const MIN_BYTES: u64 = 1024;

/// Write the `.br` and `.gz` twin of every compressible file under `dir`, and report the bytes.
pub fn precompress(dir: &Path) -> Result {
    let (mut plain, mut br, mut gz) = (0u64, 0u64, 0u64);
    for file in files(dir)? {
        let name = file.to_string_lossy();
        if name.ends_with(".br") || name.ends_with(".gz") || !compressible(&file) {
            continue;
        }
        let bytes = std::fs::read(&file).map_err(|e| format!("reading {name}: {e}"))?;
        if (bytes.len() as u64) < MIN_BYTES {
            continue;
        }
        let (b, g) = cached_twins(&bytes)?;
        std::fs::write(format!("{name}.br"), &b).map_err(|e| format!("writing {name}.br: {e}"))?;
        std::fs::write(format!("{name}.gz"), &g).map_err(|e| format!("writing {name}.gz: {e}"))?;
        plain += bytes.len() as u64;
        br += b.len() as u64;
        gz += g.len() as u64;
    }
    say(&format!(
        "precompressed {:.1} MB into {:.1} MB brotli and {:.1} MB gzip",
        plain as f64 / 1e6,
        br as f64 / 1e6,
        gz as f64 / 1e6
    ));
    Ok(())
}

/// Images are compressed already; everything else we ship (wasm, js, json, css, html, burnpack
/// weights) is not.
fn compressible(path: &Path) -> bool {
    !matches!(path.extension().and_then(|e| e.to_str()), Some("png" | "jpg" | "jpeg" | "gif" | "webp"))
}

pub(crate) fn files(dir: &Path) -> Result<Vec<std::path::PathBuf>> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).map_err(|e| format!("reading {}: {e}", d.display()))? {
            let path = entry.map_err(|e| e.to_string())?.path();
            if path.is_dir() { todo.push(path) } else { out.push(path) }
        }
    }
    out.sort();
    Ok(out)
}

/// Brotli at quality 11 takes about a minute on the worker's wasm, and trunk empties dist/ on
/// every build: the twins are kept by the input's hash, so an unchanged file costs nothing.
fn cached_twins(bytes: &[u8]) -> Result<(Vec<u8>, Vec<u8>)> {
    use sha2::{Digest, Sha256};
    let cache = paths::target_dir().join("precompress-cache");
    std::fs::create_dir_all(&cache).map_err(|e| e.to_string())?;
    let key = format!("{:x}", Sha256::digest(bytes));
    let (br_path, gz_path) = (cache.join(format!("{key}.br")), cache.join(format!("{key}.gz")));
    if let (Ok(b), Ok(g)) = (std::fs::read(&br_path), std::fs::read(&gz_path)) {
        return Ok((b, g));
    }
    let (b, g) = (brotli_of(bytes)?, gzip_of(bytes)?);
    std::fs::write(&br_path, &b).map_err(|e| e.to_string())?;
    std::fs::write(&gz_path, &g).map_err(|e| e.to_string())?;
    Ok((b, g))
}

/// Brotli at its best quality: made once per build, downloaded by every visitor.
pub(crate) fn brotli_of(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams { quality: 11, lgwin: 24, ..Default::default() };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).map_err(|e| format!("brotli: {e}"))?;
    Ok(out)
}

pub(crate) fn gzip_of(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(bytes).map_err(|e| e.to_string())?;
    enc.finish().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn twins_decompress_to_the_original_and_small_or_compressed_files_are_left_alone() {
        let dir = std::env::temp_dir().join(format!("xtask-dist-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("models/m")).unwrap();
        let wasm: Vec<u8> = (0..50_000u32).flat_map(|i| (i % 251).to_le_bytes()).collect();
        std::fs::write(dir.join("page_bg.wasm"), &wasm).unwrap();
        std::fs::write(dir.join("models/m/weights.bpk"), &wasm[..20_000]).unwrap();
        std::fs::write(dir.join("tiny.js"), b"let x = 1;").unwrap();
        std::fs::write(dir.join("models/m/0.png"), vec![7u8; 5000]).unwrap();
        precompress(&dir).unwrap();

        let mut from_br = Vec::new();
        brotli::BrotliDecompress(&mut &std::fs::read(dir.join("page_bg.wasm.br")).unwrap()[..], &mut from_br)
            .unwrap();
        assert_eq!(from_br, wasm);
        let mut from_gz = Vec::new();
        flate2::read::GzDecoder::new(&std::fs::read(dir.join("page_bg.wasm.gz")).unwrap()[..])
            .read_to_end(&mut from_gz)
            .unwrap();
        assert_eq!(from_gz, wasm);
        assert!(dir.join("models/m/weights.bpk.br").is_file(), "files in folders are compressed too");
        assert!(!dir.join("tiny.js.br").exists());
        assert!(!dir.join("models/m/0.png.br").exists());
        // A second run does not compress the twins themselves.
        precompress(&dir).unwrap();
        assert!(!dir.join("page_bg.wasm.br.br").exists());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
