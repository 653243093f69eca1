//! `train` — the trainer's command line. `cargo xtask train <model>` calls `train train <model>`.

use burn::module::Module;
use burn::prelude::*;
use clap::{Parser, Subcommand};
use data::Split;
use std::path::PathBuf;
use train::examples::Source;
use train::fit::{FitOptions, fit};
use train::{evaluate, export, presets};
use vae::Model;
use vae::bundle::{FORMAT_VERSION, ImageShape, Manifest, Training};

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
    /// List the presets.
    List,
}

fn main() {
    if let Err(e) = run(Cli::parse()) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run(cli: Cli) -> Result<(), Box<dyn std::error::Error>> {
    match cli.command {
        Command::List => {
            for p in presets::all() {
                println!("{:18} {}", p.name, p.description);
            }
            Ok(())
        }
        Command::Train { name, epochs, max_steps, subset, out } => {
            let mut preset =
                presets::find(&name).ok_or_else(|| format!("no preset named {name}; try `train list`"))?;
            if let Some(e) = epochs {
                preset.epochs = e;
            }
            let mut train_set = preset.source.load(Split::Train, preset.train_faces)?;
            if let Some(n) = subset {
                train_set.truncate(n);
            }
            println!("training {name} on {} examples of {}", train_set.len(), preset.source.name());
            let (model, report) = fit(&preset, &train_set, &FitOptions { max_steps, progress: true });
            println!(
                "trained in {:.0} s ({:.0} samples/s), loss {:.2} -> {:.2}",
                report.seconds, report.samples_per_second, report.first_loss, report.last_loss
            );
            let training = Training {
                dataset: preset.source.name().into(),
                epochs: preset.epochs,
                batch_size: preset.batch_size,
                learning_rate: preset.learning_rate,
                seed: preset.seed,
                seconds: report.seconds,
                backend: "flex (burn 0.22.1, native)".into(),
                samples_per_second: report.samples_per_second,
            };
            let manifest = describe(&preset, &model, training)?;
            let dir = out.unwrap_or_else(export::models_dir);
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
            let manifest_path = dir.join(vae::bundle::MANIFEST_FILE);
            let mut manifest = Manifest::parse(&std::fs::read_to_string(&manifest_path)?)?;
            let device = Device::flex();
            let model = vae::bundle::load_model(
                &manifest,
                std::fs::read(dir.join(vae::bundle::WEIGHTS_FILE))?,
                &device,
            )?;
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
        Source::Faces => (vec![], evaluate::attribute_vectors(&enc, &test.labels, &label_names)),
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
    })
}
