//! Layer timings: one measurement at a time, only its own answer counts, and it belongs to the
//! model it was taken on.

use super::*;
use worker_protocol::LayerTime;

fn layer(name: &str, one: f64, batch: f64) -> LayerTime {
    LayerTime { name: name.into(), op: "conv2d".into(), ms_one: one, ms_batch: batch }
}

#[test]
fn layer_timings_are_asked_once_and_kept_for_their_model() {
    let mut s = loaded("a", 4);
    assert!(!s.profiling());
    s.apply(Action::ProfileLayers);
    let id = s.profile_id;
    assert!(s.profiling() && id > 0);
    s.apply(Action::Worker(FromWorker::Profiled { id: id + 100, layers: vec![layer("x", 1.0, 2.0)] }));
    assert!(s.current_profile().is_none(), "someone else's answer");
    s.apply(Action::Worker(FromWorker::Profiled {
        id,
        layers: vec![layer("up", 1.5, 40.0), layer("out", 0.5, 10.0)],
    }));
    assert!(!s.profiling());
    let p = s.current_profile().expect("stored");
    assert_eq!(p.totals(), (2.0, 50.0));
    // Another model on screen: the table was not taken on it.
    let mut other = loaded_with(manifest("b", 4));
    other.layer_profile = s.layer_profile.clone();
    assert!(other.current_profile().is_none());
}

#[test]
fn a_failed_measurement_says_why_and_can_be_asked_again() {
    let mut s = loaded("a", 4);
    s.apply(Action::ProfileLayers);
    let id = s.profile_id;
    s.apply(Action::Worker(FromWorker::Failed {
        id: Some(id),
        message: "layer timings are measured on the CPU backend".into(),
    }));
    assert!(!s.profiling());
    assert!(s.notice.clone().unwrap().text.contains("CPU backend"));
}
