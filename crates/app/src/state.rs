//! The whole page state and the one reducer that changes it.
//!
//! Side effects are not performed here: components watch the request ids this reducer hands out
//! (`load.id`, `decode_id`) and post the matching message to the worker. That keeps every rule
//! of the page (which result to show, what a failure keeps) testable natively.

use crate::protocol::{Backend, BackendChoice, FromWorker};
use std::rc::Rc;
use vae::bundle::{IndexEntry, Manifest};

#[derive(Clone, Debug, PartialEq)]
pub enum NoticeKind {
    Error,
    Info,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Notice {
    pub kind: NoticeKind,
    pub text: String,
}

/// A model being loaded: shown as progress until the worker confirms it.
#[derive(Clone, Debug, PartialEq)]
pub struct Loading {
    pub id: u64,
    pub manifest: Rc<Manifest>,
    pub stage: String,
    /// The code to show once it is ready (from a link), else the origin.
    pub z: Option<Vec<f32>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Image {
    pub id: u64,
    pub pixels: Rc<Vec<u8>>,
    pub micros: u32,
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct State {
    /// Bundles listed in `models/index.json`.
    pub models: Vec<IndexEntry>,
    /// The model the sliders drive; it changes only once a new one has loaded.
    pub model: Option<Rc<Manifest>>,
    pub loading: Option<Loading>,
    pub backend: Option<Backend>,
    pub backend_choice: BackendChoice,
    pub backend_note: Option<String>,
    pub z: Vec<f32>,
    pub temperature: f32,
    /// Source of request ids: strictly increasing over the page's life.
    pub next_id: u64,
    /// Id of the newest decode requested for `z`.
    pub decode_id: u64,
    pub image: Option<Image>,
    pub notice: Option<Notice>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    IndexLoaded(Vec<IndexEntry>),
    /// A manifest was fetched and parsed: start loading it on the worker.
    ManifestLoaded {
        manifest: Box<Manifest>,
        z: Option<Vec<f32>>,
    },
    /// Something failed outside the worker (fetching, parsing, a bad link).
    Failed(String),
    Inform(String),
    SetLatent {
        dim: usize,
        value: f32,
    },
    SetZ(Vec<f32>),
    Reset,
    SetTemperature(f32),
    ChooseBackend(BackendChoice),
    Worker(FromWorker),
    DismissNotice,
}

impl State {
    pub fn new(backend_choice: BackendChoice) -> Self {
        State { backend_choice, temperature: 1.0, ..Default::default() }
    }

    fn fresh_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    fn request_decode(&mut self) {
        if self.model.is_some() {
            self.decode_id = self.fresh_id();
        }
    }

    fn error(&mut self, text: String) {
        self.notice = Some(Notice { kind: NoticeKind::Error, text });
    }

    /// Whether the image on screen is the decode of the current `z`.
    pub fn settled(&self) -> bool {
        self.image.as_ref().is_some_and(|i| i.id == self.decode_id)
    }

    pub fn apply(&mut self, action: Action) {
        match action {
            Action::IndexLoaded(models) => self.models = models,
            Action::ManifestLoaded { manifest, z } => {
                let id = self.fresh_id();
                let stage = format!("loading {}", manifest.name);
                self.loading = Some(Loading { id, manifest: Rc::new(*manifest), stage, z });
            }
            Action::Failed(text) => self.error(text),
            Action::Inform(text) => self.notice = Some(Notice { kind: NoticeKind::Info, text }),
            Action::SetLatent { dim, value } => {
                if let Some(slot) = self.z.get_mut(dim)
                    && value.is_finite()
                {
                    *slot = value.clamp(-latent::url_state::MAX_ABS, latent::url_state::MAX_ABS);
                    self.request_decode();
                }
            }
            Action::SetZ(z) => {
                if self.model.as_ref().is_some_and(|m| m.latent_dim == z.len())
                    && z.iter().all(|v| v.is_finite())
                {
                    self.z = z;
                    self.request_decode();
                }
            }
            Action::Reset => {
                self.z.iter_mut().for_each(|v| *v = 0.0);
                self.request_decode();
            }
            Action::SetTemperature(t) => self.temperature = t.clamp(0.0, 3.0),
            Action::ChooseBackend(choice) => {
                self.backend_choice = choice;
                // Reload the current model on the new backend; sliders and z stay.
                if let Some(m) = self.model.clone() {
                    let id = self.fresh_id();
                    let z = Some(self.z.clone());
                    self.loading = Some(Loading { id, manifest: m, stage: "switching backend".into(), z });
                }
            }
            Action::DismissNotice => self.notice = None,
            Action::Worker(msg) => self.worker(msg),
        }
    }

    fn worker(&mut self, msg: FromWorker) {
        match msg {
            FromWorker::Ready => {}
            FromWorker::Progress { id, stage } => {
                if let Some(l) = self.loading.as_mut().filter(|l| l.id == id) {
                    l.stage = stage;
                }
            }
            FromWorker::Loaded { id, backend, note, .. } => {
                let Some(loading) = self.loading.take_if(|l| l.id == id) else { return };
                let dim = loading.manifest.latent_dim;
                self.z = loading.z.filter(|z| z.len() == dim).unwrap_or_else(|| vec![0.0; dim]);
                self.model = Some(loading.manifest);
                self.backend = Some(backend);
                // Asked for WebGPU and did not get it: say so on screen, not only in a tooltip.
                if self.backend_choice == BackendChoice::Webgpu && backend == Backend::Cpu {
                    let why = note.clone().unwrap_or_else(|| "WebGPU is unavailable".into());
                    self.notice =
                        Some(Notice { kind: NoticeKind::Info, text: format!("{why}. Running on the CPU.") });
                }
                self.backend_note = note;
                self.request_decode();
            }
            FromWorker::Decoded { id, pixels, micros } => {
                // Drop anything older than what is on screen or newer than asked (a result from
                // before a reload): only the newest decode is ever drawn.
                let newest_shown = self.image.as_ref().map_or(0, |i| i.id);
                if id > newest_shown && id <= self.decode_id {
                    self.image = Some(Image { id, pixels: Rc::new(pixels), micros });
                }
            }
            FromWorker::Failed { id, message } => {
                // A failed load keeps the previous model, z and image: nothing the user had is lost.
                if id.is_some() && self.loading.as_ref().map(|l| l.id) == id {
                    self.loading = None;
                }
                self.error(message);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vae::bundle::{ImageShape, Training};

    fn manifest(name: &str, dim: usize) -> Manifest {
        Manifest {
            format_version: vae::FORMAT_VERSION,
            name: name.into(),
            description: String::new(),
            architecture: vae::Architecture::Mlp {
                input: 784,
                hidden: vec![8],
                latent_dim: dim,
                variational: true,
            },
            latent_dim: dim,
            image: ImageShape { width: 28, height: 28, channels: 1 },
            likelihood: "bernoulli".into(),
            beta: 1.0,
            training: Training {
                dataset: String::new(),
                epochs: 0,
                batch_size: 0,
                learning_rate: 0.0,
                seed: 0,
                seconds: 0.0,
                backend: String::new(),
                samples_per_second: 0.0,
            },
            kl_per_dim: vec![0.0; dim],
            label_names: vec![],
            label_means: vec![],
            vectors: vec![],
            map: None,
            metrics: Default::default(),
        }
    }

    fn loaded(name: &str, dim: usize) -> State {
        let mut s = State::new(BackendChoice::Auto);
        s.apply(Action::ManifestLoaded { manifest: Box::new(manifest(name, dim)), z: None });
        let id = s.loading.as_ref().unwrap().id;
        s.apply(Action::Worker(FromWorker::Loaded {
            id,
            name: name.into(),
            backend: Backend::Cpu,
            note: None,
        }));
        s
    }

    fn decoded(id: u64, v: u8) -> Action {
        Action::Worker(FromWorker::Decoded { id, pixels: vec![v], micros: 1 })
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
        let id = s.loading.as_ref().unwrap().id;
        s.apply(Action::Worker(FromWorker::Loaded {
            id,
            name: "a".into(),
            backend: Backend::Webgpu,
            note: None,
        }));
        assert_eq!(s.z, vec![0.5, -0.5]);
        assert_eq!(s.backend, Some(Backend::Webgpu));
    }

    #[test]
    fn a_webgpu_fallback_is_announced() {
        let mut s = State::new(BackendChoice::Webgpu);
        s.apply(Action::ManifestLoaded { manifest: Box::new(manifest("a", 2)), z: None });
        let id = s.loading.as_ref().unwrap().id;
        let note = Some("no WebGPU here; decoding on the CPU instead".to_string());
        s.apply(Action::Worker(FromWorker::Loaded { id, name: "a".into(), backend: Backend::Cpu, note }));
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
        s.apply(Action::Worker(FromWorker::Progress { id: id - 1, stage: "old".into() }));
        assert_ne!(s.loading.as_ref().unwrap().stage, "old");
        s.apply(Action::Worker(FromWorker::Loaded {
            id: id - 1,
            name: "a".into(),
            backend: Backend::Cpu,
            note: None,
        }));
        assert!(s.model.is_none());
        s.apply(Action::Worker(FromWorker::Loaded {
            id,
            name: "b".into(),
            backend: Backend::Cpu,
            note: None,
        }));
        assert_eq!(s.model.as_ref().unwrap().name, "b");
        assert_eq!(s.z, vec![1.0, 1.0]);
    }
}
