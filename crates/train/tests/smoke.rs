//! A few real training steps on a small subset of real MNIST: the loss must fall.

use data::Split;
use train::examples::Source;
use train::fit::{FitOptions, fit};

#[test]
fn mnist_vae_loss_falls_in_a_short_run() {
    let mut preset = train::presets::find("mnist-vae").expect("preset");
    preset.epochs = 4;
    preset.batch_size = 64;
    let mut ex = Source::Mnist.load(Split::Train, 0).unwrap_or_else(|e| panic!("{e}"));
    ex.truncate(1024);
    let (_, report) = fit(&preset, &ex, &FitOptions { max_steps: Some(60), progress: false });
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
    let (_, report) = fit(&preset, &ex, &FitOptions { max_steps: Some(30), progress: false });
    assert!(
        report.last_loss < report.first_loss,
        "loss did not fall: {} -> {}",
        report.first_loss,
        report.last_loss
    );
}
