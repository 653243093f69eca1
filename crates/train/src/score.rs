//! One picture scored as the page scores a gallery item: decoded, shrunk to the page's working
//! size, prepared for the model (`image_input`), encoded and decoded, and its negative ELBO and
//! missed share (`latent::ood`) placed among the test set's percentiles in the manifest. `train score`
//! prints it; the tests use it to check which pictures get the "unlike what it learned" notice
//! without a browser.

use bundle::Manifest;
use burn::prelude::*;
use image_input::preprocess::{InputKind, Rgba, WORKING_SIZE, prepare, resize_area};
use vae::Model;
use worker_protocol::pixels::to_bytes;

/// What the page would show for a picture, and the parts of its score.
#[derive(Clone, Debug)]
pub struct Scored {
    /// Bernoulli negative log-likelihood of the 8-bit input under the 8-bit reconstruction.
    pub reconstruction_nats: f64,
    /// KL(q(z|x) ‖ N(0, I)).
    pub kl_nats: f64,
    pub score: f64,
    /// The share of the input's energy the reconstruction misses (`latent::ood::missed_share`).
    pub missed: f64,
    /// The prepared input and the reconstruction of μ, 8-bit, in the model's layout.
    pub input: Vec<u8>,
    pub reconstruction: Vec<u8>,
    /// The negative ELBO's and the missed share's percentiles among the model's test images
    /// (0–100; NaN without a reference), and the higher of the two: the badge's rarity.
    pub elbo_percentile: f64,
    pub missed_percentile: f64,
    pub rarity: f64,
}

/// A PNG file's pixels as RGBA (grey, grey with alpha, RGB and RGBA, 8 or 16 bits).
pub fn decode_png(bytes: &[u8]) -> Result<Rgba, String> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().map_err(|e| format!("not a PNG file: {e}"))?;
    let mut buf = vec![0; reader.output_buffer_size().ok_or("the PNG file is too large")?];
    let info = reader.next_frame(&mut buf).map_err(|e| format!("a cut-off PNG file: {e}"))?;
    let (width, height) = (info.width as usize, info.height as usize);
    let px = &buf[..info.buffer_size()];
    let data = match info.color_type {
        png::ColorType::Grayscale => px.iter().flat_map(|&g| [g, g, g, 255]).collect(),
        png::ColorType::GrayscaleAlpha => px.chunks_exact(2).flat_map(|p| [p[0], p[0], p[0], p[1]]).collect(),
        png::ColorType::Rgb => px.chunks_exact(3).flat_map(|p| [p[0], p[1], p[2], 255]).collect(),
        png::ColorType::Rgba => px.to_vec(),
        other => return Err(format!("PNG colour type {other:?} is not read here")),
    };
    Ok(Rgba { width, height, data })
}

/// Shrunk as the page draws a file before preparing it: no larger than `WORKING_SIZE` on the
/// long side (area resampling here, the canvas's own smoothing there: the prepared inputs
/// differ by a few levels, not in kind).
pub fn at_working_size(img: Rgba) -> Rgba {
    let long = img.width.max(img.height);
    if long <= WORKING_SIZE as usize {
        return img;
    }
    let scale = WORKING_SIZE as f64 / long as f64;
    let (w, h) = (
        ((img.width as f64 * scale).round() as usize).max(1),
        ((img.height as f64 * scale).round() as usize).max(1),
    );
    let values: Vec<f32> = img.data.iter().map(|&b| f32::from(b)).collect();
    let small = resize_area(&values, img.width, img.height, 4, w, h);
    Rgba { width: w, height: h, data: small.iter().map(|v| v.round().clamp(0.0, 255.0) as u8).collect() }
}

/// `img` prepared for the model `manifest` describes, and scored.
pub fn score_picture(
    model: &Model,
    manifest: &Manifest,
    img: &Rgba,
    device: &Device,
) -> Result<Scored, String> {
    let shape = &manifest.image;
    let prepared = prepare(
        &at_working_size(img.clone()),
        shape,
        InputKind::for_model(shape, &manifest.training.dataset),
    )?;
    Ok(score_input(model, manifest, &prepared.pixels, device))
}

/// A prepared input (values in 0..1, the model's layout) scored as the page scores it.
pub fn score_input(model: &Model, manifest: &Manifest, pixels: &[f32], device: &Device) -> Scored {
    let input = to_bytes(pixels);
    let x: Vec<f32> = input.iter().map(|&b| f32::from(b) / 255.0).collect();
    let (mu, logvar) = model.encode(Tensor::<1>::from_floats(x.as_slice(), device).reshape([1, x.len()]));
    let recon = to_bytes(&model.decode(mu.clone()).into_data().try_to_vec::<f32>().unwrap_or_default());
    let mu: Vec<f32> = mu.into_data().try_to_vec().unwrap_or_default();
    let sigma = latent::ood::sigma(&logvar.into_data().try_to_vec::<f32>().unwrap_or_default());
    let reconstruction_nats = latent::ood::reconstruction_nats(&input, &recon);
    let kl_nats = latent::ood::kl_nats(&mu, &sigma);
    let score = reconstruction_nats + kl_nats;
    let missed = latent::ood::missed_share(&input, &recon);
    let (quantiles, missed_quantiles) =
        manifest.ood.as_ref().map_or((&[][..], &[][..]), |o| (&o.quantiles[..], &o.missed_quantiles[..]));
    let rarity = latent::ood::rarity(&input, &recon, &mu, &sigma, quantiles, missed_quantiles);
    Scored {
        reconstruction_nats,
        kl_nats,
        score,
        missed,
        elbo_percentile: latent::ood::percentile(score, quantiles),
        missed_percentile: latent::ood::percentile(missed, missed_quantiles),
        rarity,
        input,
        reconstruction: recon,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bundle::OOD_NOTICE_PERCENTILE;

    /// A bundled example's file name and pixels, as the page adds it.
    type ExamplePixels = (String, Vec<f32>);

    /// Every shipped model of grey images, with its bundled examples.
    fn grey_models() -> Vec<(Manifest, Model, Vec<ExamplePixels>)> {
        let dir = crate::export::models_dir();
        ["mnist-vae", "mnist-vae-2d", "mnist-vae-beta4", "mnist-ae", "fashion-vae"]
            .iter()
            .map(|name| {
                let (manifest, model) = crate::reports::read_bundle(&dir, name).expect("a shipped bundle");
                let examples = manifest
                    .examples
                    .iter()
                    .map(|e| {
                        let png = std::fs::read(dir.join(name).join(&e.file)).expect("an example file");
                        let img = decode_png(&png).expect("a PNG example");
                        let grey = img.data.chunks_exact(4).map(|p| f32::from(p[0]) / 255.0).collect();
                        (e.file.clone(), grey)
                    })
                    .collect();
                (manifest, model, examples)
            })
            .collect()
    }

    #[test]
    fn a_photo_of_a_cat_is_unusual_for_every_grey_model_and_no_bundled_example_is() {
        let device = Device::flex();
        let cat = decode_png(&data::lfw::cat_photo_png().expect("set-up fetches the scikit-image wheel"))
            .expect("the cat decodes");
        for (manifest, model, examples) in grey_models() {
            let s = score_picture(&model, &manifest, &cat, &device).expect("the cat can be prepared");
            assert!(
                s.rarity > OOD_NOTICE_PERCENTILE,
                "{}: the cat is at {:.2}% ({s:?})",
                manifest.name,
                s.rarity
            );
            for (file, pixels) in examples {
                let e = score_input(&model, &manifest, &pixels, &device);
                assert!(e.rarity <= OOD_NOTICE_PERCENTILE, "{} {file}: {:.2}%", manifest.name, e.rarity);
            }
        }
    }

    #[test]
    fn a_png_is_read_in_each_colour_type_and_shrunk_to_the_working_size() {
        let write = |w: u32, h: u32, colour: png::ColorType, px: &[u8]| {
            let mut out = Vec::new();
            let mut e = png::Encoder::new(&mut out, w, h);
            e.set_color(colour);
            e.set_depth(png::BitDepth::Eight);
            e.write_header().unwrap().write_image_data(px).unwrap();
            out
        };
        let grey = decode_png(&write(2, 1, png::ColorType::Grayscale, &[10, 200])).unwrap();
        assert_eq!(grey.data, vec![10, 10, 10, 255, 200, 200, 200, 255]);
        let rgb = decode_png(&write(1, 1, png::ColorType::Rgb, &[1, 2, 3])).unwrap();
        assert_eq!(rgb.data, vec![1, 2, 3, 255]);
        assert!(decode_png(b"GIF89a").is_err());
        let big = Rgba { width: 512, height: 256, data: vec![100; 512 * 256 * 4] };
        let small = at_working_size(big);
        assert_eq!((small.width, small.height), (256, 128));
        assert!(small.data.iter().all(|&b| b == 100));
    }
}
