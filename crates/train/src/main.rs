//! `train` — the trainer's command line (what each command does is in `train::commands`).
//! `cargo xtask train <model>` calls `train train <model>`.

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use train::commands::{self, TrainRun};
use train::export::models_dir;
use train::reports::{edits, gaps};

/// Training allocates and frees activation-sized buffers every op; see Cargo.toml for why not
/// the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    /// Score every test image as the page scores a gallery item (negative ELBO of the 8-bit
    /// input) and store the percentiles in the manifests, for the "unlike what it learned" notice.
    Ood {
        /// Bundle names; every bundle in the folder when none are given.
        names: Vec<String>,
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Write each bundle's test codes (`codes.bin`: q(z|x) and the label of the first 1,000 test
    /// images) from its shipped encoder, for the page's holes, separation and overlap views.
    Codes {
        /// Bundle names; every bundle in the folder when none are given.
        names: Vec<String>,
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Tabulate every shipped bundle's measured figures into `bench/MODELS.md` (or print them).
    Models {
        /// Where to write the table; printed when absent.
        #[arg(long)]
        report: Option<PathBuf>,
    },
    /// Reconstruction MSE of digit bundles from test images with half their pixels set to 0,
    /// against the clean images (the denoising autoencoder against the rest). Writes the manifests.
    Denoise {
        /// Bundle names; every digit bundle in the folder when none are given.
        names: Vec<String>,
        /// Test images to score.
        #[arg(long, default_value_t = 5_000)]
        images: usize,
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Real face photos (scikit-image's 100 LFW faces) through faces-vae: does the face check
    /// accept the reconstructions, SSIM to the photo, the glasses vector, the OOD score's AUC.
    Photos {
        /// Also write the table, with how it was taken, to this Markdown file.
        #[arg(long)]
        report: Option<PathBuf>,
        /// Also draw the first photos, reconstructions and glasses edits to `<DIR>/photos-<n>.png`.
        #[arg(long)]
        pictures: Option<PathBuf>,
        /// Also save the face check, for the browser tests (`tests/fixtures/face-check.bpk`).
        #[arg(long)]
        save_check: Option<PathBuf>,
        /// Also measure faces-vae as it was at this git commit, in the same run.
        #[arg(long)]
        baseline: Option<String>,
    },
    /// Fine-tune faces-vae's encoder so that photo-like faces map to the codes of their clean
    /// renders, keeping the decoder; rewrite the bundle from the new encoder.
    PhotoEncoder {
        #[arg(long, default_value_t = 3000)]
        steps: usize,
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Score pictures (PNG files) as the page scores a gallery item: prepared for the model,
    /// negative ELBO split into reconstruction and KL, and its percentile among the test set's.
    Score {
        /// A bundle in web/models.
        name: String,
        /// PNG files; `cat` stands for scikit-image's photo of a cat, read from the set-up wheel.
        files: Vec<PathBuf>,
        /// Also write each prepared input beside its reconstruction to `<DIR>/<file stem>.png`.
        #[arg(long)]
        show: Option<PathBuf>,
    },
    /// Write rendered faces as one raw file (`count` × 64 × 64 × 3 bytes, interleaved RGB) and
    /// their nine labels as `<out>.labels` (one byte each): training data for the PyTorch
    /// reference models `tools/torch_fixture.py` exports.
    Renders {
        #[arg(long, default_value_t = 4096)]
        count: usize,
        /// Seeds `first`, `first + 1`, …: the trainer's own faces use 0.. and its held-out ones
        /// start at 1,000,000.
        #[arg(long, default_value_t = 5_000_000)]
        first: u64,
        #[arg(long)]
        out: PathBuf,
    },
    /// Train a melody model (melody-vae or melody-ae) on two-bar phrases of the music21 wheel's
    /// public-domain fiddle tunes, print its figures (note accuracy on held-out tunes, prior
    /// samples in one key) and write its weights and figures to `out`.
    Melody {
        name: String,
        #[arg(long)]
        epochs: Option<usize>,
        #[arg(long)]
        max_steps: Option<usize>,
        /// Where the weights and figures go (default: target/melodies).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Bundle a trained melody model for the page: measure its weights (from `train melody`'s
    /// folder) on the held-out tunes, compute its attribute vectors and examples, and write
    /// `<to>/<name>/melody.json` and `weights.bpk`, listed in `<to>/melodies.json`.
    MelodyBundle {
        name: String,
        /// Where `train melody` wrote it (default: target/melodies).
        #[arg(long)]
        from: Option<PathBuf>,
        /// The models folder (default: web/models).
        #[arg(long)]
        to: Option<PathBuf>,
    },
    /// List the presets.
    List,
    /// Training throughput of each CPU backend compiled in (flex; ndarray with `--features
    /// ndarray`) on the mnist-vae and faces-vae architectures, same batches, same seeds.
    Backends {
        /// Timed optimiser steps per backend and model, after 3 warm-up steps.
        #[arg(long, default_value_t = 40)]
        steps: usize,
        /// Only this model (`mnist-vae-classic` or `faces-vae`), e.g. to profile one of them.
        #[arg(long)]
        only: Option<String>,
    },
    /// Write a decoder as an ONNX file (z -> the page's pixels), for the benchmark's
    /// onnxruntime-web peer. The weights are read from the bundle or export, unchanged.
    Onnx {
        /// A bundle in web/models (MLP or conv), or a folder written by tools/export_torch.py.
        name: String,
        /// The .onnx file to write.
        #[arg(long)]
        to: PathBuf,
    },
}

fn main() {
    let cli = Cli::parse();
    // The whole command runs on one of rayon's threads, not beside them. Called from outside
    // the pool, every parallel product (gemm, the convolutions) left this thread waiting and,
    // between products, two idle workers spinning on the two cores this thread needed for the
    // step's serial part: a sixth of a training step went to the scheduler and `sched_yield`
    // (bench/OPTIMISATION.md). Inside the pool this thread is one of the two that work.
    if let Err(e) = rayon::scope(|_| run(cli).map_err(|e| e.to_string())) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run(cli: Cli) -> commands::Result {
    match cli.command {
        Command::Train { name, epochs, max_steps, subset, out, resume, beta, widths, head, seed } => {
            commands::train(
                &name,
                TrainRun { epochs, max_steps, subset, out, resume, beta, widths, head, seed },
            )
        }
        Command::Gaps { samples, out } => gaps(samples, out.unwrap_or_else(models_dir)),
        Command::Edits { faces, strength, attributes, out, pictures, report } => {
            let dir = out.unwrap_or_else(models_dir);
            edits(faces, &strength, &attributes, &dir, pictures.as_deref(), report.as_deref())
        }
        Command::Export { name, out } => commands::export_untrained(&name, out),
        Command::Eval { name, k, images, out } => commands::eval(&name, k, images, out),
        Command::Examples { names, out } => commands::examples(&names, out),
        Command::Vectors { faces, out } => commands::vectors(faces, out),
        Command::Compact { names, out } => commands::compact(names, out),
        Command::Ood { names, out } => commands::ood(names, out),
        Command::Codes { names, out } => commands::codes(names, out),
        Command::Denoise { names, images, out } => commands::denoise(names, images, out),
        Command::Models { report } => {
            let md = train::reports::models_table(&train::export::models_dir())?;
            match report {
                Some(path) => std::fs::write(&path, md).map_err(Into::into),
                None => {
                    print!("{md}");
                    Ok(())
                }
            }
        }
        Command::Photos { report, pictures, save_check, baseline } => {
            train::photos_report::run(train::photos_report::PhotosRun {
                report,
                pictures,
                save_check,
                baseline,
            })
        }
        Command::PhotoEncoder { steps, out } => commands::photo_encoder(steps, out),
        Command::Score { name, files, show } => commands::score(&name, &files, show.as_deref()),
        Command::Renders { count, first, out } => commands::renders(count, first, &out),
        Command::Melody { name, epochs, max_steps, out } => commands::melody(&name, epochs, max_steps, out),
        Command::MelodyBundle { name, from, to } => commands::melody_bundle(&name, from, to),
        Command::List => commands::list(),
        Command::Backends { steps, only } => commands::backends(steps, only.as_deref()),
        Command::Onnx { name, to } => commands::onnx(&name, &to),
    }
}
