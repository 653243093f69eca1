//! The reducer's rules, natively.

use super::*;
use worker_protocol::Lane;

/// The bundle crate's test manifest under another name, every dimension equally informative.
fn manifest(name: &str, dim: usize) -> Manifest {
    let mut m = bundle::testing::manifest(dim);
    m.name = name.into();
    m.kl_per_dim = vec![0.0; dim];
    m
}

fn loaded(name: &str, dim: usize) -> State {
    loaded_with(manifest(name, dim))
}

fn loaded_with(m: Manifest) -> State {
    let name = m.name.clone();
    let mut s = State::new(BackendChoice::Auto);
    s.apply(Action::ManifestLoaded { manifest: Box::new(m), z: None });
    let id = s.loading.as_ref().unwrap().id;
    s.apply(Action::Worker(FromWorker::Loaded {
        id,
        name,
        backend: Backend::Cpu,
        note: None,
        dim_scores: vec![],
    }));
    s
}

/// The worker confirms the load in progress, on `backend`.
fn finish_load(s: &mut State, backend: Backend) {
    let l = s.loading.clone().expect("a load in progress");
    s.apply(Action::Worker(FromWorker::Loaded {
        id: l.id,
        name: l.manifest.name.clone(),
        backend,
        note: None,
        dim_scores: vec![],
    }));
}

/// A gallery item of grey 200s ("ink") encoded at the origin of a 2-D model; its key.
fn grey_item(s: &mut State) -> u64 {
    s.apply(Action::Encode {
        name: "ink".into(),
        input: vec![200; 784],
        pixels: vec![0.8; 784],
        example: false,
    });
    let id = s.encoding[0].id;
    s.apply(Action::Worker(FromWorker::Encoded {
        id,
        mu: vec![0.0; 2],
        logvar: vec![0.0; 2],
        recon: vec![1; 784],
    }));
    id
}

fn decoded(id: u64, v: u8) -> Action {
    Action::Worker(FromWorker::Decoded { id, pixels: vec![v], micros: 1, memory: 0, gpu_memory: 0 })
}

#[test]
fn loading_a_model_sets_zero_z_and_requests_a_decode() {
    let s = loaded("a", 4);
    assert_eq!(s.z, vec![0.0; 4]);
    assert_eq!(s.backend, Some(Backend::Cpu));
    assert!(s.loading.is_none());
    assert!(s.decode_id > 0);
    assert!(!s.settled());
}

#[test]
fn only_the_newest_decode_is_shown() {
    let mut s = loaded("a", 2);
    let mut ids = vec![];
    for i in 0..5 {
        s.apply(Action::SetLatent { dim: 0, value: i as f32 * 0.1 });
        ids.push(s.decode_id);
    }
    // Results arrive out of order; a stale one after the newest must not replace it.
    s.apply(decoded(ids[1], 1));
    s.apply(decoded(ids[4], 4));
    s.apply(decoded(ids[3], 3));
    assert_eq!(s.image.as_ref().unwrap().pixels[0], 4);
    assert!(s.settled());
    // An id never requested (from before a reload) is ignored.
    s.apply(decoded(s.decode_id + 10, 9));
    assert_eq!(s.image.as_ref().unwrap().pixels[0], 4);
}

#[test]
fn a_drag_run_ahead_of_the_reducer_lands_whole_and_its_decode_ids_stay_increasing() {
    let mut s = loaded("m", 4);
    let mut live = crate::live_drag::LiveDrag::default();
    live.move_slider(&s, 2, 1.25).unwrap();
    let (last, _) = live.move_slider(&s, 2, 1.5).unwrap();
    assert!(last > s.decode_id);
    s.apply(live.take().unwrap());
    assert_eq!(s.z, [0.0, 0.0, 1.5, 0.0]);
    assert!(s.decode_id > last, "the reducer's decode {} comes after the live {last}", s.decode_id);
    // A new drag starts from the reducer's code and above its ids.
    let (next, z) = live.move_slider(&s, 0, -1.0).unwrap();
    assert!(next > s.decode_id);
    assert_eq!(z, [-1.0, 0.0, 1.5, 0.0]);
}

#[test]
fn replies_nobody_waits_for_are_not_heeded() {
    let mut s = loaded("m", 2);
    let first = s.decode_id;
    s.apply(Action::SetLatent { dim: 0, value: 1.0 });
    let newest = s.decode_id;
    let reply = |id| FromWorker::Decoded { id, pixels: vec![0; 4], micros: 1, memory: 0, gpu_memory: 0 };
    assert!(s.heeds(&reply(first)) && s.heeds(&reply(newest)));
    assert!(!s.heeds(&reply(newest + 1)), "not asked yet");
    s.apply(Action::Worker(reply(newest)));
    assert!(!s.heeds(&reply(first)), "older than the image on screen");
    let grid = |id| FromWorker::DecodedMany { id, lane: Lane::Grid, images: vec![], micros: 0 };
    assert!(!s.heeds(&grid(s.grid_id + 1)), "a grid nobody asked for");
    assert!(s.heeds(&FromWorker::Failed { id: None, message: "x".into() }));
}

#[test]
fn a_failed_load_keeps_everything() {
    let mut s = loaded("a", 2);
    s.apply(Action::SetLatent { dim: 1, value: 1.5 });
    let before = (s.model.clone(), s.z.clone());
    s.apply(Action::ManifestLoaded { manifest: Box::new(manifest("b", 8)), z: None });
    let id = s.loading.as_ref().unwrap().id;
    s.apply(Action::Worker(FromWorker::Failed { id: Some(id), message: "weights truncated".into() }));
    assert_eq!((s.model.clone(), s.z.clone()), before);
    assert!(s.loading.is_none());
    assert_eq!(s.notice.as_ref().unwrap().kind, NoticeKind::Error);
    assert!(s.notice.as_ref().unwrap().text.contains("truncated"));
}

#[test]
fn latent_edits_are_validated() {
    let mut s = loaded("a", 2);
    let id = s.decode_id;
    s.apply(Action::SetLatent { dim: 5, value: 1.0 });
    s.apply(Action::SetLatent { dim: 0, value: f32::NAN });
    s.apply(Action::SetZ(vec![1.0, 2.0, 3.0]));
    assert_eq!((s.z.clone(), s.decode_id), (vec![0.0, 0.0], id));
    s.apply(Action::SetLatent { dim: 0, value: 100.0 });
    assert_eq!(s.z[0], latent::url_state::MAX_ABS);
    s.apply(Action::Reset);
    assert_eq!(s.z, vec![0.0, 0.0]);
}

#[test]
fn switching_backend_reloads_and_keeps_z() {
    let mut s = loaded("a", 2);
    s.apply(Action::SetZ(vec![0.5, -0.5]));
    s.apply(Action::ChooseBackend(BackendChoice::Webgpu));
    finish_load(&mut s, Backend::Webgpu);
    assert_eq!(s.z, vec![0.5, -0.5]);
    assert_eq!(s.backend, Some(Backend::Webgpu));
}

#[test]
fn a_lost_gpu_worker_is_replaced_on_the_cpu_keeping_z() {
    let mut s = loaded("a", 2);
    s.apply(Action::ChooseBackend(BackendChoice::Webgpu));
    finish_load(&mut s, Backend::Webgpu);
    s.apply(Action::SetZ(vec![1.5, -0.25]));
    // Asking for WebGPU started the GPU module as the worker of epoch 1.
    assert_eq!(s.worker_epoch, 1);
    s.apply(Action::WorkerLost { epoch: 1, message: "The GPU device was lost (unknown)".into() });
    assert_eq!(s.worker_epoch, 2);
    assert_eq!(s.backend_choice, BackendChoice::Cpu);
    let z = s.loading.as_ref().and_then(|l| l.z.clone()).expect("a reload on the new worker");
    assert_eq!(z, vec![1.5, -0.25]);
    let n = s.notice.clone().expect("a notice");
    assert!(n.text.contains("GPU device was lost") && n.text.contains("CPU"), "{}", n.text);
    // The old worker's own crash report arrives late: it must not restart the new one.
    s.apply(Action::WorkerLost { epoch: 1, message: "stopped".into() });
    assert_eq!(s.worker_epoch, 2);
    finish_load(&mut s, Backend::Cpu);
    assert_eq!(s.z, vec![1.5, -0.25]);
    assert_eq!(s.backend, Some(Backend::Cpu));
}

#[test]
fn the_cpu_module_runs_first_and_a_swap_to_the_gpu_module_keeps_z() {
    let mut s = loaded("a", 2);
    assert_eq!(s.worker_module(), WorkerModule::Cpu, "the CPU module starts before the adapter is known");
    s.apply(Action::AdapterProbed(false));
    assert_eq!(s.worker_module(), WorkerModule::Cpu);
    assert_eq!(s.gpu_trial_request(), None, "no adapter, no trial");
    assert_eq!(s.backend_note.as_deref(), Some("this browser offers no WebGPU adapter"));
    s.apply(Action::SetZ(vec![0.75, -1.0]));
    // The CPU choice needs the module already running: no new worker.
    s.apply(Action::ChooseBackend(BackendChoice::Cpu));
    assert_eq!(s.worker_epoch, 0);
    finish_load(&mut s, Backend::Cpu);
    // Asking for WebGPU starts the GPU module as a new worker, with the model reloaded on it.
    s.apply(Action::ChooseBackend(BackendChoice::Webgpu));
    assert_eq!((s.worker_module(), s.worker_epoch), (WorkerModule::Gpu, 1));
    assert_eq!(s.load_backend(), BackendChoice::Webgpu);
    finish_load(&mut s, Backend::Webgpu);
    assert_eq!(s.z, vec![0.75, -1.0]);
    // A swap is not a loss: it does not count against the restarts.
    assert_eq!(s.restarts, 0);
}

/// With an adapter, `auto` draws the first image on the CPU module, then tries the GPU module
/// in the background; a faster WebGPU replaces the worker and keeps z and the gallery.
#[test]
fn a_faster_webgpu_takes_over_from_the_cpu_worker_keeping_z_and_the_gallery() {
    let mut s = loaded("a", 2);
    assert_eq!(s.gpu_trial_request(), None, "not before the adapter is known");
    s.apply(Action::AdapterProbed(true));
    assert_eq!(s.worker_module(), WorkerModule::Cpu);
    assert_eq!(s.load_backend(), BackendChoice::Cpu, "the CPU module is never asked to measure");
    let m = s.gpu_trial_request().expect("a trial once a model is on the CPU worker");
    assert_eq!(m.name, "a");
    s.apply(Action::SetZ(vec![1.0, 2.0]));
    encode(&mut s, "kept", [0.5, 0.5]);
    s.apply(Action::GpuTrialStarted);
    assert_eq!(s.gpu_trial_request(), None, "one trial at a time");
    s.apply(Action::GpuTrialDone { winner: Some(Backend::Webgpu), note: "WebGPU 1 ms, CPU 3 ms".into() });
    assert_eq!((s.worker_module(), s.worker_epoch), (WorkerModule::Gpu, 1));
    assert_eq!(s.load_backend(), BackendChoice::Webgpu, "the new worker does not measure again");
    finish_load(&mut s, Backend::Webgpu);
    assert_eq!(s.z, vec![1.0, 2.0]);
    assert_eq!(s.gallery.len(), 1);
    assert_eq!(s.backend_note.as_deref(), Some("WebGPU 1 ms, CPU 3 ms"));
    assert_eq!(s.gpu_trial_request(), None, "the trial runs once");
}

#[test]
fn a_slower_or_failed_webgpu_trial_leaves_the_cpu_worker_alone() {
    for winner in [Some(Backend::Cpu), None] {
        let mut s = loaded("a", 2);
        s.apply(Action::AdapterProbed(true));
        s.apply(Action::GpuTrialStarted);
        s.apply(Action::GpuTrialDone { winner, note: "WebGPU 9 ms, CPU 1 ms".into() });
        assert_eq!((s.worker_module(), s.worker_epoch), (WorkerModule::Cpu, 0));
        assert!(s.loading.is_none(), "nothing is reloaded");
        assert_eq!(s.backend_note.as_deref(), Some("WebGPU 9 ms, CPU 1 ms"));
        assert_eq!(s.gpu_trial_request(), None);
        // A late verdict from an abandoned trial changes nothing either.
        s.apply(Action::GpuTrialDone { winner: Some(Backend::Webgpu), note: String::new() });
        assert_eq!(s.worker_module(), WorkerModule::Cpu);
    }
    // A user who chose the CPU is never given a trial.
    let mut s = loaded("a", 2);
    s.apply(Action::ChooseBackend(BackendChoice::Cpu));
    finish_load(&mut s, Backend::Cpu);
    s.apply(Action::AdapterProbed(true));
    assert_eq!(s.gpu_trial_request(), None);
}

#[test]
fn a_worker_that_keeps_dying_is_not_restarted_forever() {
    let mut s = loaded("a", 2);
    for epoch in 0..MAX_WORKER_RESTARTS {
        s.apply(Action::WorkerLost { epoch, message: "crashed".into() });
    }
    assert_eq!(s.worker_epoch, MAX_WORKER_RESTARTS);
    s.apply(Action::WorkerLost { epoch: MAX_WORKER_RESTARTS, message: "crashed".into() });
    assert_eq!(s.worker_epoch, MAX_WORKER_RESTARTS);
    let n = s.notice.expect("a notice");
    assert_eq!(n.kind, NoticeKind::Error);
    assert!(n.text.contains("Reload the page"), "{}", n.text);
}

#[test]
fn a_webgpu_fallback_is_announced() {
    let mut s = State::new(BackendChoice::Webgpu);
    s.apply(Action::ManifestLoaded { manifest: Box::new(manifest("a", 2)), z: None });
    let id = s.loading.as_ref().unwrap().id;
    let note = Some("no WebGPU here; decoding on the CPU instead".to_string());
    s.apply(Action::Worker(FromWorker::Loaded {
        id,
        name: "a".into(),
        backend: Backend::Cpu,
        note,
        dim_scores: vec![],
    }));
    let n = s.notice.expect("a notice");
    assert_eq!(n.kind, NoticeKind::Info);
    assert!(n.text.contains("WebGPU") && n.text.contains("CPU"), "{}", n.text);
}

#[test]
fn progress_for_an_old_load_is_ignored() {
    let mut s = State::new(BackendChoice::Auto);
    s.apply(Action::ManifestLoaded { manifest: Box::new(manifest("a", 2)), z: None });
    s.apply(Action::ManifestLoaded { manifest: Box::new(manifest("b", 2)), z: Some(vec![1.0, 1.0]) });
    let id = s.loading.as_ref().unwrap().id;
    s.apply(Action::Worker(FromWorker::Progress { id: id - 1, stage: "old".into(), fraction: None }));
    assert_ne!(s.loading.as_ref().unwrap().stage, "old");
    s.apply(Action::Worker(FromWorker::Loaded {
        id: id - 1,
        name: "a".into(),
        backend: Backend::Cpu,
        note: None,
        dim_scores: vec![],
    }));
    assert!(s.model.is_none());
    s.apply(Action::Worker(FromWorker::Loaded {
        id,
        name: "b".into(),
        backend: Backend::Cpu,
        note: None,
        dim_scores: vec![],
    }));
    assert_eq!(s.model.as_ref().unwrap().name, "b");
    assert_eq!(s.z, vec![1.0, 1.0]);
}

/// Encode an image on a loaded 2-D model and let the worker answer with `mu`.
fn encode(s: &mut State, name: &str, mu: [f32; 2]) -> u64 {
    encode_with(s, name, &mu, &[0.0, 2.0f32.ln() * 2.0])
}

/// Encode an image of the current model's size and let the worker answer with q(z|x).
fn encode_with(s: &mut State, name: &str, mu: &[f32], logvar: &[f32]) -> u64 {
    let len = s.model.as_ref().map_or(784, |m| m.image.len());
    s.apply(Action::Encode {
        name: name.into(),
        input: vec![0; len],
        pixels: vec![0.0; len],
        example: false,
    });
    let id = s.encoding.last().unwrap().id;
    s.apply(Action::Worker(FromWorker::Encoded {
        id,
        mu: mu.to_vec(),
        logvar: logvar.to_vec(),
        recon: vec![1; len],
    }));
    id
}

#[test]
fn encoded_images_become_gallery_items_and_selecting_sets_z() {
    let mut s = loaded("a", 2);
    let rev = s.saved_rev;
    let key = encode(&mut s, "seven.png", [0.5, -1.0]);
    assert!(s.encoding.is_empty());
    let item = s.item(key).expect("an item");
    assert_eq!(item.name, "seven.png");
    assert!((item.sigma[0] - 1.0).abs() < 1e-6 && (item.sigma[1] - 2.0).abs() < 1e-5, "{:?}", item.sigma);
    assert!(s.saved_rev > rev, "a user item must be saved");
    s.apply(Action::Select(key));
    assert_eq!((s.z.clone(), s.selected), (vec![0.5, -1.0], Some(key)));
    // A wrong-sized image is refused with a message, nothing queued.
    s.apply(Action::Encode { name: "x".into(), input: vec![], pixels: vec![0.0; 3], example: false });
    assert!(s.encoding.is_empty() && s.notice.is_some());
}

#[test]
fn a_failed_encode_is_forgotten_and_reported() {
    let mut s = loaded("a", 2);
    s.apply(Action::Encode { name: "x".into(), input: vec![], pixels: vec![0.0; 784], example: false });
    let id = s.encoding[0].id;
    s.apply(Action::Worker(FromWorker::Failed { id: Some(id), message: "bad".into() }));
    assert!(s.encoding.is_empty() && s.gallery.is_empty());
    assert_eq!(s.notice.unwrap().text, "bad");
}

#[test]
fn interpolation_requests_a_strip_and_scrubbing_moves_z() {
    let mut s = loaded("a", 2);
    let a = encode(&mut s, "a", [0.0, 0.0]);
    let b = encode(&mut s, "b", [2.0, -2.0]);
    s.apply(Action::SetEnd { b: false, key: Some(a) });
    assert!(s.strip_codes().is_none());
    s.apply(Action::SetEnd { b: true, key: Some(b) });
    s.apply(Action::InterpFrames(40));
    assert_eq!(s.interp.frames, MAX_FRAMES);
    let codes = s.strip_codes().unwrap();
    assert_eq!((codes.len(), codes[0].clone(), codes[15].clone()), (16, vec![0.0, 0.0], vec![2.0, -2.0]));
    let asked = s.strip_id;
    s.apply(Action::Worker(FromWorker::DecodedMany {
        micros: 0,
        id: asked - 1,
        lane: Lane::Strip,
        images: vec![],
    }));
    assert!(s.strip.is_none(), "a stale strip is dropped");
    s.apply(Action::Worker(FromWorker::DecodedMany {
        micros: 0,
        id: asked,
        lane: Lane::Strip,
        images: vec![vec![0]; 16],
    }));
    assert_eq!(s.strip.as_ref().unwrap().images.len(), 16);
    s.apply(Action::Scrub(0.5));
    assert_eq!(s.z, vec![1.0, -1.0]);
    s.apply(Action::Play(true));
    s.apply(Action::Tick);
    assert!(s.interp.t > 0.5);
    // Two more corners give the bilinear grid, in its own lane.
    let c = encode(&mut s, "c", [0.0, 4.0]);
    let d = encode(&mut s, "d", [2.0, 2.0]);
    s.apply(Action::SetCorner { d: false, key: Some(c) });
    assert!(s.corner_codes().is_none(), "three corners are not a grid");
    s.apply(Action::SetCorner { d: true, key: Some(d) });
    let grid = s.corner_codes().unwrap();
    assert_eq!(grid.len(), MAX_CORNER_GRID * MAX_CORNER_GRID, "16 frames make an 8×8 grid at most");
    assert_eq!((grid[0].clone(), grid[63].clone()), (vec![0.0, 0.0], vec![2.0, 2.0]));
    let asked = s.corners_id;
    s.apply(Action::Worker(FromWorker::DecodedMany {
        micros: 0,
        id: asked,
        lane: Lane::Strip,
        images: vec![],
    }));
    assert!(s.corners.is_none());
    s.apply(Action::Worker(FromWorker::DecodedMany {
        micros: 0,
        id: asked,
        lane: Lane::Corners,
        images: vec![vec![0]; 64],
    }));
    assert_eq!(s.corners.as_ref().unwrap().images.len(), 64);
    s.apply(Action::Delete(c));
    assert_eq!((s.interp.c, s.corners.clone()), (None, None));
    // Deleting an end stops playback and clears the strip.
    s.apply(Action::Delete(b));
    assert_eq!((s.interp.b, s.interp.playing, s.strip_codes()), (None, false, None));
}

#[test]
fn strength_moves_z_along_the_vector_by_the_difference() {
    let mut m = manifest("faces", 2);
    m.vectors = vec![bundle::NamedVector { name: "glasses".into(), vector: vec![1.0, 0.0], support: None }];
    let mut s = State::new(BackendChoice::Auto);
    s.apply(Action::ManifestLoaded { manifest: Box::new(m), z: None });
    let id = s.loading.as_ref().unwrap().id;
    s.apply(Action::Worker(FromWorker::Loaded {
        id,
        name: "faces".into(),
        backend: Backend::Cpu,
        note: None,
        dim_scores: vec![],
    }));
    s.apply(Action::ChooseVector(Some(VectorChoice::Named("glasses".into()))));
    s.apply(Action::SetStrength(2.0));
    assert_eq!(s.z, vec![2.0, 0.0]);
    s.apply(Action::SetLatent { dim: 1, value: 0.5 });
    s.apply(Action::SetStrength(-1.0));
    assert_eq!(s.z, vec![-1.0, 0.5]);
    s.apply(Action::SetStrength(9.0));
    assert_eq!(s.strength, 3.0);
    // An unknown vector is not chosen.
    s.apply(Action::ChooseVector(Some(VectorChoice::Named("wings".into()))));
    assert_eq!(s.vector, None);
}

#[test]
fn class_vectors_come_from_label_means() {
    let mut m = manifest("digits", 2);
    m.label_means = vec![vec![0.0, 1.0], vec![3.0, 1.0]];
    m.label_names = vec!["zero".into(), "one".into()];
    let mut s = State::new(BackendChoice::Auto);
    s.apply(Action::ManifestLoaded { manifest: Box::new(m), z: None });
    let id = s.loading.as_ref().unwrap().id;
    s.apply(Action::Worker(FromWorker::Loaded {
        id,
        name: "digits".into(),
        backend: Backend::Cpu,
        note: None,
        dim_scores: vec![],
    }));
    let choice = VectorChoice::Classes { from: 0, to: 1 };
    assert_eq!(s.vector_of(&choice), Some(vec![3.0, 0.0]));
    assert_eq!(choice.label(&s.model.as_ref().unwrap().label_names), "zero → one");
    assert_eq!(s.vector_of(&VectorChoice::Classes { from: 0, to: 7 }), None);
}

#[test]
fn user_vectors_need_both_sides_and_a_fresh_name() {
    let mut s = loaded("a", 2);
    let w1 = encode(&mut s, "w1", [2.0, 0.0]);
    let w2 = encode(&mut s, "w2", [4.0, 0.0]);
    let wo = encode(&mut s, "wo", [0.0, 1.0]);
    s.apply(Action::MarkItem(w1, Mark::With));
    s.apply(Action::SaveVector("smile".into()));
    assert!(s.custom_vectors.is_empty());
    assert!(s.notice.take().unwrap().text.contains("without"));
    s.apply(Action::MarkItem(w2, Mark::With));
    s.apply(Action::MarkItem(wo, Mark::Without));
    s.apply(Action::SaveVector(" smile ".into()));
    assert_eq!(s.custom_vectors[0].vector, vec![3.0, -1.0]);
    assert_eq!(s.custom_vectors[0].support, [2, 1]);
    assert_eq!(s.vector, Some(VectorChoice::Named("smile".into())));
    s.apply(Action::SaveVector("smile".into()));
    assert_eq!(s.custom_vectors.len(), 1);
    s.apply(Action::Analogy([w2, w1, wo]));
    assert_eq!(s.z, vec![2.0, 1.0]);
    s.apply(Action::DeleteVector("smile".into()));
    assert!(s.custom_vectors.is_empty() && s.vector.is_none());
}

#[test]
fn restored_items_keep_their_keys_and_new_ids_do_not_collide() {
    let mut s = loaded("a", 2);
    let key = encode(&mut s, "x", [1.0, 1.0]);
    let saved = s.gallery.clone();
    let mut fresh = loaded("a", 2);
    fresh.apply(Action::Restore { gallery: saved.clone(), vectors: vec![] });
    assert_eq!(fresh.item(key).unwrap().mu, vec![1.0, 1.0]);
    let new_key = encode(&mut fresh, "y", [0.0, 0.0]);
    assert!(new_key > key);
    // Restoring twice does not duplicate.
    fresh.apply(Action::Restore { gallery: saved, vectors: vec![] });
    assert_eq!(fresh.gallery.len(), 2);
}

#[test]
fn items_belong_to_their_model() {
    let mut s = loaded("a", 2);
    let key = encode(&mut s, "x", [1.0, 1.0]);
    s.apply(Action::SetEnd { b: false, key: Some(key) });
    s.apply(Action::ManifestLoaded { manifest: Box::new(manifest("b", 2)), z: None });
    finish_load(&mut s, Backend::Cpu);
    assert!(s.items().is_empty() && s.item(key).is_none());
    assert_eq!(s.interp.a, None);
    assert_eq!(s.gallery.len(), 1, "the other model's item is kept for when it comes back");
}

mod crop;
mod denoiser;
mod family;
mod imports;
mod layers;
mod lecture;
mod measures;
mod melodies;
mod offline;
mod ood;
