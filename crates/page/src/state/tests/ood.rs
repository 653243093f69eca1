//! The out-of-distribution score of new gallery items and the notice for an unusual one.

use super::*;

/// A 2-D model whose test set scored 0..=1000 nats evenly (percentile p at 10·p nats).
fn with_reference() -> State {
    let mut m = manifest("digits", 2);
    m.ood = Some(bundle::OodReference {
        quantiles: (0..=100).map(|p| f64::from(p) * 10.0).collect(),
        missed_quantiles: Vec::new(),
        images: 101,
        learned: "handwritten digits".into(),
        draws: "digit".into(),
    });
    loaded_with(m)
}

/// Encode `input` (784 bytes) and let the worker answer with `recon` at the prior's centre.
fn encode_pixels(s: &mut State, name: &str, input: u8, recon: u8, example: bool) -> u64 {
    s.apply(Action::Encode { name: name.into(), input: vec![input; 784], pixels: vec![0.0; 784], example });
    let id = s.encoding.last().unwrap().id;
    s.apply(Action::Worker(FromWorker::Encoded {
        id,
        mu: vec![0.0, 0.0],
        logvar: vec![0.0, 0.0],
        recon: vec![recon; 784],
    }));
    id
}

#[test]
fn an_input_its_model_reconstructs_well_is_typical_and_gets_no_notice() {
    let mut s = with_reference();
    let key = encode_pixels(&mut s, "seven.png", 0, 0, false);
    // 784 pixels at the edge clamp cost 784 · 0.00196 ≈ 1.54 nats: the 0.15th percentile.
    let p = s.item(key).unwrap().ood_percentile.expect("a percentile");
    assert!(p > 0.1 && p < 0.2, "{p}");
    assert!(s.notice.is_none(), "{:?}", s.notice);
}

#[test]
fn an_input_unlike_the_test_set_is_added_with_the_notice() {
    let mut s = with_reference();
    // White in, black back: about 784 · 6.2 ≈ 4,870 nats, beyond every test image.
    let key = encode_pixels(&mut s, "cat.jpg · resized", 255, 0, false);
    let item = s.item(key).expect("an unusual input still joins the gallery");
    assert_eq!(item.ood_percentile, Some(100.0));
    let notice = s.notice.clone().expect("a notice");
    assert_eq!(notice.kind, NoticeKind::Info);
    assert_eq!(
        notice.text,
        "cat.jpg is unlike the handwritten digits digits learned; what you see is the closest digit it can draw."
    );
}

#[test]
fn faint_content_the_reconstruction_misses_is_unusual_even_when_its_elbo_is_typical() {
    let mut s = with_reference();
    // Missed shares 0..=0.5 over the test set (percentile p at p/200).
    let m = std::rc::Rc::make_mut(s.model.as_mut().expect("a loaded model"));
    m.ood.as_mut().unwrap().missed_quantiles = (0..=100).map(|p| f64::from(p) / 200.0).collect();
    // Faint specks (20 of 255) everywhere, a blank reconstruction: 784 · 0.078 · 6.2 ≈ 384
    // nats, the 38th percentile of the ELBO, but all of the input is missed.
    let key = encode_pixels(&mut s, "cat.png", 20, 0, false);
    assert_eq!(s.item(key).unwrap().ood_percentile, Some(100.0));
    assert!(s.notice.as_ref().is_some_and(|n| n.text.starts_with("cat.png is unlike")), "{:?}", s.notice);
    // The same input without the second reference: only the ELBO counts.
    let mut plain = with_reference();
    let key = encode_pixels(&mut plain, "cat.png", 20, 0, false);
    let p = plain.item(key).unwrap().ood_percentile.unwrap();
    assert!((35.0..42.0).contains(&p), "{p}");
    assert!(plain.notice.is_none());
}

#[test]
fn a_bundled_example_is_scored_but_never_announced() {
    let mut s = with_reference();
    let key = encode_pixels(&mut s, "example", 255, 0, true);
    assert_eq!(s.item(key).unwrap().ood_percentile, Some(100.0));
    assert!(s.notice.is_none());
}

#[test]
fn a_model_without_a_reference_scores_nothing() {
    let mut s = loaded("old", 2);
    let key = encode_pixels(&mut s, "x.png", 255, 0, false);
    assert_eq!(s.item(key).unwrap().ood_percentile, None);
    assert!(s.notice.is_none());
}
