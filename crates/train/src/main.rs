//! `train` — the trainer's command line. `cargo xtask train <model>` calls `train train <model>`.

use bundle::{FORMAT_VERSION, ImageShape, Manifest, Training};
use burn::module::Module;
use burn::prelude::*;
use clap::{Parser, Subcommand};
use data::Split;
use std::path::PathBuf;
use train::examples::Source;
use train::fit::{CpuBackend, FitOptions, fit};
use train::reports::{edits, gaps, read_bundle, write_manifest};
use train::{evaluate, export, presets};
use vae::Model;

#[derive(Parser)]
#[command(about = "Train, evaluate and export Latent Lab model bundles")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Train a preset, evaluate it on held-out data and write its bundle.
    Train {
        /// A preset name (`train list` shows them).
        name: String,
        /// Override the preset's epochs.
        #[arg(long)]
        epochs: Option<usize>,
        /// Stop after this many optimiser steps (smoke runs).
        #[arg(long)]
        max_steps: Option<usize>,
        /// Train on only this many examples (smoke runs).
        #[arg(long)]
        subset: Option<usize>,
        /// Where bundles go (default: web/models).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Continue from the last checkpoint (written after every epoch to target/checkpoints/<name>).
        #[arg(long)]
        resume: bool,
        /// Override the preset's β (the weight of the KL term): for trying a trade-off before
        /// changing a preset. The manifest records the β actually used.
        #[arg(long)]
        beta: Option<f32>,
        /// Override a convolutional preset's channel widths, e.g. `--widths 24,48,96,192`.
        #[arg(long, value_delimiter = ',')]
        widths: Option<Vec<usize>>,
        /// Override a convolutional preset's full-resolution head (channels; 0 for none).
        #[arg(long)]
        head: Option<usize>,
        /// Override the preset's seed (weights' initialisation and batch order): for seeing how
        /// much a figure moves between two runs of the same recipe. The manifest records it.
        #[arg(long)]
        seed: Option<u64>,
    },
    /// Share of 1,000 prior samples each digit model decodes to a confident digit (p >= 0.9 by a
    /// digit classifier trained here): the autoencoder's gaps as a number. Writes the manifests.
    Gaps {
        #[arg(long, default_value_t = 1000)]
        samples: usize,
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Add attribute vectors to held-out faces that lack the attribute and measure, with a
    /// detector trained on the generator's labels, how many gain it and where pixels change.
    Edits {
        #[arg(long, default_value_t = 500)]
        faces: usize,
        /// Strengths to add the vector at; the first is the one the manifest records.
        #[arg(long, value_delimiter = ',', default_value = "1,1.5,2")]
        strength: Vec<f32>,
        #[arg(long, value_delimiter = ',', default_value = "glasses,smile")]
        attributes: Vec<String>,
        #[arg(long)]
        out: Option<PathBuf>,
        /// Also draw the first faces (render, reconstruction, edited) to `<DIR>/edit-<attribute>.png`.
        #[arg(long)]
        pictures: Option<PathBuf>,
        /// Also write the table, with how it was taken, to this Markdown file.
        #[arg(long)]
        report: Option<PathBuf>,
    },
    /// Write a bundle with untrained (random) weights: for developing the app, never shipped.
    Export {
        name: String,
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Measure the test NLL of a bundle by importance sampling and record it in its manifest.
    Eval {
        name: String,
        /// Importance samples per image.
        #[arg(long, default_value_t = 1000)]
        k: usize,
        /// Test images to average over (the full set is 10,000).
        #[arg(long, default_value_t = 10_000)]
        images: usize,
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// (Re)write the example images of existing bundles and list them in their manifests.
    Examples {
        /// Bundle names; all presets when none are given.
        names: Vec<String>,
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Recompute faces-vae's attribute vectors, mean(μ with) − mean(μ without), over `faces`
    /// held-out faces, and write them into its manifest.
    Vectors {
        #[arg(long, default_value_t = train::evaluate::VECTOR_FACES)]
        faces: usize,
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Rewrite existing bundles' weights compactly (f16, decoder and encoder in two files) and
    /// record the measured pixel difference against the f32 weights in their manifests.
    Compact {
        /// Bundle names; every bundle in the folder when none are given.
        names: Vec<String>,
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// List the presets.
    List,
    /// Training throughput of each CPU backend compiled in (flex; ndarray with `--features
    /// ndarray`) on the mnist-vae and faces-vae architectures, same batches, same seeds.
    Backends {
        /// Timed optimiser steps per backend and model, after 3 warm-up steps.
        #[arg(long, default_value_t = 40)]
        steps: usize,
    },
    /// Write a bundle's MLP decoder as an ONNX file (z -> pixels), for the benchmark's
    /// onnxruntime-web peer. The weights are read from the bundle, unchanged.
    Onnx {
        /// A bundle in web/models with an MLP decoder.
        name: String,
        /// The .onnx file to write.
        #[arg(long)]
        to: PathBuf,
    },
}

fn main() {
    if let Err(e) = run(Cli::parse()) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn backends(steps: usize) -> Result<(), Box<dyn std::error::Error>> {
    let threads = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!("| model | backend | batch | samples/s |\n|---|---|---|---|");
    for name in ["mnist-vae", "faces-vae"] {
        let preset = presets::find(name).ok_or("missing preset")?;
        let mut ex = if preset.source == Source::Faces {
            train::examples::render_faces(0, preset.batch_size * 8)
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

fn run(cli: Cli) -> Result<(), Box<dyn std::error::Error>> {
    match cli.command {
        Command::Backends { steps } => backends(steps),
        Command::Onnx { name, to } => {
            let (_, model) = read_bundle(&export::models_dir(), &name)?;
            let layers = model.mlp_decoder().ok_or_else(|| format!("{name} has no MLP decoder"))?;
            std::fs::write(&to, train::onnx::mlp_decoder(&layers, "latent-lab train onnx"))?;
            println!("wrote {} ({} layers)", to.display(), layers.len());
            Ok(())
        }
        Command::List => {
            for p in presets::all() {
                println!("{:18} {}", p.name, p.description);
            }
            Ok(())
        }
        Command::Examples { names, out } => {
            let dir = out.unwrap_or_else(export::models_dir);
            let presets: Vec<presets::Preset> = if names.is_empty() {
                presets::all()
            } else {
                names
                    .iter()
                    .map(|n| presets::find(n).ok_or_else(|| format!("no preset named {n}")))
                    .collect::<Result<_, _>>()?
            };
            for p in presets {
                let path = dir.join(p.name).join(bundle::MANIFEST_FILE);
                let mut manifest = Manifest::parse(&std::fs::read_to_string(&path)?)?;
                export::write_examples(&dir, &mut manifest, p.source)?;
                // New pictures need new precomputed encodings.
                let (_, model) = read_bundle(&dir, p.name)?;
                train::compact::encode_examples(&dir.join(p.name), &mut manifest, &model, &Device::flex())?;
                write_manifest(&dir, &manifest)?;
                println!("{}: {} examples", p.name, manifest.examples.len());
            }
            Ok(())
        }
        Command::Compact { names, out } => {
            let dir = out.unwrap_or_else(export::models_dir);
            let names: Vec<String> = if names.is_empty() {
                presets::all().iter().map(|p| p.name.to_string()).filter(|n| dir.join(n).is_dir()).collect()
            } else {
                names
            };
            println!(
                "| model | f16 max abs pixel diff | mean | decoder bytes | encoder bytes |\n|---|---|---|---|---|"
            );
            for name in names {
                let (mut manifest, model) = read_bundle(&dir, &name)?;
                let loss = train::compact::write(&dir.join(&name), &mut manifest, &model)?;
                write_manifest(&dir, &manifest)?;
                let size = |f: &str| std::fs::metadata(dir.join(&name).join(f)).map_or(0, |m| m.len());
                println!(
                    "| {name} | {:.5} ({:.2}/255) | {:.6} | {} | {} |",
                    loss.max,
                    loss.max * 255.0,
                    loss.mean,
                    size(train::compact::DECODER_FILE),
                    size(train::compact::ENCODER_FILE)
                );
            }
            Ok(())
        }
        Command::Vectors { faces, out } => {
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
        Command::Gaps { samples, out } => gaps(samples, out.unwrap_or_else(export::models_dir)),
        Command::Edits { faces, strength, attributes, out, pictures, report } => {
            let dir = out.unwrap_or_else(export::models_dir);
            edits(faces, &strength, &attributes, &dir, pictures.as_deref(), report.as_deref())
        }
        Command::Train { name, epochs, max_steps, subset, out, resume, beta, widths, head, seed } => {
            let mut preset =
                presets::find(&name).ok_or_else(|| format!("no preset named {name}; try `train list`"))?;
            if let Some(e) = epochs {
                preset.epochs = e;
            }
            if let Some(b) = beta {
                preset.beta = b;
            }
            if let Some(s) = seed {
                preset.seed = s;
            }
            if let bundle::Architecture::Conv { widths: w, head: h, .. } = &mut preset.architecture {
                *w = widths.unwrap_or_else(|| w.clone());
                *h = head.unwrap_or(*h);
            }
            preset.architecture.validate()?;
            let mut train_set = preset.source.load(Split::Train, preset.train_faces)?;
            if let Some(n) = subset {
                train_set.truncate(n);
            }
            println!("training {name} on {} examples of {}", train_set.len(), preset.source.name());
            let (model, report) = fit(
                &preset,
                &train_set,
                &FitOptions {
                    max_steps,
                    progress: true,
                    checkpoints: Some(export::checkpoints_dir(&name)),
                    resume,
                    backend: CpuBackend::Flex,
                },
            );
            println!(
                "trained in {:.0} s ({:.0} samples/s), loss {:.2} -> {:.2}",
                report.seconds, report.samples_per_second, report.first_loss, report.last_loss
            );
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
            };
            let mut manifest = describe(&preset, &model, training)?;
            let dir = out.unwrap_or_else(export::models_dir);
            export::write_examples(&dir, &mut manifest, preset.source)?;
            export::write_bundle(&dir, &manifest, model)?;
            println!("wrote {}", dir.join(&manifest.name).display());
            for (k, v) in &manifest.metrics {
                println!("  {k}: {v:.4}");
            }
            Ok(())
        }
        Command::Eval { name, k, images, out } => {
            let preset = presets::find(&name).ok_or_else(|| format!("no preset named {name}"))?;
            if !preset.architecture.is_variational() || preset.source == Source::Faces {
                return Err("the importance-sampled NLL is defined for the binarised-digit VAEs only".into());
            }
            let dir = out.unwrap_or_else(export::models_dir).join(&name);
            let manifest_path = dir.join(bundle::MANIFEST_FILE);
            let mut manifest = Manifest::parse(&std::fs::read_to_string(&manifest_path)?)?;
            let device = Device::flex();
            let model = vae::load_bundle_dir(&manifest, &dir, &device)?;
            let test = preset.source.load(Split::Test, 0)?;
            let images = images.min(test.len());
            let start = std::time::Instant::now();
            let nll = evaluate::importance_nll(&model, &test, k, images, &device);
            let seconds = start.elapsed().as_secs_f64();
            println!("{name}: test NLL {nll:.2} nats (k = {k}, {images} images, {seconds:.0} s)");
            manifest.metrics.insert("test_nll_nats".into(), nll);
            manifest.metrics.insert("test_nll_k".into(), k as f64);
            manifest.metrics.insert("test_nll_images".into(), images as f64);
            manifest.metrics.insert("test_nll_seconds".into(), seconds);
            std::fs::write(&manifest_path, serde_json::to_string_pretty(&manifest)?)?;
            Ok(())
        }
        Command::Export { name, out } => {
            let preset = presets::find(&name).ok_or_else(|| format!("no preset named {name}"))?;
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
            };
            let manifest = describe(&preset, &model, training)?;
            let dir = out.unwrap_or_else(export::models_dir);
            export::write_bundle(&dir, &manifest, model)?;
            println!("wrote untrained {}", dir.join(&manifest.name).display());
            Ok(())
        }
    }
}

/// Evaluate on the test split and fill in everything the manifest records.
fn describe(
    preset: &presets::Preset,
    model: &Model,
    training: Training,
) -> Result<Manifest, Box<dyn std::error::Error>> {
    let device = Device::flex();
    let model = model.clone().to_device(&device);
    let test = preset.source.load(Split::Test, 5_000)?;
    let enc = evaluate::encode_all(&model, &test, &device);
    let variational = preset.architecture.is_variational();
    let (elbo, mse, kl) = evaluate::elbo_metrics(&model, &test, &enc, &device, variational);
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
        metrics: evaluate::metrics_map(elbo, mse, &kl, variational),
        kl_per_dim: kl,
        label_names,
        label_means,
        vectors,
        map: evaluate::map(&enc, &test.labels, 2_000, preset.source),
        examples: vec![],
        weights: None,
    })
}
