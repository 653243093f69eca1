//! The melody view's rules: which model loads, which decode is shown, what an input and a
//! failure do, the keyboard, the row and the vectors — and that none of it touches the image
//! model's state.

use super::*;
use bundle::{MelodyEntry, MelodyManifest};

fn entry(name: &str) -> MelodyEntry {
    MelodyEntry { name: name.into(), description: String::new() }
}

fn melody_manifest(name: &str) -> MelodyManifest {
    let mut m = bundle::testing::melody_manifest(4);
    m.name = name.into();
    m
}

fn m(a: MelodyAction) -> Action {
    Action::Melody(a)
}

/// An image model loaded, the melody view open and melody-vae loaded.
fn with_melodies() -> State {
    let mut s = loaded("mnist-vae", 2);
    s.apply(Action::SetView(View::Melody));
    s.apply(m(MelodyAction::Index(vec![entry("melody-vae"), entry("melody-ae")])));
    s.apply(m(MelodyAction::Manifest(Box::new(melody_manifest("melody-vae")))));
    let id = s.melody.loading.as_ref().expect("the first listed model loads").0;
    s.apply(Action::Worker(FromWorker::MelodyLoaded { id, name: "melody-vae".into() }));
    s
}

#[test]
fn the_first_listed_model_loads_and_its_examples_become_the_gallery() {
    let mut s = loaded("mnist-vae", 2);
    s.apply(m(MelodyAction::Index(vec![entry("melody-vae"), entry("melody-ae")])));
    s.apply(m(MelodyAction::Manifest(Box::new(melody_manifest("melody-ae")))));
    assert!(s.melody.loading.is_none(), "not the first listed: it waits to be chosen");
    s.apply(m(MelodyAction::Manifest(Box::new(melody_manifest("melody-vae")))));
    let (id, _) = s.melody.loading.clone().expect("melody-vae loads");
    assert!(s.melody.model.is_none(), "nothing changes before the worker has it");
    s.apply(Action::Worker(FromWorker::MelodyLoaded { id, name: "melody-vae".into() }));
    assert_eq!(s.melody.model.as_ref().map(|m| m.name.as_str()), Some("melody-vae"));
    assert_eq!(s.melody.z, vec![0.0; 4]);
    assert_eq!(s.melody.items.len(), 1);
    assert!(s.melody.items[0].example);
    assert!(s.melody.decode_id > 0, "the origin is decoded at once");
    assert_eq!(s.model_name(), Some("mnist-vae"), "the image model is untouched");
}

#[test]
fn only_the_newest_decode_is_shown_and_the_row_keeps_its_own() {
    let mut s = with_melodies();
    s.apply(m(MelodyAction::SetLatent { dim: 1, value: 1.5 }));
    let first = s.melody.decode_id;
    s.apply(m(MelodyAction::SetLatent { dim: 1, value: 2.0 }));
    let second = s.melody.decode_id;
    assert!(second > first);
    s.apply(Action::Worker(FromWorker::MelodiesDecoded { id: first, melodies: vec![vec![2; 32]] }));
    assert!(s.melody.melody.is_none(), "a stale decode is dropped");
    s.apply(Action::Worker(FromWorker::MelodiesDecoded { id: second, melodies: vec![vec![3; 32]] }));
    assert_eq!(s.melody.melody, Some((second, vec![3; 32])));
    assert_eq!(s.melody.z[1], 2.0);
    // A slider value out of range is clamped; NaN is ignored.
    s.apply(m(MelodyAction::SetLatent { dim: 0, value: f32::NAN }));
    assert_eq!(s.melody.decode_id, second);
}

#[test]
fn an_input_is_encoded_and_becomes_an_item_the_sliders_take() {
    let mut s = with_melodies();
    let tokens: Vec<u8> = (0..32).map(|i| if i % 4 == 0 { 10 } else { 1 }).collect();
    s.apply(m(MelodyAction::Input { name: "tune.mid".into(), tokens: tokens.clone() }));
    let id = s.melody.pending[0].id;
    s.apply(Action::Worker(FromWorker::MelodyEncoded { id, mu: vec![0.5, -0.5, 1.0, 0.0] }));
    assert!(s.melody.pending.is_empty());
    let item = s.melody.items.last().unwrap();
    assert_eq!((item.name.as_str(), &item.tokens, item.example), ("tune.mid", &tokens, false));
    assert_eq!(s.melody.z, vec![0.5, -0.5, 1.0, 0.0]);
    // Tokens the model has no use for are refused before the worker sees them.
    let before = s.melody.items.len();
    s.apply(m(MelodyAction::Input { name: "bad".into(), tokens: vec![99; 32] }));
    assert!(s.melody.pending.is_empty());
    assert!(s.notice.as_ref().unwrap().text.contains("Nothing was changed"));
    assert_eq!(s.melody.items.len(), before);
}

#[test]
fn a_failed_encode_or_load_is_a_notice_and_keeps_what_was_there() {
    let mut s = with_melodies();
    s.apply(m(MelodyAction::Input { name: "x.mid".into(), tokens: vec![2; 32] }));
    let id = s.melody.pending[0].id;
    let items = s.melody.items.clone();
    s.apply(Action::Worker(FromWorker::Failed { id: Some(id), message: "boom".into() }));
    assert_eq!(s.melody.items, items);
    assert!(s.notice.as_ref().unwrap().text.contains("x.mid could not be encoded: boom"));
    s.apply(m(MelodyAction::Manifest(Box::new(melody_manifest("melody-ae")))));
    s.apply(m(MelodyAction::Choose("melody-ae".into())));
    let (load, _) = s.melody.loading.clone().unwrap();
    s.apply(Action::Worker(FromWorker::Failed { id: Some(load), message: "damaged".into() }));
    assert_eq!(s.melody.model.as_ref().unwrap().name, "melody-vae", "the open model stays");
    assert!(s.notice.as_ref().unwrap().text.contains("melody-vae stays open"));
}

#[test]
fn the_keyboard_writes_notes_of_the_chosen_length_and_encodes_padded_with_rests() {
    let mut s = with_melodies();
    s.apply(m(MelodyAction::KeyDone));
    assert!(s.notice.as_ref().unwrap().text.contains("nothing to encode"));
    s.apply(m(MelodyAction::KeyNote(67)));
    s.apply(m(MelodyAction::KeyNoteSteps(4)));
    s.apply(m(MelodyAction::KeyNote(69)));
    s.apply(m(MelodyAction::KeyRest));
    let g = ::melody::grid::pitch_token(67).unwrap();
    let a = ::melody::grid::pitch_token(69).unwrap();
    assert_eq!(s.melody.keyboard.tokens, vec![g, 1, a, 1, 1, 1, 0, 0, 0, 0]);
    s.apply(m(MelodyAction::KeyUndo));
    assert_eq!(s.melody.keyboard.tokens.len(), 9, "undo takes back the last rest step by step");
    s.apply(m(MelodyAction::KeyNote(20)));
    assert_eq!(s.melody.keyboard.tokens.len(), 9, "a pitch outside the grid writes nothing");
    for _ in 0..20 {
        s.apply(m(MelodyAction::KeyNote(72)));
    }
    assert_eq!(s.melody.keyboard.tokens.len(), 32, "two bars and no more");
    s.apply(m(MelodyAction::KeyDone));
    assert_eq!(s.melody.pending.len(), 1);
    assert_eq!(s.melody.pending[0].tokens.len(), 32);
    assert!(s.melody.keyboard.tokens.is_empty());
}

#[test]
fn two_ends_make_a_row_from_one_code_to_the_other() {
    let mut s = with_melodies();
    s.apply(m(MelodyAction::Input { name: "b".into(), tokens: vec![5; 32] }));
    let id = s.melody.pending[0].id;
    s.apply(Action::Worker(FromWorker::MelodyEncoded { id, mu: vec![1.0, 2.0, 0.0, -1.0] }));
    let (a, b) = (s.melody.items[0].key, s.melody.items[1].key);
    s.apply(m(MelodyAction::SetEnd { end: 0, key: a }));
    assert!(s.melody.row.is_none());
    s.apply(m(MelodyAction::SetEnd { end: 1, key: b }));
    let codes = s.melody_row_codes().unwrap().clone();
    assert_eq!(codes.len(), ROW_LENGTH);
    assert_eq!(codes[0], s.melody.items[0].mu);
    assert_eq!(codes[ROW_LENGTH - 1], vec![1.0, 2.0, 0.0, -1.0]);
    let row = s.melody.row_id;
    s.apply(Action::Worker(FromWorker::MelodiesDecoded { id: row, melodies: vec![vec![2; 32]; ROW_LENGTH] }));
    s.apply(m(MelodyAction::Play(Playing::Row)));
    assert_eq!(s.melody_to_play().len(), ROW_LENGTH);
    s.apply(m(MelodyAction::Stop));
    assert!(s.melody_to_play().is_empty());
}

#[test]
fn the_vector_moves_the_code_by_the_change_of_strength() {
    let mut s = with_melodies();
    s.apply(m(MelodyAction::Strength(1.0)));
    assert_eq!(s.melody.z, vec![0.0; 4], "no vector chosen: nothing moves");
    s.apply(m(MelodyAction::Vector(Some(0))));
    s.apply(m(MelodyAction::Strength(2.0)));
    assert_eq!(s.melody.z, vec![1.0; 4]);
    s.apply(m(MelodyAction::Strength(1.0)));
    assert_eq!(s.melody.z, vec![0.5; 4]);
    s.apply(m(MelodyAction::Vector(Some(7))));
    assert_eq!(s.melody.vector, Some(0), "a vector the model does not have is ignored");
    s.apply(m(MelodyAction::Sample(42)));
    let sampled = s.melody.z.clone();
    s.apply(m(MelodyAction::Sample(42)));
    assert_eq!(s.melody.z, sampled, "the same seed draws the same code");
    assert!(sampled.iter().any(|v| *v != 0.0));
}
