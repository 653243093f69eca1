//! The whole page state and the one reducer that changes it.
//!
//! Side effects are not performed here: components watch the request ids this reducer hands out
//! (`load.id`, `decode_id`) and post the matching message to the worker. That keeps every rule
//! of the page (which result to show, what a failure keeps) testable natively.

mod explore;
mod gallery;
mod keys;
mod lecture;
mod links;
mod worker;

pub use gallery::*;
pub use keys::*;
pub use lecture::*;

use crate::protocol::{Backend, BackendChoice, FromWorker};
use latent::{Mode, UrlState};
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
    /// How much of the weights has arrived, when the server said how much there is.
    pub fraction: Option<f32>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Image {
    pub id: u64,
    pub pixels: Rc<Vec<u8>>,
    pub micros: u32,
    /// The worker's wasm memory after this decode, in bytes.
    pub worker_memory: u32,
    /// What the worker's GPU allocator holds after this decode, in bytes (0 on the CPU).
    pub gpu_memory: u64,
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
    /// Encoded images of every model; the page shows the current model's.
    pub gallery: Vec<GalleryItem>,
    pub encoding: Vec<PendingEncode>,
    /// The item whose μ the sliders were set to: its σ is drawn as a band on each slider.
    pub selected: Option<u64>,
    pub interp: Interp,
    /// Id of the newest strip decode asked for, and the newest strip received.
    pub strip_id: u64,
    pub strip: Option<Strip>,
    pub vector: Option<VectorChoice>,
    /// The strength already added to `z` along `vector`; moving the slider adds the difference.
    pub strength: f32,
    pub custom_vectors: Vec<CustomVector>,
    /// Bumped when user-made things (gallery, vectors) change: the page saves them then.
    pub saved_rev: u64,
    /// Which worker is current: bumped when a lost worker is replaced. Messages about an older
    /// worker are ignored.
    pub worker_epoch: u64,
    /// The lecture view open under the sliders.
    pub view: View,
    pub traversal: Traversal,
    /// Id of the newest traversal grid asked for, and the newest grid received.
    pub grid_id: u64,
    pub grid: Option<Strip>,
    /// Id of the newest 4-corner grid asked for, and the newest received.
    pub corners_id: u64,
    pub corners: Option<Strip>,
    /// The map point under the pointer, the id of its decode, and that decode.
    pub hover: Option<[f32; 2]>,
    pub hover_id: u64,
    pub hover_image: Option<Rc<Vec<u8>>>,
    pub compare: Compare,
    pub denoise: Denoise,
    /// Presentation mode: large type and controls for a lecture hall.
    pub present: bool,
    /// The keyboard-shortcut overlay.
    pub help: bool,
    /// The dimension the arrow keys move: an index into the dimensions ordered by KL.
    pub focus: usize,
    /// Parts of an opened link that wait for its model or its examples.
    pub pending_link: Option<UrlState>,
}

/// A worker that keeps dying (a crash in loading, say) is not restarted forever.
pub const MAX_WORKER_RESTARTS: u64 = 3;

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
    /// The worker of `epoch` stopped (GPU device lost, or a crash).
    WorkerLost {
        epoch: u64,
        message: String,
    },
    DismissNotice,
    /// A preprocessed image to encode with the current model.
    Encode {
        name: String,
        input: Vec<u8>,
        pixels: Vec<f32>,
        example: bool,
    },
    /// Items and vectors read back from storage after a reload.
    Restore {
        gallery: Vec<GalleryItem>,
        vectors: Vec<CustomVector>,
    },
    /// Set the sliders to an item's μ.
    Select(u64),
    Delete(u64),
    MarkItem(u64, Mark),
    SetEnd {
        b: bool,
        key: Option<u64>,
    },
    /// The bottom corners of the 4-corner grid: C (left) or D (right).
    SetCorner {
        d: bool,
        key: Option<u64>,
    },
    InterpMode(Mode),
    InterpFrames(usize),
    /// Move along the path from A (0) to B (1); the sliders follow.
    Scrub(f32),
    Play(bool),
    /// One animation step while playing.
    Tick,
    ChooseVector(Option<VectorChoice>),
    SetStrength(f32),
    /// mean(μ of items marked with) − mean(μ of items marked without), under this name.
    SaveVector(String),
    DeleteVector(String),
    /// z = a − b + c, from three gallery items.
    Analogy([u64; 3]),
    SetView(View),
    TraversalSize {
        rows: usize,
        cols: usize,
    },
    /// The pointer moved over the latent map (map coordinates), or left it.
    Hover(Option<[f32; 2]>),
    /// Set z to the point of the map's plane that was clicked.
    MapClick([f32; 2]),
    /// A manifest for one side of the AE vs VAE view arrived: load it beside the current model.
    CompanionManifest {
        side: usize,
        manifest: Box<Manifest>,
    },
    CompareSamples(Vec<Vec<f32>>),
    /// The two gallery items both sides interpolate between.
    ComparePair(Option<[u64; 2]>),
    DenoiseSource(u64),
    DenoiseNoise(f32),
    DenoiseMask(f32),
    Present(bool),
    Help(bool),
    /// Move the keyboard focus to the next (+1) or previous (−1) dimension by KL.
    FocusDim(i64),
    /// Move the focused dimension's slider by this much.
    NudgeFocused(f32),
    /// Open what a link says (after back/forward, or a link opened on the page).
    Link(UrlState),
}

impl State {
    pub fn new(backend_choice: BackendChoice) -> Self {
        State { backend_choice, temperature: 1.0, ..Default::default() }
    }

    fn fresh_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// z changed: decode it, and refresh the views that show it.
    fn request_decode(&mut self) {
        if self.model.is_some() {
            self.decode_id = self.fresh_id();
            self.request_grid();
            self.request_compare();
        }
    }

    fn error(&mut self, text: String) {
        self.notice = Some(Notice { kind: NoticeKind::Error, text });
    }

    pub fn model_name(&self) -> Option<&str> {
        self.model.as_ref().map(|m| m.name.as_str())
    }

    /// The current model's gallery items, examples first.
    pub fn items(&self) -> Vec<&GalleryItem> {
        let mut items: Vec<&GalleryItem> =
            self.gallery.iter().filter(|g| Some(g.model.as_str()) == self.model_name()).collect();
        items.sort_by_key(|g| !g.example);
        items
    }

    pub fn item(&self, key: u64) -> Option<&GalleryItem> {
        self.gallery.iter().find(|g| g.key == key && Some(g.model.as_str()) == self.model_name())
    }

    /// The current model's own vectors, from its manifest and from the user.
    pub fn named_vectors(&self) -> Vec<(String, Vec<f32>)> {
        let Some(m) = &self.model else { return vec![] };
        let from_manifest = m.vectors.iter().map(|v| (v.name.clone(), v.vector.clone()));
        let custom = self
            .custom_vectors
            .iter()
            .filter(|v| v.model == m.name)
            .map(|v| (v.name.clone(), v.vector.clone()));
        from_manifest.chain(custom).collect()
    }

    pub fn vector_of(&self, choice: &VectorChoice) -> Option<Vec<f32>> {
        let m = self.model.as_ref()?;
        let v = match choice {
            VectorChoice::Named(name) => self.named_vectors().into_iter().find(|(n, _)| n == name)?.1,
            VectorChoice::Classes { from, to } => latent::mean_difference(
                [m.label_means.get(*to)?.as_slice()],
                [m.label_means.get(*from)?.as_slice()],
            )
            .ok()?,
        };
        (v.len() == m.latent_dim).then_some(v)
    }

    /// The codes of the interpolation strip, when both ends are chosen.
    pub fn strip_codes(&self) -> Option<Vec<Vec<f32>>> {
        let (a, b) = (self.item(self.interp.a?)?, self.item(self.interp.b?)?);
        Some(latent::path(&a.mu, &b.mu, self.interp.frames, self.interp.mode))
    }

    fn point_on_path(&self, t: f32) -> Option<Vec<f32>> {
        let (a, b) = (self.item(self.interp.a?)?, self.item(self.interp.b?)?);
        Some(match self.interp.mode {
            Mode::Linear => latent::lerp(&a.mu, &b.mu, t),
            Mode::Spherical => latent::slerp(&a.mu, &b.mu, t),
        })
    }

    fn request_strip(&mut self) {
        if self.strip_codes().is_some() {
            self.strip_id = self.fresh_id();
        } else {
            self.strip = None;
        }
        if self.corner_codes().is_some() {
            self.corners_id = self.fresh_id();
        } else {
            self.corners = None;
        }
    }

    /// Side of the 4-corner grid: the strip's frame count, at most `MAX_CORNER_GRID`.
    pub fn corner_side(&self) -> usize {
        self.interp.frames.min(MAX_CORNER_GRID)
    }

    /// The 4-corner grid's codes, when all four corners are chosen.
    pub fn corner_codes(&self) -> Option<Vec<Vec<f32>>> {
        let i = &self.interp;
        let (a, b, c, d) = (self.item(i.a?)?, self.item(i.b?)?, self.item(i.c?)?, self.item(i.d?)?);
        Some(latent::bilinear(&a.mu, &b.mu, &c.mu, &d.mu, self.corner_side()))
    }

    /// Set z directly (validated), as every tool that moves the code does.
    fn set_z(&mut self, z: Vec<f32>) {
        if self.model.as_ref().is_some_and(|m| m.latent_dim == z.len()) && z.iter().all(|v| v.is_finite()) {
            let max = latent::url_state::MAX_ABS;
            self.z = z.into_iter().map(|v| v.clamp(-max, max)).collect();
            self.request_decode();
        }
    }

    fn saved(&mut self) {
        self.saved_rev += 1;
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
                self.loading = Some(Loading { id, manifest: Rc::new(*manifest), stage, z, fraction: None });
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
            Action::SetZ(z) => self.set_z(z),
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
                    self.loading = Some(Loading {
                        id,
                        manifest: m,
                        stage: "switching backend".into(),
                        z,
                        fraction: None,
                    });
                }
            }
            Action::DismissNotice => self.notice = None,
            Action::WorkerLost { epoch, message } => self.worker_lost(epoch, message),
            Action::Worker(msg) => self.worker(msg),
            Action::SetView(_)
            | Action::TraversalSize { .. }
            | Action::Hover(_)
            | Action::MapClick(_)
            | Action::CompanionManifest { .. }
            | Action::CompareSamples(_)
            | Action::ComparePair(_)
            | Action::DenoiseSource(_)
            | Action::DenoiseNoise(_)
            | Action::DenoiseMask(_)
            | Action::Present(_)
            | Action::Help(_)
            | Action::FocusDim(_)
            | Action::NudgeFocused(_)
            | Action::Link(_) => self.lecture(action),
            other => self.explore(other),
        }
    }
}

#[cfg(test)]
mod tests;
