//! The CPU path's compiled decoders (`vae::cpu_plan`) against burn's decode, the reference, on
//! every shipped bundle and the three reference PyTorch models: the same pixels for the same
//! codes, one at a time and in a batch.

use bundle::Manifest;
use burn::prelude::*;
use vae::Net;

/// Codes from a fixed sequence spread over ±2.5 (a slider's range and a bit past the prior's mass).
fn codes(n: usize, dim: usize, seed: u64) -> Vec<f32> {
    let mut s = seed;
    (0..n * dim)
        .map(|_| {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((s >> 40) as f32 / (1u64 << 24) as f32) * 5.0 - 2.5
        })
        .collect()
}

/// Largest difference between the compiled decoder's pixels and burn's on `n` codes.
fn worst_difference(net: &Net, dim: usize, n: usize) -> f32 {
    let device = Device::flex();
    let cpu = net.cpu().expect("the model compiles for the CPU path");
    let z = codes(n, dim, 7 + n as u64);
    let ours = cpu.decode(&z, n).expect("a decode");
    let theirs: Vec<f32> = net
        .decode(Tensor::<1>::from_floats(z.as_slice(), &device).reshape([n, dim]))
        .into_data()
        .try_to_vec::<f32>()
        .unwrap();
    assert_eq!(ours.len(), theirs.len());
    ours.iter().zip(&theirs).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max)
}

#[test]
fn every_shipped_decoder_draws_on_the_cpu_path_what_burn_draws() {
    let models = paths::models_dir();
    let index: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(models.join("index.json")).unwrap()).unwrap();
    let names: Vec<String> =
        index.as_array().unwrap().iter().map(|m| m["name"].as_str().unwrap().to_string()).collect();
    assert!(names.len() >= 9, "{names:?}");
    for name in names {
        let dir = models.join(&name);
        let manifest = Manifest::parse(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
        let (decoder, _) = manifest.weight_files();
        let net = Net::load(&manifest, std::fs::read(dir.join(decoder)).unwrap(), &Device::flex()).unwrap();
        for n in [1, 5] {
            let worst = worst_difference(&net, manifest.latent_dim, n);
            assert!(worst < 2e-5, "{name}, {n} codes: pixels differ by {worst}");
        }
    }
}

#[test]
fn the_reference_pytorch_models_draw_on_the_cpu_path_what_burn_draws() {
    let root = paths::root().join("tests/fixtures/torch");
    for folder in ["mlp-vae", "vanilla-vae", "beta-vae-h"] {
        let dir = root.join(folder);
        let json = std::fs::read_to_string(dir.join("graph.json")).unwrap();
        let manifest = bundle::exported::Exported::parse(&json).unwrap().into_manifest();
        let net =
            Net::load(&manifest, std::fs::read(dir.join("weights.safetensors")).unwrap(), &Device::flex())
                .unwrap();
        for n in [1, 3] {
            let worst = worst_difference(&net, manifest.latent_dim, n);
            assert!(worst < 2e-5, "{folder}, {n} codes: pixels differ by {worst}");
        }
    }
}

#[test]
fn a_graph_with_an_op_the_kernels_lack_falls_back_to_burn() {
    // The tiny fixture has a GELU, which the compiled path does not run: no plan, burn decodes.
    let dir = paths::root().join("tests/fixtures/torch");
    let json = std::fs::read_to_string(dir.join("graph.json")).unwrap();
    let manifest = bundle::exported::Exported::parse(&json).unwrap().into_manifest();
    let net = Net::load(&manifest, std::fs::read(dir.join("weights.safetensors")).unwrap(), &Device::flex())
        .unwrap();
    assert!(net.cpu().is_none());
    let pixels = net.decode(Tensor::<2>::zeros([1, manifest.latent_dim], &Device::flex()));
    assert_eq!(pixels.dims()[0], 1);
}

#[test]
fn a_conv_decoders_layer_timings_have_the_same_rows_for_one_code_and_for_a_batch() {
    // Both columns of the page's table come from the compiled steps, one row per step, each with
    // the time it took.
    let dir = paths::models_dir().join("faces-vae");
    let manifest = Manifest::parse(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    let (decoder, _) = manifest.weight_files();
    let device = Device::flex();
    let net = Net::load(&manifest, std::fs::read(dir.join(decoder)).unwrap(), &device).unwrap();
    let start = std::time::Instant::now();
    let now = move || start.elapsed().as_secs_f64() * 1000.0;
    let dim = manifest.latent_dim;
    let codes: Vec<f32> = (0..4 * dim).map(|i| (i as f32 * 0.37).sin()).collect();
    let one = net.profile_decoder(&codes[..dim], 1, &device, 2, &now, |v| v).unwrap();
    let batch = net.profile_decoder(&codes, 4, &device, 2, &now, |v| v).unwrap();
    let names = |rows: &[(String, &'static str, f64)]| rows.iter().map(|r| r.0.clone()).collect::<Vec<_>>();
    assert_eq!(names(&one), names(&batch));
    assert!(one.iter().any(|r| r.0.contains(" + ")), "activations folded into their layers: {one:?}");
    for rows in [&one, &batch] {
        assert!(rows.iter().filter(|r| r.1 == "conv_transpose2d").all(|r| r.2 > 0.0), "{rows:?}");
        // The last row is the output made into pictures, so the rows add up to a whole decode.
        let last = rows.last().unwrap();
        assert_eq!((last.0.as_str(), last.1), ("pixels", "output"), "{rows:?}");
        assert!(last.2 > 0.0, "{rows:?}");
    }
    // Codes that are not `batch` codes long give no table rather than a wrong one.
    assert!(net.profile_decoder(&codes[..dim + 1], 1, &device, 1, &now, |v| v).is_none());
}
