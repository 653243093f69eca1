//! The measuring views' rules: the test codes are fetched when a view needs them and kept only
//! when they fit, the holes layer mixes the test set's posteriors (or the gallery's), ellipses
//! and the ends' overlap follow the gallery, vectors are scored, and the map layer is linked.

use super::*;
use bundle::{Codes, CodesFile, LabelKind};

/// A 2-D model with a map on its own axes, shipping three test codes labelled by attribute bits.
fn with_codes() -> Manifest {
    let mut m = manifest("faces", 2);
    m.kl_per_dim = vec![1.0, 1.0];
    m.label_names = vec!["glasses".into(), "smile".into()];
    m.vectors =
        vec![bundle::NamedVector { name: "glasses".into(), vector: vec![1.0, 0.0], support: Some([2, 2]) }];
    m.map = Some(bundle::MapProjection {
        projection: latent::Projection { mean: vec![0.0, 0.0], components: [vec![1.0, 0.0], vec![0.0, 1.0]] },
        points: vec![[0.0, 0.0, 0.0]],
    });
    m.codes = Some(CodesFile { file: "codes.bin".into(), count: 4, labels: LabelKind::Attributes });
    m
}

fn codes() -> Rc<Codes> {
    Rc::new(Codes {
        mu: vec![vec![2.0, 0.0], vec![1.5, 1.0], vec![-1.0, 0.5], vec![-2.0, -1.0]],
        logvar: vec![vec![0.0, 0.0]; 4],
        // Glasses on the first two, a smile on the second and third.
        labels: vec![0b01, 0b11, 0b10, 0b00],
    })
}

#[test]
fn test_codes_are_wanted_by_the_map_and_kept_only_when_they_fit() {
    let mut s = loaded_with(with_codes());
    // The workbench of a model with vectors needs them (to score the vectors); nothing else yet.
    assert_eq!(s.test_codes_wanted(), Some(("faces".into(), "models/faces/codes.bin".into())));
    let mut plain = loaded("digits", 2);
    assert_eq!(plain.test_codes_wanted(), None, "no codes file, nothing to fetch");
    plain.apply(Action::SetView(View::Map));
    assert_eq!(plain.test_codes_wanted(), None);

    let short = Rc::new(Codes { mu: vec![vec![0.0, 0.0]], logvar: vec![vec![0.0, 0.0]], labels: vec![0] });
    s.apply(Action::TestCodes { model: "faces".into(), codes: short });
    assert!(s.test_codes.is_none());
    assert!(s.notice.as_ref().unwrap().text.contains("1 codes, not 4"), "{:?}", s.notice);
    // Codes of another model (a late answer after a switch) are dropped silently.
    s.apply(Action::DismissNotice);
    s.apply(Action::TestCodes { model: "other".into(), codes: codes() });
    assert!(s.test_codes.is_none() && s.notice.is_none());
    s.apply(Action::TestCodes { model: "faces".into(), codes: codes() });
    assert!(s.current_test_codes().is_some());
    assert_eq!(s.test_codes_wanted(), None, "fetched once");
}

#[test]
fn the_holes_layer_mixes_the_test_posteriors_or_else_three_gallery_items() {
    let mut s = loaded_with(with_codes());
    s.apply(Action::SetView(View::Map));
    assert_eq!(s.plane_posteriors(), None, "no test codes and no items yet");
    for (i, mu) in [[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]].iter().enumerate() {
        encode_with(&mut s, &format!("item {i}"), mu, &[-2.0, -2.0]);
    }
    let own = s.plane_posteriors().unwrap();
    assert!(!own.test_set);
    assert_eq!(own.components.len(), 3);
    // σ² = e⁻² on each axis, projected on the map's own axes.
    assert!((own.components[1].cov[0] - (-2.0f32).exp()).abs() < 1e-3, "{:?}", own.components[1]);
    s.apply(Action::TestCodes { model: "faces".into(), codes: codes() });
    let test = s.plane_posteriors().unwrap();
    assert!(test.test_set);
    assert_eq!(test.components.len(), 4);
    assert_eq!(test.components[0].mean, [2.0, 0.0]);
}

#[test]
fn ellipses_follow_the_gallery_and_the_ends_overlap_is_a_number() {
    let mut s = loaded_with(with_codes());
    let a = encode_with(&mut s, "a", &[0.0, 0.0], &[0.0, 0.0]);
    let b = encode_with(&mut s, "b", &[0.0, 0.0], &[0.0, 0.0]);
    let far = encode_with(&mut s, "far", &[9.0, 9.0], &[-4.0, -4.0]);
    assert_eq!(s.item_ellipses().len(), 3);
    assert_eq!(s.ends_overlap(), None, "no ends chosen");
    s.apply(Action::SetEnd { b: false, key: Some(a) });
    s.apply(Action::SetEnd { b: true, key: Some(b) });
    assert!((s.ends_overlap().unwrap() - 1.0).abs() < 1e-6, "the same posterior overlaps fully");
    let ends: Vec<Option<char>> = s.item_ellipses().iter().map(|e| e.end).collect();
    assert_eq!(ends, vec![Some('A'), Some('B'), None]);
    // σ = 1 on both axes: the 2σ ellipse is a circle of radius 2.
    let e = &s.item_ellipses()[0].ellipse;
    assert!((e.radii[0] - 2.0).abs() < 1e-4 && (e.radii[1] - 2.0).abs() < 1e-4, "{e:?}");
    s.apply(Action::SetEnd { b: true, key: Some(far) });
    assert!(s.ends_overlap().unwrap() < 1e-6);
}

#[test]
fn bundled_vectors_are_scored_on_the_test_codes_and_the_users_on_their_marks() {
    let mut s = loaded_with(with_codes());
    let q = s.vector_quality();
    assert_eq!((q[0].name.as_str(), q[0].auc), ("glasses", None), "no codes yet");
    s.apply(Action::TestCodes { model: "faces".into(), codes: codes() });
    let q = s.vector_quality();
    // z·(1, 0) puts both glasses codes (2.0, 1.5) above both others (−1, −2).
    assert_eq!(q[0].auc, Some(1.0));
    assert_eq!(q[0].basis, "4 test images");
    // A vector of the user's, scored on the items marked now.
    let up = encode_with(&mut s, "up", &[0.0, 2.0], &[0.0, 0.0]);
    let down = encode_with(&mut s, "down", &[0.0, -2.0], &[0.0, 0.0]);
    s.apply(Action::MarkItem(up, Mark::With));
    s.apply(Action::MarkItem(down, Mark::Without));
    s.apply(Action::SaveVector("up".into()));
    let q = s.vector_quality();
    let mine = q.iter().find(|v| v.name == "up").unwrap();
    assert_eq!((mine.auc, mine.basis.as_str()), (Some(1.0), "the 2 items marked now"));
    // glasses (1, 0) and up (0, 4) are orthogonal.
    let cos = s.vector_cosines();
    assert_eq!(cos.len(), 1);
    assert!(cos[0].2.abs() < 1e-6, "{cos:?}");
}

#[test]
fn the_map_layer_is_in_the_link_and_an_unknown_one_is_named() {
    let mut s = loaded_with(with_codes());
    assert_eq!(s.link().layer, None);
    s.apply(Action::MapLayer(MapLayer::Holes));
    let link = s.link();
    assert_eq!(link.layer.as_deref(), Some("holes"));
    let mut t = loaded_with(with_codes());
    t.apply(Action::Link(link));
    assert_eq!(t.map_layer, MapLayer::Holes);
    t.apply(Action::Link(UrlState { layer: Some("craters".into()), ..Default::default() }));
    assert_eq!(t.map_layer, MapLayer::Points);
    assert!(t.notice.unwrap().text.contains("\"craters\""));
}

#[test]
fn the_overlay_of_what_a_slider_moves_is_in_the_link() {
    let mut s = loaded("a", 3);
    assert!(!s.link().moves);
    s.apply(Action::SenseOverlay(true));
    let link = s.link();
    assert!(link.moves && link.encode().contains("w=1"), "{}", link.encode());
    let mut t = loaded("a", 3);
    t.apply(Action::Link(link));
    assert!(t.sensitivity.enabled);
    t.apply(Action::Sense(Some(SenseTarget::Dim(0))));
    assert!(t.sense_codes().is_some(), "a linked overlay probes the focused slider");
    t.apply(Action::Link(UrlState::default()));
    assert!(!t.sensitivity.enabled);
}

#[test]
fn a_focused_slider_is_probed_either_side_of_z_and_only_the_newest_pair_counts() {
    let mut s = loaded("a", 3);
    s.apply(Action::Sense(Some(SenseTarget::Dim(1))));
    assert_eq!(s.sense_codes(), None, "the overlay is off until asked for");
    s.apply(Action::SenseOverlay(true));
    let first = s.sensitivity.id;
    let codes = s.sense_codes().unwrap();
    let step = latent::sensitivity::STEP;
    assert_eq!(codes, vec![vec![0.0, -step, 0.0], vec![0.0, step, 0.0]]);
    // Moving z asks again; the older pair is ignored when it comes.
    s.apply(Action::SetLatent { dim: 0, value: 1.0 });
    let newest = s.sensitivity.id;
    assert!(newest > first);
    let pixels = |v: u8| vec![v; 784];
    s.apply(Action::Worker(FromWorker::DecodedMany {
        micros: 0,
        id: first,
        lane: Lane::Sensitivity,
        images: vec![pixels(0), pixels(255)],
    }));
    assert!(s.sense_overlay().is_none());
    s.apply(Action::Worker(FromWorker::DecodedMany {
        micros: 0,
        id: newest,
        lane: Lane::Sensitivity,
        images: vec![pixels(0), pixels(51)],
    }));
    let o = s.sense_overlay().unwrap();
    // 51/255 = 0.2 of full brightness over 2·step latent units.
    assert!((o.mean - 0.2 / (2.0 * step)).abs() < 1e-4, "{}", o.mean);
    // Another slider's focus hides the old map until its own pair arrives; blur hides it too.
    s.apply(Action::Sense(Some(SenseTarget::Dim(2))));
    assert!(s.sense_overlay().is_none());
    s.apply(Action::Sense(None));
    assert_eq!(s.sense_codes(), None);
}

#[test]
fn round_trips_are_asked_for_the_drift_layer_and_the_strip_and_measured_when_they_come() {
    let mut s = loaded_with(with_codes());
    s.apply(Action::SetView(View::Map));
    assert_eq!(s.drift.plane.id, 0, "no round trips until the drift layer is drawn");
    s.apply(Action::MapLayer(MapLayer::Drift));
    let id = s.drift.plane.id;
    let codes = s.drift_plane_codes().unwrap();
    assert_eq!(codes.len(), DRIFT_CELLS * DRIFT_CELLS);
    // Every code comes back 0.5 off along the first axis.
    let mus: Vec<Vec<f32>> = codes.iter().map(|z| vec![z[0] + 0.5, z[1]]).collect();
    s.apply(Action::Worker(FromWorker::RoundTripped { id: id + 99, lane: Lane::Plane, mus: mus.clone() }));
    assert!(s.drift.plane.values.is_none(), "an answer nobody asked for is ignored");
    s.apply(Action::Worker(FromWorker::RoundTripped { id, lane: Lane::Plane, mus }));
    let d = s.drift.plane.values.clone().unwrap();
    assert!(d.iter().all(|v| (v - 0.5).abs() < 1e-5));
    // The strip's round trips come with every new strip.
    let a = encode_with(&mut s, "a", &[0.0, 0.0], &[0.0, 0.0]);
    let b = encode_with(&mut s, "b", &[1.0, 1.0], &[0.0, 0.0]);
    s.apply(Action::SetEnd { b: false, key: Some(a) });
    s.apply(Action::SetEnd { b: true, key: Some(b) });
    let strip = s.drift.strip.id;
    assert!(strip > 0);
    let frames = s.strip_codes().unwrap();
    s.apply(Action::Worker(FromWorker::RoundTripped {
        id: strip,
        lane: Lane::Strip,
        mus: vec![vec![0.0, 0.0]],
    }));
    assert!(s.drift.strip.values.is_none(), "a wrong count is dropped");
    s.apply(Action::Worker(FromWorker::RoundTripped { id: strip, lane: Lane::Strip, mus: frames.clone() }));
    assert_eq!(s.drift.strip.values.as_deref(), Some(&vec![0.0; frames.len()]));
}
