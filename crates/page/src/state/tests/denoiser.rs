//! The denoising autoencoder beside a digit model in the denoising view: fetched and loaded as
//! a companion, given every damaged input the model is given, and only then.

use super::*;

fn shipped(s: &mut State) {
    s.models = vec![IndexEntry {
        name: DENOISER.into(),
        description: String::new(),
        latent_dim: 32,
        imported: false,
    }];
}

/// A digit model with the denoiser shipped, one gallery item of grey 200s, the view open.
fn denoising(model: &str) -> State {
    let mut s = loaded(model, 2);
    shipped(&mut s);
    grey_item(&mut s);
    s.apply(Action::SetView(View::Denoise));
    s
}

fn encoded(id: u64, v: u8) -> Action {
    Action::Worker(FromWorker::Encoded { id, mu: vec![0.0; 32], logvar: vec![0.0; 32], recon: vec![v; 784] })
}

#[test]
fn the_denoiser_is_loaded_beside_a_digit_model_and_given_the_same_damaged_input() {
    let mut s = denoising("mnist-vae");
    assert!(s.wants_denoiser());
    s.apply(Action::DenoiserManifest(Box::new(manifest(DENOISER, 32))));
    let load = s.denoise.denoiser.load_id;
    assert!(load > 0);
    assert_eq!(s.denoise.denoiser.encode_id, 0, "nothing is asked of it before it has loaded");
    s.apply(Action::Worker(FromWorker::Loaded {
        id: load,
        name: DENOISER.into(),
        backend: Backend::Cpu,
        note: None,
        dim_scores: vec![],
    }));
    assert_eq!(s.model_name(), Some("mnist-vae"), "the companion never replaces the model");
    let first = s.denoise.denoiser.encode_id;
    assert!(first > 0);

    // Masking noise: about the share asked, and the same pattern for the same setting.
    s.apply(Action::DenoiseDrop(0.5));
    let input = s.denoise.input.clone().unwrap();
    let zeros = input.iter().filter(|p| **p == 0).count();
    assert!((330..450).contains(&zeros), "{zeros} of 784 pixels dropped at 50%");
    s.apply(Action::DenoiseDrop(0.0));
    s.apply(Action::DenoiseDrop(0.5));
    assert_eq!(s.denoise.input.as_deref(), Some(&*input));
    let asked = s.denoise.denoiser.encode_id;
    assert!(asked > first);

    // An answer for an older input is dropped; the newest is kept apart from the model's own.
    s.apply(encoded(first, 9));
    assert_eq!(s.denoise.denoiser.recon, None);
    s.apply(encoded(asked, 200));
    assert_eq!(s.denoise.denoiser.recon.as_deref(), Some(&vec![200; 784]));
    assert_eq!(s.denoise.recon, None, "the model's own reconstruction is still to come");
    assert_eq!(s.items().len(), 1, "no gallery item from a companion's encode");
    assert_eq!(picture_mse(&[200; 784], &[200; 784]), Some(0.0));
    assert!((picture_mse(&[0, 255], &[255, 255]).unwrap() - 0.5).abs() < 1e-12);
    assert_eq!(picture_mse(&[0], &[0, 0]), None);
}

#[test]
fn the_denoiser_stays_away_from_itself_other_pictures_and_a_site_without_it() {
    assert!(!denoising(DENOISER).wants_denoiser(), "not beside itself");
    let mut unshipped = denoising("mnist-vae");
    unshipped.models.clear();
    assert!(!unshipped.wants_denoiser(), "not when the site does not ship it");
    let mut faces = manifest("faces", 2);
    faces.image = bundle::ImageShape { width: 64, height: 64, channels: 3 };
    let mut s = loaded_with(faces);
    shipped(&mut s);
    assert!(!s.wants_denoiser(), "not beside a model of other pictures");
    // A manifest under another name is not taken for it.
    let mut s = denoising("mnist-vae");
    s.apply(Action::DenoiserManifest(Box::new(manifest("mnist-ae", 32))));
    assert_eq!((s.denoise.denoiser.manifest.is_none(), s.denoise.denoiser.load_id), (true, 0));
}
