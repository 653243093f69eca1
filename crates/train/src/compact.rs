//! Writing a bundle's weights compactly (decoder and encoder apart, f16: `vae::compact`) and
//! measuring what that costs: the largest and the mean difference, in pixel values, between the
//! f32 model's decodes and the compact model's on 1,000 codes drawn from the prior.

use bundle::{CompactWeights, Manifest, WEIGHTS_FILE};
use burn::prelude::*;
use latent::rng::Rng;
use std::path::Path;
use vae::{Model, Part, load_part};

pub const DECODER_FILE: &str = "decoder.bpk";
pub const ENCODER_FILE: &str = "encoder.bpk";
/// How many prior codes the difference is measured on.
pub const CODES: usize = 1000;
/// The codes' seed: every bundle is measured on the same draws.
const SEED: u64 = 0xf16;

/// The measured cost of f16, in pixel values (a pixel spans 0..1; one 8-bit step is 1/255).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Loss {
    pub max: f64,
    pub mean: f64,
}

/// Write `model`'s two compact files into `out` (the bundle's folder), record them and their
/// measured loss in `manifest`, and remove a legacy `weights.bpk` left there.
pub fn write(out: &Path, manifest: &mut Manifest, model: &Model) -> Result<Loss, Box<dyn std::error::Error>> {
    let decoder = vae::compact::part_bytes(model, Part::Decoder)?;
    let encoder = vae::compact::part_bytes(model, Part::Encoder)?;
    let device = Device::flex();
    let compact =
        load_part(load_part(Model::new(&manifest.architecture, &device), decoder.clone())?, encoder.clone())?;
    let loss = difference(model, &compact, manifest.latent_dim, &device);
    std::fs::write(out.join(DECODER_FILE), decoder)?;
    std::fs::write(out.join(ENCODER_FILE), encoder)?;
    manifest.weights = Some(CompactWeights {
        dtype: "f16".into(),
        decoder: DECODER_FILE.into(),
        encoder: ENCODER_FILE.into(),
    });
    manifest.metrics.insert("f16_max_abs_pixel_diff".into(), loss.max);
    manifest.metrics.insert("f16_mean_abs_pixel_diff".into(), loss.mean);
    manifest.metrics.insert("f16_codes".into(), CODES as f64);
    encode_examples(out, manifest, &compact, &device)?;
    let legacy = out.join(WEIGHTS_FILE);
    if legacy.is_file() {
        std::fs::remove_file(legacy)?;
    }
    Ok(loss)
}

/// Put q(z|x) of each bundled example into the manifest, from exactly the input the page will
/// prepare from its PNG (`image_input::preprocess`), with the compact weights the page runs: the
/// gallery then shows the examples without fetching the encoder.
pub fn encode_examples(
    out: &Path,
    manifest: &mut Manifest,
    model: &Model,
    device: &Device,
) -> Result<(), Box<dyn std::error::Error>> {
    use image_input::preprocess::{InputKind, prepare};
    let kind = InputKind::for_model(&manifest.image, &manifest.training.dataset);
    let shape = manifest.image.clone();
    for ex in &mut manifest.examples {
        let rgba = read_png(&out.join(&ex.file))?;
        let prepared = prepare(&rgba, &shape, kind).map_err(|e| format!("{}: {e}", ex.file))?;
        let x = Tensor::<1>::from_floats(prepared.pixels.as_slice(), device).reshape([1, shape.len()]);
        let (mu, logvar) = model.encode(x);
        ex.mu = mu.into_data().try_to_vec().map_err(|e| format!("{e:?}"))?;
        ex.logvar = logvar.into_data().try_to_vec().map_err(|e| format!("{e:?}"))?;
    }
    Ok(())
}

/// An 8-bit grey or RGB(A) PNG as RGBA, the way the browser hands decoded images to the page.
fn read_png(path: &Path) -> Result<image_input::preprocess::Rgba, Box<dyn std::error::Error>> {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path)?));
    let mut reader = decoder.read_info()?;
    let mut buf = vec![0; reader.output_buffer_size().ok_or("PNG too large")?];
    let info = reader.next_frame(&mut buf)?;
    let px = &buf[..info.buffer_size()];
    let data: Vec<u8> = match info.color_type {
        png::ColorType::Grayscale => px.iter().flat_map(|&g| [g, g, g, 255]).collect(),
        png::ColorType::Rgb => px.chunks_exact(3).flat_map(|c| [c[0], c[1], c[2], 255]).collect(),
        png::ColorType::Rgba => px.to_vec(),
        other => return Err(format!("{}: unexpected PNG colour type {other:?}", path.display()).into()),
    };
    Ok(image_input::preprocess::Rgba { width: info.width as usize, height: info.height as usize, data })
}

/// Max and mean absolute difference of the two models' decoded pixels on the same prior codes.
pub fn difference(a: &Model, b: &Model, latent: usize, device: &Device) -> Loss {
    let mut rng = Rng::new(SEED);
    let (mut max, mut sum, mut n) = (0f64, 0f64, 0usize);
    for chunk in 0..CODES.div_ceil(100) {
        let rows = (CODES - chunk * 100).min(100);
        let z: Vec<f32> = (0..rows * latent).map(|_| rng.normal()).collect();
        let z = Tensor::<1>::from_floats(z.as_slice(), device).reshape([rows, latent]);
        let pa: Vec<f32> = a.decode(z.clone()).into_data().try_to_vec().unwrap_or_default();
        let pb: Vec<f32> = b.decode(z).into_data().try_to_vec().unwrap_or_default();
        for (x, y) in pa.iter().zip(&pb) {
            let d = f64::from((x - y).abs());
            max = max.max(d);
            sum += d;
            n += 1;
        }
    }
    Loss { max, mean: if n == 0 { f64::NAN } else { sum / n as f64 } }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bundle::Architecture;

    #[test]
    fn a_bundle_written_compactly_reloads_and_records_its_loss() {
        let dir = std::env::temp_dir().join(format!("compact-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(WEIGHTS_FILE), b"old").unwrap();
        let mut m = bundle::testing::manifest(4);
        m.architecture = Architecture::Mlp {
            input: 784,
            hidden: vec![32],
            latent_dim: 4,
            variational: true,
            relu_code: false,
        };
        let device = Device::flex();
        let model = Model::new(&m.architecture, &device);
        let loss = write(&dir, &mut m, &model).unwrap();
        assert!(loss.max < 0.01 && loss.mean <= loss.max && loss.mean > 0.0, "{loss:?}");
        assert_eq!(m.weight_files(), (DECODER_FILE, Some(ENCODER_FILE)));
        assert_eq!(m.metrics["f16_codes"], CODES as f64);
        assert!(!dir.join(WEIGHTS_FILE).exists(), "the legacy file is gone");
        let back = vae::load_bundle_dir(&m, &dir, &device).unwrap();
        assert_eq!(difference(&model, &back, 4, &device), loss);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
