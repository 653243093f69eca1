//! What each of the trainer's subcommands does; `main.rs` only parses the command line and
//! calls one of these. Every folder argument defaults to `web/models` of this checkout.

use crate::examples::Source;
use crate::fit::{CpuBackend, FitOptions, fit};
use crate::reports::{read_bundle, write_manifest};
use crate::{compact, evaluate, export, presets};
use bundle::{FORMAT_VERSION, ImageShape, Manifest, Training};
use burn::module::Module;
use burn::prelude::*;
use data::Split;
use latent::prior::{Mixture, Prior};
use std::path::{Path, PathBuf};
use vae::Model;

pub type Result = std::result::Result<(), Box<dyn std::error::Error>>;

/// What `train train` may change in a preset for one run; the manifest records what was used.
#[derive(Default)]
pub struct TrainRun {
    pub epochs: Option<usize>,
    pub max_steps: Option<usize>,
    pub subset: Option<usize>,
    pub out: Option<PathBuf>,
    pub resume: bool,
    pub beta: Option<f32>,
    pub widths: Option<Vec<usize>>,
    pub head: Option<usize>,
    pub seed: Option<u64>,
}

fn find(name: &str) -> std::result::Result<presets::Preset, String> {
    presets::find(name).ok_or_else(|| format!("no preset named {name}; try `train list`"))
}

/// Train a preset, evaluate it on held-out data and write its bundle.
pub fn train(name: &str, run: TrainRun) -> Result {
    let mut preset = find(name)?;
    if let Some(e) = run.epochs {
        preset.epochs = e;
    }
    if let Some(b) = run.beta {
        preset.beta = b;
    }
    if let Some(s) = run.seed {
        preset.seed = s;
    }
    if let bundle::Architecture::Conv { widths: w, head: h, .. } = &mut preset.architecture {
        *w = run.widths.unwrap_or_else(|| w.clone());
        *h = run.head.unwrap_or(*h);
    }
    preset.architecture.validate()?;
    let mut train_set = preset.source.load(Split::Train, preset.train_faces)?;
    if let Some(n) = run.subset {
        train_set.truncate(n);
    }
    println!("training {name} on {} examples of {}", train_set.len(), preset.source.name());
    // The stacked autoencoder first trains its layer pairs one at a time, then fine-tunes.
    let pretrained = if preset.greedy_epochs > 0 {
        let test = preset.source.load(Split::Test, 5_000)?;
        Some(crate::stacked::pretrain(&preset, &train_set, &test, CpuBackend::Flex)?)
    } else {
        None
    };
    let (model, report) = fit(
        &preset,
        &train_set,
        &FitOptions {
            max_steps: run.max_steps,
            progress: true,
            checkpoints: Some(export::checkpoints_dir(name)),
            resume: run.resume,
            backend: CpuBackend::Flex,
            start: pretrained.as_ref().map(|p| p.model.clone()),
        },
    );
    println!(
        "trained in {:.0} s ({:.0} samples/s), loss {:.2} -> {:.2}",
        report.seconds, report.samples_per_second, report.first_loss, report.last_loss
    );
    // A learned prior is rescaled with the code to mean 0 and variance 1 per dimension.
    let (model, prior) = match &report.prior {
        Some(mixture) => {
            let (m, p) = vae::prior::standardise(model, mixture);
            (m, Some(p))
        }
        None => (model, None),
    };
    let training = Training {
        dataset: preset.source.name().into(),
        epochs: preset.epochs,
        batch_size: preset.batch_size,
        learning_rate: preset.learning_rate,
        learning_rate_schedule: if preset.final_lr_fraction < 1.0 {
            format!("cosine to {}", preset.final_lr_fraction)
        } else {
            "constant".into()
        },
        seed: preset.seed,
        seconds: report.seconds,
        backend: "flex (burn 0.22.1, native)".into(),
        samples_per_second: report.samples_per_second,
        input_mask: preset.input_mask,
        sparsity: preset.sparsity,
        greedy_epochs: preset.greedy_epochs,
    };
    let mut manifest = describe(&preset, &model, training, prior)?;
    if let Some(p) = &pretrained {
        for (k, mse) in p.stage_mse.iter().enumerate() {
            manifest.metrics.insert(format!("greedy_stage_{}_recon_mse", k + 1), *mse);
        }
        manifest.metrics.insert("greedy_seconds".into(), p.seconds);
        manifest.training.seconds += p.seconds;
    }
    let dir = run.out.unwrap_or_else(export::models_dir);
    export::write_examples(&dir, &mut manifest, preset.source)?;
    export::write_codes(&dir, &mut manifest, &model, preset.source)?;
    export::write_bundle(&dir, &manifest, model)?;
    println!("wrote {}", dir.join(&manifest.name).display());
    for (k, v) in &manifest.metrics {
        println!("  {k}: {v:.4}");
    }
    Ok(())
}

/// Write a bundle with untrained (random) weights: for developing the app, never shipped.
pub fn export_untrained(name: &str, out: Option<PathBuf>) -> Result {
    let preset = find(name)?;
    let device = Device::flex();
    device.seed(preset.seed);
    let model = Model::new(&preset.architecture, &device);
    let training = Training {
        dataset: "none: random weights".into(),
        epochs: 0,
        batch_size: 0,
        learning_rate: 0.0,
        learning_rate_schedule: String::new(),
        seed: preset.seed,
        seconds: 0.0,
        backend: "none".into(),
        samples_per_second: 0.0,
        input_mask: preset.input_mask,
        sparsity: preset.sparsity,
        greedy_epochs: preset.greedy_epochs,
    };
    let manifest = describe(&preset, &model, training, None)?;
    let dir = out.unwrap_or_else(export::models_dir);
    export::write_bundle(&dir, &manifest, model)?;
    println!("wrote untrained {}", dir.join(&manifest.name).display());
    Ok(())
}

/// Measure the test NLL of a bundle by importance sampling and record it in its manifest.
pub fn eval(name: &str, k: usize, images: usize, out: Option<PathBuf>) -> Result {
    let preset = find(name)?;
    if !preset.architecture.is_variational() || preset.source == Source::Faces {
        return Err("the importance-sampled NLL is defined for the binarised-digit VAEs only".into());
    }
    let dir = out.unwrap_or_else(export::models_dir).join(name);
    let manifest_path = dir.join(bundle::MANIFEST_FILE);
    let mut manifest = Manifest::parse(&std::fs::read_to_string(&manifest_path)?)?;
    let device = Device::flex();
    let model = vae::load_bundle_dir(&manifest, &dir, &device)?;
    let test = preset.source.load(Split::Test, 0)?;
    let images = images.min(test.len());
    let start = std::time::Instant::now();
    let nll = evaluate::importance_nll(&model, &test, k, images, &device, manifest.prior());
    let seconds = start.elapsed().as_secs_f64();
    println!("{name}: test NLL {nll:.2} nats (k = {k}, {images} images, {seconds:.0} s)");
    manifest.metrics.insert("test_nll_nats".into(), nll);
    manifest.metrics.insert("test_nll_k".into(), k as f64);
    manifest.metrics.insert("test_nll_images".into(), images as f64);
    manifest.metrics.insert("test_nll_seconds".into(), seconds);
    std::fs::write(&manifest_path, serde_json::to_string_pretty(&manifest)?)?;
    Ok(())
}

/// (Re)write the example images of existing bundles (all presets when `names` is empty), with
/// their precomputed encodings.
pub fn examples(names: &[String], out: Option<PathBuf>) -> Result {
    let dir = out.unwrap_or_else(export::models_dir);
    let presets: Vec<presets::Preset> = if names.is_empty() {
        presets::all()
    } else {
        names.iter().map(|n| find(n)).collect::<std::result::Result<_, _>>()?
    };
    for p in presets {
        let path = dir.join(p.name).join(bundle::MANIFEST_FILE);
        let mut manifest = Manifest::parse(&std::fs::read_to_string(&path)?)?;
        export::write_examples(&dir, &mut manifest, p.source)?;
        // New pictures need new precomputed encodings.
        let (_, model) = read_bundle(&dir, p.name)?;
        compact::encode_examples(&dir.join(p.name), &mut manifest, &model, &Device::flex())?;
        write_manifest(&dir, &manifest)?;
        println!("{}: {} examples", p.name, manifest.examples.len());
    }
    Ok(())
}

/// Rewrite bundles' weights compactly (every bundle in the folder when `names` is empty) and
/// print the measured pixel difference against the f32 weights, which the manifests record.
pub fn compact(names: Vec<String>, out: Option<PathBuf>) -> Result {
    let dir = out.unwrap_or_else(export::models_dir);
    let names = bundles_in(&dir, names);
    println!(
        "| model | f16 max abs pixel diff | mean | decoder bytes | encoder bytes |\n|---|---|---|---|---|"
    );
    for name in names {
        let (mut manifest, model) = read_bundle(&dir, &name)?;
        let loss = compact::write(&dir.join(&name), &mut manifest, &model)?;
        write_manifest(&dir, &manifest)?;
        let size = |f: &str| std::fs::metadata(dir.join(&name).join(f)).map_or(0, |m| m.len());
        println!(
            "| {name} | {:.5} ({:.2}/255) | {:.6} | {} | {} |",
            loss.max,
            loss.max * 255.0,
            loss.mean,
            size(compact::DECODER_FILE),
            size(compact::ENCODER_FILE)
        );
    }
    Ok(())
}

/// Rendered test faces the OOD reference is taken over (the digit sets use all 10,000).
const OOD_FACES: usize = 2_000;

/// Score every test image as the page scores a gallery item and store the percentiles in each
/// bundle's manifest (every bundle in the folder when `names` is empty), for the page's "unlike
/// what it learned" notice.
pub fn ood(names: Vec<String>, out: Option<PathBuf>) -> Result {
    let dir = out.unwrap_or_else(export::models_dir);
    println!(
        "| model | test images | negative ELBO median / 99th percentile (nats) | missed share median / 99th percentile |\n|---|---|---|---|"
    );
    for name in bundles_in(&dir, names) {
        let (mut manifest, model) = read_bundle(&dir, &name)?;
        let source = find(&name)?.source;
        let test = source.load(Split::Test, OOD_FACES)?;
        let reference = evaluate::ood_reference(&model, &test, source, &Device::flex());
        println!(
            "| {name} | {} | {:.1} / {:.1} | {:.3} / {:.3} |",
            reference.images,
            reference.quantiles[50],
            reference.quantiles[99],
            reference.missed_quantiles[50],
            reference.missed_quantiles[99]
        );
        manifest.ood = Some(reference);
        write_manifest(&dir, &manifest)?;
    }
    Ok(())
}

/// Score digit bundles on the same masked test images (`evaluate::masked_recon_mse`) and record
/// the figure in their manifests, so the denoising autoencoder can be set against the others.
pub fn denoise(names: Vec<String>, images: usize, out: Option<PathBuf>) -> Result {
    let dir = out.unwrap_or_else(export::models_dir);
    let device = Device::flex();
    for name in bundles_in(&dir, names) {
        let preset = find(&name)?;
        if preset.source == Source::Faces {
            continue;
        }
        let (mut manifest, model) = read_bundle(&dir, &name)?;
        let test = preset.source.load(Split::Test, images)?;
        let clean =
            evaluate::masked_recon_mse(&model, &test, 0.0, &device, preset.architecture.is_variational());
        let masked = evaluate::masked_recon_mse(
            &model,
            &test,
            evaluate::TEST_MASK,
            &device,
            preset.architecture.is_variational(),
        );
        println!(
            "{name}: reconstruction MSE {clean:.4} from clean inputs, {masked:.4} from half-masked ones"
        );
        manifest.metrics.insert("test_masked_recon_mse".into(), masked);
        manifest.metrics.insert("test_masked_share".into(), f64::from(evaluate::TEST_MASK));
        write_manifest(&dir, &manifest)?;
    }
    Ok(())
}

/// Write the test codes file of existing bundles (every bundle in the folder when `names` is
/// empty) from their shipped encoders, for the views that measure the latent space.
pub fn codes(names: Vec<String>, out: Option<PathBuf>) -> Result {
    let dir = out.unwrap_or_else(export::models_dir);
    for name in bundles_in(&dir, names) {
        let (mut manifest, model) = read_bundle(&dir, &name)?;
        export::write_codes(&dir, &mut manifest, &model, find(&name)?.source)?;
        write_manifest(&dir, &manifest)?;
        let c = manifest.codes.as_ref().map_or(0, |c| c.count);
        println!("{name}: {c} test codes in {}", dir.join(&name).join(bundle::CODES_FILE).display());
    }
    Ok(())
}

/// The named bundles, or every preset that has a bundle in `dir` when none are named.
fn bundles_in(dir: &Path, names: Vec<String>) -> Vec<String> {
    if names.is_empty() {
        presets::all().iter().map(|p| p.name.to_string()).filter(|n| dir.join(n).is_dir()).collect()
    } else {
        names
    }
}

/// `train score`: each picture's out-of-distribution score under bundle `name`, one line each.
/// With `show`, each prepared input and its reconstruction side by side in `<show>/<n>.png`.
pub fn score(name: &str, files: &[PathBuf], show: Option<&Path>) -> Result {
    let (manifest, model) = read_bundle(&export::models_dir(), name)?;
    println!(
        "| picture | reconstruction (nats) | KL (nats) | negative ELBO | its percentile | missed share | its percentile | rarity |\n|---|---|---|---|---|---|---|---|"
    );
    for file in files {
        let bytes =
            if file.as_os_str() == "cat" { data::lfw::cat_photo_png()? } else { std::fs::read(file)? };
        let img = crate::score::decode_png(&bytes)?;
        let s = crate::score::score_picture(&model, &manifest, &img, &Device::flex())?;
        if let Some(dir) = show {
            let (w, h, c) = (manifest.image.width, manifest.image.height, manifest.image.channels);
            let side_by_side: Vec<f32> = (0..h)
                .flat_map(|y| {
                    let row = |v: &[u8]| v[y * w * c..(y + 1) * w * c].to_vec();
                    [row(&s.input), row(&s.reconstruction)].concat()
                })
                .map(|b| f32::from(b) / 255.0)
                .collect();
            let stem = file.file_stem().map_or("picture".into(), |s| s.to_string_lossy().to_string());
            export::write_png(&dir.join(format!("{stem}.png")), 2 * w, h, c, &side_by_side)?;
        }
        println!(
            "| {} | {:.1} | {:.1} | {:.1} | {:.2}% | {:.3} | {:.2}% | {:.2}% |",
            file.display(),
            s.reconstruction_nats,
            s.kl_nats,
            s.score,
            s.elbo_percentile,
            s.missed,
            s.missed_percentile,
            s.rarity
        );
    }
    Ok(())
}

/// Recompute faces-vae's attribute vectors over `faces` held-out faces into its manifest.
pub fn vectors(faces: usize, out: Option<PathBuf>) -> Result {
    let dir = out.unwrap_or_else(export::models_dir);
    let (mut manifest, model) = read_bundle(&dir, "faces-vae")?;
    let start = std::time::Instant::now();
    manifest.vectors = evaluate::face_attribute_vectors(&model, faces, &Device::flex());
    write_manifest(&dir, &manifest)?;
    for v in &manifest.vectors {
        let norm = v.vector.iter().map(|x| x * x).sum::<f32>().sqrt();
        println!("{:16} |v| = {norm:.3}  support {:?}", v.name, v.support);
    }
    println!("{faces} faces in {:.0} s", start.elapsed().as_secs_f64());
    Ok(())
}

/// Write a decoder as an ONNX file, weights unchanged (the benchmark's peer): a bundle's (MLP,
/// or conv as `vae::as_graph` writes it), or, when `name` is a folder `tools/export_torch.py`
/// wrote, that exported model's.
pub fn onnx(name: &str, to: &Path) -> Result {
    let producer = "latent-lab train onnx";
    let folder = Path::new(name);
    let bytes = if folder.join("graph.json").is_file() {
        let exported =
            bundle::exported::Exported::parse(&std::fs::read_to_string(folder.join("graph.json"))?)?;
        let tensors = vae::graph::read_safetensors(&std::fs::read(folder.join("weights.safetensors"))?)?;
        let m = &exported.model;
        let image = [m.image.channels, m.image.height, m.image.width];
        crate::onnx_graph::graph_decoder(&m.decoder, &tensors, m.output, image, producer)?
    } else {
        let (manifest, model) = read_bundle(&export::models_dir(), name)?;
        match model.mlp_decoder() {
            Some(layers) => crate::onnx::mlp_decoder(&layers, producer),
            None => {
                let (graph, tensors) = vae::as_graph::conv_decoder(&model)
                    .ok_or_else(|| format!("{name}'s decoder has no graph"))?;
                let i = &manifest.image;
                let image = [i.channels, i.height, i.width];
                let logits = bundle::exported::OutputRange::Logits;
                crate::onnx_graph::graph_decoder(&graph, &tensors, logits, image, producer)?
            }
        }
    };
    std::fs::write(to, &bytes)?;
    println!("wrote {} ({:.1} MB)", to.display(), bytes.len() as f64 / 1e6);
    Ok(())
}

/// Fine-tune faces-vae's encoder for photos (`photo_encoder.rs`) and rewrite the bundle from
/// the new encoder: its weights, the examples' encodings, the attribute vectors, the map, the
/// test metrics and the OOD reference. The decoder is written back unchanged.
pub fn photo_encoder(steps: usize, out: Option<PathBuf>) -> Result {
    let dir = out.unwrap_or_else(export::models_dir);
    let (mut manifest, model) = read_bundle(&dir, "faces-vae")?;
    let opts = crate::photo_encoder::Options { steps, ..Default::default() };
    let (tuned, report) = crate::photo_encoder::fine_tune(&model, &manifest, &opts)?;
    println!(
        "fine-tuned in {:.0} s: distance to the clean codes {:.3} -> {:.3}",
        report.seconds, report.first_loss, report.last_loss
    );
    let device = Device::flex();
    compact::write(&dir.join("faces-vae"), &mut manifest, &tuned)?;
    manifest.vectors = evaluate::face_attribute_vectors(&tuned, evaluate::VECTOR_FACES, &device);
    let test = Source::Faces.load(Split::Test, 5_000)?;
    let enc = evaluate::encode_all(&tuned, &test, &device);
    let (elbo, mse, kl) = evaluate::elbo_metrics(&tuned, &test, &enc, &device, true, Prior::Standard);
    manifest.metrics.extend(evaluate::metrics_map(elbo, mse, &kl, true));
    manifest.kl_per_dim = kl;
    manifest.map = evaluate::map(&enc, &test.labels, 2_000, Source::Faces);
    let ood_set = Source::Faces.load(Split::Test, OOD_FACES)?;
    manifest.ood = Some(evaluate::ood_reference(&tuned, &ood_set, Source::Faces, &device));
    manifest.metrics.insert("photo_encoder_steps".into(), steps as f64);
    manifest.metrics.insert("photo_encoder_distance_first".into(), f64::from(report.first_loss));
    manifest.metrics.insert("photo_encoder_distance_last".into(), f64::from(report.last_loss));
    manifest.metrics.insert("photo_encoder_seconds".into(), report.seconds);
    write_manifest(&dir, &manifest)?;
    println!("rewrote {} (test ELBO {elbo:.1}, MSE {mse:.5})", dir.join("faces-vae").display());
    Ok(())
}

/// Train a melody model, measure it on held-out tunes and write `weights.bpk` and
/// `figures.json` to `out/<name>`.
pub fn melody(name: &str, epochs: Option<usize>, max_steps: Option<usize>, out: Option<PathBuf>) -> Result {
    let mut preset = crate::melody::find(name).ok_or_else(|| format!("no melody preset named {name}"))?;
    if let Some(e) = epochs {
        preset.epochs = e;
    }
    let tunes = data::tunes::tunes_from(&data::sets::data_dir().join(data::tunes::MUSIC21_WHEEL))?;
    let train = data::tunes::windows_of(&tunes, Split::Train);
    let test = data::tunes::windows_of(&tunes, Split::Test);
    println!(
        "{name}: {} tunes, {} training and {} held-out two-bar phrases",
        tunes.len(),
        train.len(),
        test.len()
    );
    let (model, report) = crate::melody::fit(&preset, &train, max_steps);
    println!(
        "trained in {:.0} s ({:.0} phrases/s), reconstruction {:.2} -> {:.2} nats per phrase",
        report.seconds, report.samples_per_second, report.first_loss, report.last_loss
    );
    let device = Device::flex();
    let figures = crate::melody::measure(&model, &test, &device);
    println!("{}", serde_json::to_string_pretty(&figures)?);
    let dir = out.unwrap_or_else(|| paths::target_dir().join("melodies")).join(name);
    std::fs::create_dir_all(&dir)?;
    let bytes = model.into_record().into_bytes().map_err(|e| e.to_string())?;
    std::fs::write(dir.join("weights.bpk"), bytes.to_vec())?;
    let record = serde_json::json!({
        "name": name,
        "description": preset.description,
        "training": { "epochs": preset.epochs, "batch_size": preset.batch_size, "beta": preset.beta,
                      "free_nats": preset.free_nats, "seconds": report.seconds, "seed": preset.seed },
        "figures": figures,
    });
    std::fs::write(dir.join("figures.json"), serde_json::to_string_pretty(&record)?)?;
    println!("wrote {}", dir.display());
    Ok(())
}

/// Bundle `train melody`'s weights for the page (`melody_bundle::write_bundle`).
pub fn melody_bundle(name: &str, from: Option<PathBuf>, to: Option<PathBuf>) -> Result {
    let src = from.unwrap_or_else(|| paths::target_dir().join("melodies")).join(name);
    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(src.join("figures.json"))?)?;
    let mut preset = crate::melody::find(name).ok_or_else(|| format!("no melody preset named {name}"))?;
    // The run may have overridden the preset's epochs; the bundle says what was trained.
    if let Some(e) = record["training"]["epochs"].as_u64() {
        preset.epochs = e as usize;
    }
    let seconds = record["training"]["seconds"].as_f64().unwrap_or(0.0);
    let weights = std::fs::read(src.join(bundle::WEIGHTS_FILE))?;
    let tunes = data::tunes::tunes_from(&data::sets::data_dir().join(data::tunes::MUSIC21_WHEEL))?;
    let titles: Vec<String> = tunes.iter().map(|t| t.title.clone()).collect();
    let train = data::tunes::windows_of(&tunes, Split::Train);
    let test = data::tunes::windows_of(&tunes, Split::Test);
    let models = to.unwrap_or_else(paths::models_dir);
    let m = crate::melody_bundle::write_bundle(&preset, weights, seconds, &train, &test, &titles, &models)?;
    println!("{}", serde_json::to_string_pretty(&m.metrics)?);
    for v in &m.vectors {
        println!("vector {}: {:?} phrases with and without", v.name, v.support);
    }
    println!("wrote {}", models.join(name).display());
    Ok(())
}

/// List the presets.
pub fn list() -> Result {
    for p in presets::all() {
        println!("{:18} {}", p.name, p.description);
    }
    Ok(())
}

/// Training throughput of each CPU backend compiled in, on the mnist-vae-classic and faces-vae
/// architectures: same batches, same seeds. The classic VAE, not mnist-vae, because PyTorch's
/// side of `cargo xtask bench-train` trains the plain β-ELBO against N(0, I).
pub fn backends(steps: usize, only: Option<&str>) -> Result {
    const MODELS: [&str; 2] = ["mnist-vae-classic", "faces-vae"];
    if let Some(name) = only.filter(|o| !MODELS.contains(o)) {
        return Err(format!("`{name}` is not one of {MODELS:?}").into());
    }
    let threads = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!("| model | backend | batch | samples/s |\n|---|---|---|---|");
    for name in MODELS.into_iter().filter(|n| only.is_none_or(|o| o == *n)) {
        let preset = presets::find(name).ok_or("missing preset")?;
        let mut ex = if preset.source == Source::Faces {
            crate::examples::render_faces(0, preset.batch_size * 8)
        } else {
            preset.source.load(Split::Train, 0)?
        };
        ex.truncate(preset.batch_size * 64);
        for backend in CpuBackend::all() {
            let opts = |n| FitOptions { max_steps: Some(n), backend, ..Default::default() };
            fit(&preset, &ex, &opts(3)); // allocation and first-call costs, not measured
            let (_, r) = fit(&preset, &ex, &opts(steps));
            println!("| {name} | {} | {} | {:.0} |", backend.name(), preset.batch_size, r.samples_per_second);
        }
    }
    println!("\n{threads} threads, release build, {steps} timed steps each.");
    Ok(())
}

/// Evaluate on the test split and fill in everything the manifest records.
fn describe(
    preset: &presets::Preset,
    model: &Model,
    training: Training,
    prior: Option<Mixture>,
) -> std::result::Result<Manifest, Box<dyn std::error::Error>> {
    let device = Device::flex();
    let model = model.clone().to_device(&device);
    let test = preset.source.load(Split::Test, 5_000)?;
    let enc = evaluate::encode_all(&model, &test, &device);
    let variational = preset.architecture.is_variational();
    let (elbo, mse, kl) =
        evaluate::elbo_metrics(&model, &test, &enc, &device, variational, Prior::of(prior.as_ref()));
    let label_names = preset.source.label_names();
    let (label_means, vectors) = match preset.source {
        Source::Faces => (vec![], evaluate::face_attribute_vectors(&model, evaluate::VECTOR_FACES, &device)),
        _ => (evaluate::label_means(&enc, &test.labels, label_names.len()), vec![]),
    };
    let (w, c) = match preset.source {
        Source::Faces => (64, 3),
        _ => (28, 1),
    };
    Ok(Manifest {
        format_version: FORMAT_VERSION,
        name: preset.name.into(),
        description: preset.description.into(),
        architecture: preset.architecture.clone(),
        latent_dim: preset.architecture.latent_dim(),
        image: ImageShape { width: w, height: w, channels: c },
        likelihood: "bernoulli".into(),
        beta: preset.beta,
        training,
        metrics: {
            let mut m = evaluate::metrics_map(elbo, mse, &kl, variational);
            if preset.architecture.has_relu_code() {
                m.insert("units_on_per_image".into(), evaluate::units_on(&enc));
            }
            m
        },
        kl_per_dim: kl,
        label_names,
        label_means,
        vectors,
        map: evaluate::map(&enc, &test.labels, 2_000, preset.source),
        examples: vec![],
        weights: None,
        ood: None,
        slider_order: Default::default(),
        codes: None,
        prior,
    })
}

/// Rendered faces as raw bytes for the PyTorch reference models (`tools/torch_fixture.py`
/// trains AntixK's VanillaVAE on them briefly): `out` holds `count` interleaved 64×64 RGB
/// images, `out.labels` their nine labels, a byte each.
pub fn renders(count: usize, first: u64, out: &Path) -> Result {
    let mut pixels = Vec::with_capacity(count * data::faces::SIZE * data::faces::SIZE * 3);
    let mut labels = Vec::with_capacity(count * 9);
    for i in 0..count as u64 {
        let spec = data::faces::FaceSpec::random(first + i);
        pixels.extend(spec.render());
        labels.extend(spec.labels().map(u8::from));
    }
    std::fs::write(out, pixels)?;
    std::fs::write(out.with_extension("labels"), labels)?;
    println!("wrote {count} faces to {}", out.display());
    Ok(())
}
