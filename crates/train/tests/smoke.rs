//! A few real training steps on a small subset of real MNIST: the loss must fall.

use data::Split;
use train::examples::Source;
use train::fit::{FitOptions, fit, load_checkpoint};

#[test]
fn mnist_vae_loss_falls_in_a_short_run() {
    let mut preset = train::presets::find("mnist-vae").expect("preset");
    preset.epochs = 4;
    preset.batch_size = 64;
    let mut ex = Source::Mnist.load(Split::Train, 0).unwrap_or_else(|e| panic!("{e}"));
    ex.truncate(1024);
    let (_, report) = fit(&preset, &ex, &FitOptions { max_steps: Some(60), ..Default::default() });
    assert_eq!(report.steps, 60);
    assert!(
        report.last_loss < report.first_loss * 0.8,
        "loss did not fall: {} -> {}",
        report.first_loss,
        report.last_loss
    );
}

#[test]
fn face_vae_loss_falls_in_a_short_run() {
    let mut preset = train::presets::find("faces-vae").expect("preset");
    preset.batch_size = 16;
    preset.epochs = 10;
    let ex = train::examples::render_faces(0, 64);
    let (_, report) = fit(&preset, &ex, &FitOptions { max_steps: Some(30), ..Default::default() });
    assert!(
        report.last_loss < report.first_loss,
        "loss did not fall: {} -> {}",
        report.first_loss,
        report.last_loss
    );
}

/// A run cut after one epoch and resumed continues from the checkpoint: it trains only the
/// remaining epoch, and its first loss is already far below a fresh model's.
#[test]
fn training_resumes_from_its_checkpoint() {
    let dir = std::env::temp_dir().join(format!("latent-lab-ckpt-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut preset = train::presets::find("mnist-vae").expect("preset");
    preset.batch_size = 64;
    preset.epochs = 1;
    let mut ex = Source::Mnist.load(Split::Train, 0).unwrap_or_else(|e| panic!("{e}"));
    ex.truncate(1024);
    let opts = FitOptions { checkpoints: Some(dir.clone()), resume: true, ..Default::default() };
    let (_, first) = fit(&preset, &ex, &opts);
    assert_eq!(first.steps, 16);
    // mnist-vae learns its prior: the report carries it and the checkpoint keeps it.
    let learned = first.prior.as_ref().expect("mnist-vae learns a prior");
    learned.validate(preset.architecture.latent_dim()).expect("a valid mixture");
    assert_eq!(learned.weights.len(), preset.prior_components);
    // Shift the checkpoint's mixture far from anything a fresh (seeded) start would give, so
    // the resumed run shows whether it read it.
    let mut shifted = learned.clone();
    shifted.means.iter_mut().flatten().for_each(|m| *m += 5.0);
    std::fs::write(dir.join("prior.json"), serde_json::to_string(&shifted).unwrap()).unwrap();
    preset.epochs = 2;
    let (_, second) = fit(&preset, &ex, &opts);
    assert_eq!(second.steps, 16, "the resumed run should train only epoch 2");
    assert!(second.first_loss < first.first_loss * 0.8, "{} vs {}", second.first_loss, first.first_loss);
    // The resumed run went on from the checkpoint's mixture, not a fresh one: one epoch of
    // Adam at 1e-3 moves a mean by hundredths, not by 5.
    let b = second.prior.as_ref().expect("still a prior");
    let far = shifted
        .means
        .iter()
        .flatten()
        .zip(b.means.iter().flatten())
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max);
    assert!(far < 0.5, "a mean of the resumed prior is {far} from the checkpoint's");
    let fresh = vae::Model::new(&preset.architecture, &burn::prelude::Device::flex());
    let (_, c) = load_checkpoint(&dir, "mnist-vae", fresh).expect("a readable checkpoint");
    assert_eq!(c.map(|c| c.epochs_done), Some(2));
    assert!(
        load_checkpoint(
            &dir,
            "faces-vae",
            vae::Model::new(&preset.architecture, &burn::prelude::Device::flex())
        )
        .is_err()
    );
    let _ = std::fs::remove_dir_all(&dir);
}
