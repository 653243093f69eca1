//! The lecture views' rules: traversal grids, the map, AE vs VAE, denoising, keys and links.

use super::*;

/// A 4-D model whose dimensions carry KL 0.1, 2, 0 and 1 nats, with a map on dims 0 and 1.
fn mapped() -> Manifest {
    let mut m = manifest("m", 4);
    m.kl_per_dim = vec![0.1, 2.0, 0.0, 1.0];
    m.map = Some(bundle::MapProjection {
        projection: latent::Projection {
            mean: vec![1.0, 0.0, 0.0, 0.0],
            components: [vec![1.0, 0.0, 0.0, 0.0], vec![0.0, 1.0, 0.0, 0.0]],
        },
        points: vec![[0.0, 0.0, 3.0], [0.1, 0.0, 3.0], [4.0, 4.0, 5.0]],
    });
    m
}

#[test]
fn traversal_rows_follow_kl_and_refresh_with_z() {
    let mut s = loaded_with(mapped());
    assert_eq!(s.grid_id, 0, "no grid while the view is closed");
    s.apply(Action::SetView(View::Traversal));
    let first = s.grid_id;
    assert!(first > 0);
    let (codes, cols) = s.grid_codes().unwrap();
    assert_eq!((codes.len(), cols), (4 * 9, 9));
    // Row 0 sweeps dimension 1 (highest KL) from -3 to +3, the rest at z.
    assert_eq!(codes[0], vec![0.0, -3.0, 0.0, 0.0]);
    assert_eq!(codes[8], vec![0.0, 3.0, 0.0, 0.0]);
    assert_eq!(codes[9][3], -3.0, "row 1 is dimension 3");
    s.apply(Action::SetLatent { dim: 0, value: 0.5 });
    assert!(s.grid_id > first, "moving z asks for a new grid");
    assert_eq!(s.grid_codes().unwrap().0[0][0], 0.5);
    // Only the newest grid is kept.
    let newest = s.grid_id;
    s.apply(Action::Worker(FromWorker::DecodedMany {
        micros: 0,
        id: first,
        lane: Lane::Grid,
        images: vec![vec![1]],
    }));
    assert!(s.grid.is_none());
    s.apply(Action::Worker(FromWorker::DecodedMany {
        micros: 0,
        id: newest,
        lane: Lane::Strip,
        images: vec![vec![1]],
    }));
    assert!(s.grid.is_none(), "another lane's result is not the grid");
    s.apply(Action::Worker(FromWorker::DecodedMany {
        micros: 0,
        id: newest,
        lane: Lane::Grid,
        images: vec![vec![1]; 36],
    }));
    assert_eq!(s.grid.as_ref().unwrap().images.len(), 36);
    s.apply(Action::TraversalSize { rows: 99, cols: 1 });
    assert_eq!((s.traversal.rows, s.traversal.cols), (4, MIN_TRAVERSAL_COLS));
}

#[test]
fn a_two_dimensional_model_shows_its_manifold() {
    let mut s = loaded("two", 2);
    s.apply(Action::SetView(View::Traversal));
    s.apply(Action::TraversalSize { rows: 1, cols: 5 });
    let (codes, cols) = s.grid_codes().unwrap();
    assert_eq!((codes.len(), cols), (25, 5));
    assert_eq!((codes[0].clone(), codes[24].clone()), (vec![-3.0, 3.0], vec![3.0, -3.0]));
}

#[test]
fn the_map_hovers_and_clicks_on_its_plane() {
    let mut s = loaded_with(mapped());
    s.apply(Action::Hover(Some([0.5, -1.0])));
    assert!(s.hover_id > 0);
    assert_eq!(s.hover_code().unwrap(), vec![1.5, -1.0, 0.0, 0.0]);
    s.apply(Action::Worker(FromWorker::DecodedMany {
        micros: 0,
        id: s.hover_id,
        lane: Lane::Hover,
        images: vec![vec![9]],
    }));
    assert_eq!(s.hover_image.as_deref(), Some(&vec![9]));
    s.apply(Action::Hover(Some([f32::NAN, 0.0])));
    assert!(s.hover.is_none() && s.hover_image.is_none());
    s.apply(Action::MapClick([2.0, 1.0]));
    assert_eq!(s.z, vec![3.0, 1.0, 0.0, 0.0]);
    // Without a map there is nothing to hover.
    let mut plain = loaded("p", 4);
    plain.apply(Action::Hover(Some([0.0, 0.0])));
    assert_eq!((plain.hover, plain.hover_id), (None, 0));
}

/// Bring both sides of the comparison up, as the page and the worker would.
fn compare_ready(s: &mut State) {
    for (side, name) in COMPARE_MODELS.iter().enumerate() {
        s.apply(Action::CompanionManifest { side, manifest: Box::new(manifest(name, 2)) });
        let id = s.compare.load_ids[side];
        s.apply(Action::Worker(FromWorker::Loaded {
            id,
            name: name.to_string(),
            backend: Backend::Cpu,
            note: None,
            dim_scores: vec![],
        }));
    }
}

#[test]
fn compare_loads_companions_beside_the_model_and_interpolates_on_both() {
    let mut s = loaded("main", 2);
    let a = encode(&mut s, "a", [0.0, 0.0]);
    let b = encode(&mut s, "b", [2.0, 2.0]);
    s.apply(Action::SetView(View::Compare));
    assert_eq!(s.compare.pair, Some([a, b]), "the first two items are the default pair");
    compare_ready(&mut s);
    assert_eq!(s.model_name(), Some("main"), "a companion never replaces the model");
    assert!(s.compare.loaded.iter().all(|l| *l) && s.compare.decode_ids.iter().all(|d| *d > 0));
    s.apply(Action::CompareSamples(vec![1, 2]));
    assert_eq!(s.compare_codes(0).unwrap().len(), 1 + 2, "z, then the samples");
    assert_eq!(s.compare_codes(0), s.compare_codes(1), "both sides decode the same codes");
    // Each side encodes the pair with its own encoder; those are not gallery items.
    let items = s.gallery.len();
    for side in 0..2 {
        for (end, mu) in s.compare.encode_ids[side].into_iter().zip([[0.0, 0.0], [4.0, 0.0]]) {
            assert!(end > 0);
            s.apply(Action::Worker(FromWorker::Encoded {
                id: end,
                mu: mu.to_vec(),
                logvar: vec![0.0; 2],
                recon: vec![],
            }));
        }
    }
    assert_eq!(s.gallery.len(), items);
    let codes = s.compare_codes(1).unwrap();
    assert_eq!(codes.len(), 3 + COMPARE_FRAMES);
    assert_eq!(codes[3 + COMPARE_FRAMES / 2], vec![2.0, 0.0], "the midpoint of the path");
    assert_eq!(s.compare_inputs().unwrap()[0].len(), 784);
    let asked = s.compare.decode_ids[1];
    s.apply(Action::Worker(FromWorker::DecodedMany {
        micros: 0,
        id: asked - 1,
        lane: Lane::Compare(1),
        images: vec![],
    }));
    assert!(s.compare.images[1].is_none());
    s.apply(Action::Worker(FromWorker::DecodedMany {
        micros: 0,
        id: asked,
        lane: Lane::Compare(1),
        images: vec![vec![0]; 8],
    }));
    assert_eq!(s.compare.images[1].as_ref().unwrap().len(), 8);
    // A manifest for the wrong side is ignored.
    s.apply(Action::CompanionManifest { side: 0, manifest: Box::new(manifest("other", 2)) });
    assert_eq!(s.compare.manifests[0].as_ref().unwrap().name, COMPARE_MODELS[0]);
}

#[test]
fn denoising_corrupts_deterministically_and_keeps_the_gallery() {
    let mut s = loaded("main", 2);
    let id = grey_item(&mut s);
    s.apply(Action::SetView(View::Denoise));
    assert_eq!(s.denoise.source, Some(id));
    assert_eq!(s.denoise.input.as_deref(), Some(&vec![200; 784]), "no noise, no mask: the input itself");
    s.apply(Action::DenoiseMask(0.5));
    let masked = s.denoise.input.clone().unwrap();
    assert_eq!((masked[14 * 28 + 14], masked[0]), (0, 200), "the centre is blanked, the corner kept");
    s.apply(Action::DenoiseNoise(0.3));
    let noisy = s.denoise.input.clone().unwrap();
    assert!(noisy.iter().zip(masked.iter()).filter(|(a, b)| a != b).count() > 300);
    s.apply(Action::DenoiseNoise(0.0));
    s.apply(Action::DenoiseNoise(0.3));
    assert_eq!(s.denoise.input.as_deref(), Some(&*noisy), "the same settings give the same picture");
    let items = s.gallery.len();
    let asked = s.denoise.id;
    s.apply(Action::Worker(FromWorker::Encoded {
        id: asked,
        mu: vec![0.0; 2],
        logvar: vec![0.0; 2],
        recon: vec![7; 784],
    }));
    assert_eq!((s.gallery.len(), s.denoise.recon.as_deref()), (items, Some(&vec![7; 784])));
}

#[test]
fn keys_map_to_actions() {
    let mut s = loaded_with(mapped());
    s.models =
        vec![IndexEntry { name: "m".into(), description: String::new(), latent_dim: 4, imported: false }];
    assert_eq!(key_command("1", false, &s), Some(KeyCommand::PickModel(0)));
    assert_eq!(key_command("2", false, &s), None, "only models that exist");
    assert_eq!(key_command("r", false, &s), Some(KeyCommand::Sample));
    assert_eq!(key_command("x", false, &s), None);
    // Arrow keys walk the dimensions by KL and move the focused one.
    for (key, shift) in [("ArrowDown", false), ("ArrowRight", true), ("ArrowRight", false)] {
        let Some(KeyCommand::Do(a)) = key_command(key, shift, &s) else { panic!("{key}") };
        s.apply(a);
    }
    assert_eq!(s.focus, 1);
    assert!((s.z[3] - 0.6).abs() < 1e-6, "dimension 3 is second by KL: {:?}", s.z);
    s.apply(Action::FocusDim(-2));
    assert_eq!(s.focus, 3, "focus wraps around");
    // Escape closes the overlay first, then leaves presentation mode.
    s.apply(Action::Present(true));
    s.apply(Action::Help(true));
    assert_eq!(key_command("Escape", false, &s), Some(KeyCommand::Do(Action::Help(false))));
    s.apply(Action::Help(false));
    assert_eq!(key_command("Escape", false, &s), Some(KeyCommand::Do(Action::Present(false))));
    assert_eq!(key_command("t", false, &s), Some(KeyCommand::Do(Action::SetView(View::Traversal))));
}

#[test]
fn a_link_restores_view_vector_strength_and_ends() {
    let mut m = mapped();
    m.label_means = vec![vec![0.0; 4], vec![1.0, 0.0, 0.0, 0.0]];
    let mut s = loaded_with(m.clone());
    s.apply(Action::Encode {
        name: "example: 7".into(),
        input: vec![0; 784],
        pixels: vec![0.0; 784],
        example: true,
    });
    let id = s.encoding[0].id;
    s.apply(Action::Worker(FromWorker::Encoded {
        id,
        mu: vec![0.5; 4],
        logvar: vec![0.0; 4],
        recon: vec![],
    }));
    s.apply(Action::SetEnd { b: false, key: Some(id) });
    s.apply(Action::SetView(View::Map));
    s.apply(Action::ChooseVector(Some(VectorChoice::Classes { from: 0, to: 1 })));
    s.apply(Action::SetStrength(1.5));
    s.apply(Action::Present(true));
    let text = s.link().encode();

    // A fresh page with the same model, the link applied before its examples arrive.
    let mut t = loaded_with(m);
    t.apply(Action::Link(UrlState::decode(&text).unwrap()));
    assert_eq!((t.view, t.present, t.z.clone()), (View::Map, true, s.z.clone()));
    assert_eq!((t.vector.clone(), t.strength), (s.vector.clone(), 1.5));
    assert_eq!(t.interp.a, None, "the end waits for its example");
    t.apply(Action::Encode {
        name: "example: 7".into(),
        input: vec![0; 784],
        pixels: vec![0.0; 784],
        example: true,
    });
    let id = t.encoding[0].id;
    t.apply(Action::Worker(FromWorker::Encoded {
        id,
        mu: vec![0.5; 4],
        logvar: vec![0.0; 4],
        recon: vec![],
    }));
    assert_eq!(t.interp.a, Some(id));
    assert!(t.pending_link.is_none());
    assert_eq!(t.link().encode(), text, "the restored page links to itself");

    // An unknown view or vector is a notice, never a failure.
    t.apply(Action::Link(UrlState {
        view: Some("nope".into()),
        vector: Some("nope".into()),
        ..Default::default()
    }));
    assert!(t.notice.is_some());
    assert_eq!(t.view, View::Map);
}

#[test]
fn a_link_opened_before_its_model_sets_the_ends_when_the_examples_arrive() {
    let m = mapped();
    let mut s = State::new(BackendChoice::Auto);
    let link = UrlState::decode("m=m&v=map&a=example%3A%201&b=example%3A%207").unwrap();
    s.apply(Action::Link(link));
    s.apply(Action::ManifestLoaded { manifest: Box::new(m.clone()), z: None });
    finish_load(&mut s, Backend::Cpu);
    let mut keys = vec![];
    for label in ["1", "7"] {
        s.apply(Action::EncodeKnown {
            name: format!("example: {label} · cropped → centred"),
            input: vec![0; 784],
            mu: vec![0.5; 4],
            logvar: vec![0.0; 4],
        });
        let id = s.encoding.last().unwrap().id;
        keys.push(id);
        s.apply(Action::Worker(FromWorker::DecodedMany {
            micros: 0,
            id: 0,
            lane: Lane::Recon(id),
            images: vec![vec![0; 784]],
        }));
    }
    assert_eq!((s.interp.a, s.interp.b), (Some(keys[0]), Some(keys[1])), "{:?}", s.pending_link);
    // The page links to the examples by their short names, as it was opened.
    assert!(s.link().encode().contains("a=example%3A%201&b=example%3A%207"), "{}", s.link().encode());
}
