//! Measuring a trained model on held-out data, and the latent-space facts the app shows:
//! per-dimension KL, label means, attribute vectors, the 2-D map and the metrics.

use crate::examples::{Examples, Source, batch};
use bundle::{MapProjection, NamedVector, OodReference};
use burn::prelude::*;
use latent::prior::{Prior, log_normal};
use latent::rng::Rng;
use std::collections::BTreeMap;
use vae::Model;
use vae::loss::{bernoulli_nll, kl_per_dim};

const BATCH: usize = 500;
/// Fixed seed for binarising test images, so the test ELBO and NLL are reproducible.
pub const TEST_BINARISE_SEED: u64 = 20_151_231;

/// Encodings of a whole example set.
pub struct Encodings {
    pub mu: Vec<Vec<f32>>,
    pub logvar: Vec<Vec<f32>>,
}

fn rows(data: Vec<f32>, dim: usize) -> Vec<Vec<f32>> {
    data.chunks_exact(dim).map(<[f32]>::to_vec).collect()
}

fn to_vec<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().try_to_vec().unwrap_or_default()
}

pub fn encode_all(model: &Model, ex: &Examples, device: &Device) -> Encodings {
    let mut rng = Rng::new(TEST_BINARISE_SEED);
    let (mut mu, mut logvar) = (Vec::new(), Vec::new());
    let idx: Vec<usize> = (0..ex.len()).collect();
    for chunk in idx.chunks(BATCH) {
        let x = Tensor::<1>::from_floats(batch(ex, chunk, Some(&mut rng)).as_slice(), device)
            .reshape([chunk.len(), ex.dim]);
        let (m, l) = model.encode(x);
        let d = m.dims()[1];
        mu.extend(rows(to_vec(m), d));
        logvar.extend(rows(to_vec(l), d));
    }
    Encodings { mu, logvar }
}

/// Every test image scored as the page scores a gallery item (`latent::ood`): the input
/// quantised to 8 bits, the mean decode of μ quantised as the worker sends it, and q(z|x).
pub fn ood_reference(model: &Model, ex: &Examples, source: Source, device: &Device) -> OodReference {
    use worker_protocol::pixels::to_bytes;
    let (mut scores, mut missed) = (Vec::with_capacity(ex.len()), Vec::with_capacity(ex.len()));
    let idx: Vec<usize> = (0..ex.len()).collect();
    for chunk in idx.chunks(BATCH) {
        let input: Vec<u8> = chunk.iter().flat_map(|&i| to_bytes(ex.row(i))).collect();
        let x: Vec<f32> = input.iter().map(|&b| f32::from(b) / 255.0).collect();
        let x = Tensor::<1>::from_floats(x.as_slice(), device).reshape([chunk.len(), ex.dim]);
        let (mu, logvar) = model.encode(x);
        let recon = to_bytes(&to_vec(model.decode(mu.clone())));
        let (mu, logvar) = (to_vec(mu), to_vec(logvar));
        let d = mu.len() / chunk.len();
        for j in 0..chunk.len() {
            let (px, zs) = (j * ex.dim..(j + 1) * ex.dim, j * d..(j + 1) * d);
            let sigma = latent::ood::sigma(&logvar[zs.clone()]);
            missed.push(latent::ood::missed_share(&input[px.clone()], &recon[px.clone()]));
            scores.push(latent::ood::negative_elbo(&input[px.clone()], &recon[px], &mu[zs], &sigma));
        }
    }
    let (learned, draws) = source.ood_words();
    OodReference {
        quantiles: latent::ood::percentiles(scores),
        missed_quantiles: latent::ood::percentiles(missed),
        images: ex.len(),
        learned: learned.into(),
        draws: draws.into(),
    }
}

/// Test ELBO (one posterior sample per image), reconstruction MSE of the mean decode, and the
/// per-dimension KL averaged over the set. Against a learned mixture the ELBO's KL is the
/// one-sample estimate log q(z|x) − log p(z), and the per-dimension KL (which orders the
/// sliders) is taken against N(0, 1), the mixture's standardised marginal.
pub fn elbo_metrics(
    model: &Model,
    ex: &Examples,
    enc: &Encodings,
    device: &Device,
    variational: bool,
    prior: Prior,
) -> (f64, f64, Vec<f32>) {
    let d = enc.mu[0].len();
    let mut rng = Rng::new(TEST_BINARISE_SEED);
    let mut noise = Rng::new(TEST_BINARISE_SEED + 1);
    let (mut elbo_sum, mut se_sum) = (0.0f64, 0.0f64);
    let mut kl_dims = vec![0.0f64; d];
    let idx: Vec<usize> = (0..ex.len()).collect();
    for chunk in idx.chunks(BATCH) {
        let b = chunk.len();
        let xb = Tensor::<1>::from_floats(batch(ex, chunk, Some(&mut rng)).as_slice(), device)
            .reshape([b, ex.dim]);
        let grey = Tensor::<1>::from_floats(batch(ex, chunk, None).as_slice(), device).reshape([b, ex.dim]);
        let mu: Vec<f32> = chunk.iter().flat_map(|&i| enc.mu[i].clone()).collect();
        let lv: Vec<f32> = chunk.iter().flat_map(|&i| enc.logvar[i].clone()).collect();
        let z: Vec<f32> = if variational {
            mu.iter().zip(&lv).map(|(m, l)| m + (0.5 * l).exp() * noise.normal()).collect()
        } else {
            mu.clone()
        };
        let mu_t = Tensor::<1>::from_floats(mu.as_slice(), device).reshape([b, d]);
        let lv_t = Tensor::<1>::from_floats(lv.as_slice(), device).reshape([b, d]);
        let z_t = Tensor::<1>::from_floats(z.as_slice(), device).reshape([b, d]);
        let nll = to_vec(bernoulli_nll(xb, model.decode_logits(z_t)));
        let kl = kl_per_dim(mu_t.clone(), lv_t);
        let kl_rows: Vec<f32> = match prior {
            Prior::Standard => to_vec(kl.clone().sum_dim(1)),
            Prior::Mixture(_) => (0..b)
                .map(|j| {
                    let r = j * d..(j + 1) * d;
                    let zr = &z[r.clone()];
                    (log_normal(zr, &mu[r.clone()], &lv[r]) - prior.log_density(zr)) as f32
                })
                .collect(),
        };
        for (k, v) in to_vec(kl.sum_dim(0)).iter().enumerate() {
            kl_dims[k] += f64::from(*v);
        }
        for (n, k) in nll.iter().zip(&kl_rows) {
            elbo_sum -= f64::from(*n) + if variational { f64::from(*k) } else { 0.0 };
        }
        let recon = model.decode(mu_t);
        se_sum += f64::from((recon - grey).powf_scalar(2.0).sum().into_scalar::<f32>());
    }
    let n = ex.len() as f64;
    let kl_per = kl_dims.iter().map(|k| (k / n) as f32).collect();
    (elbo_sum / n, se_sum / (n * ex.dim as f64), kl_per)
}

/// A sparse code's units firing (above zero) per image, on average.
pub fn units_on(enc: &Encodings) -> f64 {
    let on: usize = enc.mu.iter().map(|z| z.iter().filter(|v| **v > 0.0).count()).sum();
    on as f64 / enc.mu.len().max(1) as f64
}

/// Masking noise as `train denoise` applies it: half of each test image's pixels set to 0.
pub const TEST_MASK: f32 = 0.5;

/// How well a model denoises: the mean squared error of its reconstruction (decoded μ) of
/// inputs with `share` of their pixels set to 0, against the clean images. The mask comes from a
/// fixed seed, so every model is scored on the same damaged inputs.
pub fn masked_recon_mse(model: &Model, ex: &Examples, share: f32, device: &Device, variational: bool) -> f64 {
    let mut rng = Rng::new(TEST_BINARISE_SEED + 3);
    let masked = Examples { x: crate::fit::mask(&ex.x, share, &mut rng), ..ex.clone() };
    let enc = encode_all(model, &masked, device);
    elbo_metrics(model, ex, &enc, device, variational, Prior::Standard).1
}

/// Mean μ per class label.
pub fn label_means(enc: &Encodings, labels: &[u16], classes: usize) -> Vec<Vec<f32>> {
    (0..classes)
        .map(|c| {
            let members =
                enc.mu.iter().zip(labels).filter(|(_, l)| usize::from(**l) == c).map(|(m, _)| m.as_slice());
            latent::mean(members, "class").unwrap_or_default()
        })
        .collect()
}

/// mean(μ | attribute) − mean(μ | not attribute) for every face attribute bit.
pub fn attribute_vectors(enc: &Encodings, labels: &[u16], names: &[String]) -> Vec<NamedVector> {
    names
        .iter()
        .enumerate()
        .filter_map(|(k, name)| {
            let has = |l: &u16| l & (1 << k) != 0;
            let with = enc.mu.iter().zip(labels).filter(|(_, l)| has(l)).map(|(m, _)| m.as_slice());
            let without = enc.mu.iter().zip(labels).filter(|(_, l)| !has(l)).map(|(m, _)| m.as_slice());
            let count = labels.iter().filter(|l| has(l)).count();
            let vector = latent::mean_difference(with, without).ok()?;
            Some(NamedVector { name: name.clone(), vector, support: Some([count, labels.len() - count]) })
        })
        .collect()
}

/// Held-out faces the shipped attribute vectors average over. Each vector is a difference of two
/// means: for an earlier faces-vae, vectors from 5,000 faces (what the other metrics use) were
/// 0.13–0.19 away from those from 50,000, 9% of its glasses vector's length but half of its
/// weak smile vector's (0.34).
pub const VECTOR_FACES: usize = 50_000;

/// [`attribute_vectors`] over `n` held-out faces, rendered and encoded a chunk at a time so the
/// pixels of all of them are never in memory at once.
pub fn face_attribute_vectors(model: &Model, n: usize, device: &Device) -> Vec<NamedVector> {
    face_attribute_vectors_in_chunks(model, n, 5_000, device)
}

fn face_attribute_vectors_in_chunks(
    model: &Model,
    n: usize,
    chunk: usize,
    device: &Device,
) -> Vec<NamedVector> {
    let mut mu = Vec::with_capacity(n);
    let mut labels = Vec::with_capacity(n);
    for first in (0..n).step_by(chunk) {
        let faces = crate::examples::render_faces(
            crate::examples::FACE_TEST_SEED + first as u64,
            chunk.min(n - first),
        );
        mu.extend(encode_all(model, &faces, device).mu);
        labels.extend(faces.labels);
    }
    let names = Source::Faces.label_names();
    attribute_vectors(&Encodings { mu, logvar: vec![] }, &labels, &names)
}

/// PCA of the first `n` test encodings, with their projected points and labels. For faces the
/// label is the glasses bit, the attribute the app's map colours by default.
pub fn map(enc: &Encodings, labels: &[u16], n: usize, source: Source) -> Option<MapProjection> {
    let n = n.min(enc.mu.len());
    let projection = latent::Projection::fit(&enc.mu[..n])?;
    let points = enc.mu[..n]
        .iter()
        .zip(labels)
        .map(|(m, l)| {
            let [x, y] = projection.project(m);
            let label = if source == Source::Faces { f32::from(l & 1) } else { f32::from(*l) };
            [x, y, label]
        })
        .collect();
    Some(MapProjection { projection, points })
}

/// The first `n` test encodings whole, with their labels, for `codes.bin`: the same images
/// (and the same binarisation) as the map's first points. Faces keep all their attribute bits,
/// so the page can score every attribute vector, not only the glasses the map is coloured by.
pub fn codes(enc: &Encodings, labels: &[u16], n: usize) -> bundle::Codes {
    let n = n.min(enc.mu.len()).min(enc.logvar.len()).min(labels.len());
    bundle::Codes { mu: enc.mu[..n].to_vec(), logvar: enc.logvar[..n].to_vec(), labels: labels[..n].to_vec() }
}

pub fn active_units(kl_per_dim: &[f32]) -> usize {
    kl_per_dim.iter().filter(|k| **k > 0.01).count()
}

/// The measured numbers written into `manifest.metrics`. A plain autoencoder has no ELBO: its
/// number is the reconstruction log-likelihood alone, and its "KL" only measures how far its
/// codes sit from the prior, so they are named for what they are.
pub fn metrics_map(elbo: f64, mse: f64, kl: &[f32], variational: bool) -> BTreeMap<String, f64> {
    let first = if variational { "test_elbo_nats" } else { "test_recon_loglik_nats" };
    BTreeMap::from([
        (first.to_string(), elbo),
        ("test_recon_mse".to_string(), mse),
        ("active_units".to_string(), active_units(kl) as f64),
        ("total_kl_nats".to_string(), kl.iter().map(|k| f64::from(*k)).sum()),
    ])
}

/// Test negative log-likelihood in nats, estimated by importance sampling with `k` samples from
/// q(z|x) per image: −log (1/k) Σ p(x|z)p(z)/q(z|x), as in Burda et al. (2015). Images are
/// binarised with the fixed test seed, so the number is reproducible. Returns the mean over the
/// first `images` test images.
pub fn importance_nll(
    model: &Model,
    ex: &Examples,
    k: usize,
    images: usize,
    device: &Device,
    prior: Prior,
) -> f64 {
    const LN_2PI: f64 = 1.837_877_066_409_345_5;
    let enc = encode_all(
        model,
        &Examples { x: ex.x[..images * ex.dim].to_vec(), labels: ex.labels[..images].to_vec(), ..ex.clone() },
        device,
    );
    let mut bin = Rng::new(TEST_BINARISE_SEED);
    let mut noise = Rng::new(TEST_BINARISE_SEED + 7);
    let d = enc.mu[0].len();
    // Enough images per batch that one decode call carries ~4k rows.
    let per_batch = (4096 / k).max(1);
    let mut total = 0.0f64;
    let idx: Vec<usize> = (0..images).collect();
    for chunk in idx.chunks(per_batch) {
        let x = batch(ex, chunk, Some(&mut bin));
        let rows = chunk.len() * k;
        let mut z = Vec::with_capacity(rows * d);
        let mut log_prior_minus_q = Vec::with_capacity(rows);
        let mut x_rep = Vec::with_capacity(rows * ex.dim);
        for (j, &i) in chunk.iter().enumerate() {
            let (mu, lv) = (&enc.mu[i], &enc.logvar[i]);
            for _ in 0..k {
                let (mut lp, mut lq) = (0.0f64, 0.0f64);
                let first = z.len();
                for t in 0..d {
                    let eps = noise.normal();
                    let zt = mu[t] + (0.5 * lv[t]).exp() * eps;
                    z.push(zt);
                    lp -= 0.5 * (f64::from(zt) * f64::from(zt) + LN_2PI);
                    lq -= 0.5 * (f64::from(eps) * f64::from(eps) + f64::from(lv[t]) + LN_2PI);
                }
                if let Prior::Mixture(m) = prior {
                    lp = m.log_density(&z[first..]);
                }
                log_prior_minus_q.push(lp - lq);
                x_rep.extend_from_slice(&x[j * ex.dim..(j + 1) * ex.dim]);
            }
        }
        let z_t = Tensor::<1>::from_floats(z.as_slice(), device).reshape([rows, d]);
        let x_t = Tensor::<1>::from_floats(x_rep.as_slice(), device).reshape([rows, ex.dim]);
        let nll = to_vec(bernoulli_nll(x_t, model.decode_logits(z_t)));
        for j in 0..chunk.len() {
            let logw: Vec<f64> =
                (0..k).map(|s| log_prior_minus_q[j * k + s] - f64::from(nll[j * k + s])).collect();
            let max = logw.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let lse = max + logw.iter().map(|w| (w - max).exp()).sum::<f64>().ln();
            total += -(lse - (k as f64).ln());
        }
    }
    total / images as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rendering and encoding a chunk at a time must give exactly the vectors of doing it at once.
    #[test]
    fn chunked_face_vectors_equal_the_whole_set_at_once() {
        let device = Device::flex();
        let arch = bundle::Architecture::Conv {
            size: 64,
            channels: 3,
            widths: vec![4, 4, 4, 4],
            latent_dim: 3,
            head: 0,
        };
        let model = Model::new(&arch, &device);
        let chunked = face_attribute_vectors_in_chunks(&model, 30, 7, &device);
        let faces = crate::examples::render_faces(crate::examples::FACE_TEST_SEED, 30);
        let whole = attribute_vectors(
            &encode_all(&model, &faces, &device),
            &faces.labels,
            &Source::Faces.label_names(),
        );
        assert_eq!(chunked.len(), whole.len());
        for (a, b) in chunked.iter().zip(&whole) {
            assert_eq!(a.name, b.name);
            assert_eq!(a.support, b.support);
            assert_eq!(a.support.map(|[w, wo]| w + wo), Some(30));
            for (x, y) in a.vector.iter().zip(&b.vector) {
                assert!((x - y).abs() < 1e-5, "{}: {x} vs {y}", a.name);
            }
        }
    }
}
