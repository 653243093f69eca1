//! The whole page state and the one reducer that changes it.
//!
//! Side effects are not performed here: components watch the request ids this reducer hands out
//! (`load.id`, `decode_id`) and post the matching message to the worker. That keeps every rule
//! of the page (which result to show, what a failure keeps) testable natively.

mod action;
mod crop;
mod denoiser;
mod drift;
mod explore;
mod family;
mod gallery;
mod gpu_trial;
mod imports;
mod items_map;
mod keys;
mod layers;
mod lecture;
mod links;
mod measures;
mod melodies;
mod offline;
mod ood;
mod sensitivity;
mod units;
mod worker;

pub use action::*;
pub use crop::Photo;
pub use denoiser::{DENOISER, Denoiser, picture_mse};
pub use drift::{DRIFT_CELLS, Drift, Drifts, map_bounds};
pub use family::{FAMILY, kind as family_kind, stage_errors};
pub use gallery::*;
pub use gpu_trial::GpuTrial;
pub use imports::{ImportEvent, ImportEvents};
pub use keys::*;
pub use layers::{LayerProfile, PROFILE_RUNS};
pub use lecture::*;
pub use measures::{ELLIPSE_SIGMAS, ItemEllipse, MapLayer, PlanePosteriors, TestCodes, VectorQuality};
pub use melodies::{MelodyAction, MelodyItem, MelodyLab, Playing, ROW_LENGTH};
pub use offline::{Offline, OfflineBadge};
pub use ood::{describe as describe_ood, is_unusual};
pub use sensitivity::{SENSE_LANE, SenseMap, SenseTarget, Sensitivity};
pub use units::{UnitStats, Units};

use bundle::{IndexEntry, Manifest};
use latent::{Mode, UrlState};
use std::rc::Rc;
use worker_protocol::{Backend, BackendChoice, FromWorker, WorkerModule};

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
    /// A model the user is importing: it joins the picker (and this browser's storage) once it
    /// has loaded, and not before, so a model that fails changes nothing.
    pub import: bool,
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
    /// The gallery item whose crop square is being adjusted (`state/crop.rs`).
    pub cropping: Option<u64>,
    /// New photos' first guesses already encoded, waiting for the rest of their group: (group,
    /// place, the item it would be).
    pub framing_trials: Vec<(u64, usize, GalleryItem)>,
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
    /// Which worker is current: bumped when a lost worker is replaced or the other worker module
    /// is started. Messages about an older worker are ignored.
    pub worker_epoch: u64,
    /// How many lost workers were replaced (a worker that keeps dying is not restarted forever).
    pub restarts: u64,
    /// Whether the browser offers a WebGPU adapter; `None` until the page has asked.
    pub adapter: Option<bool>,
    /// The background race of the WebGPU module against the CPU one (`gpu_trial.rs`).
    pub gpu_trial: GpuTrial,
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
    /// What changed among the imported models, for the storage hook (`state/imports.rs`).
    pub imports: ImportEvents,
    /// The latent map of a model that has none: its gallery's codes, by PCA (`lecture.rs`), with
    /// a signature of the items it was fitted to.
    pub items_map: Option<(u64, bundle::MapProjection)>,
    /// The service worker's view of this device: saved models, a waiting update, the network.
    pub offline: Offline,
    /// Id of the layer timing being measured (0: none), and the last one measured.
    pub profile_id: u64,
    pub layer_profile: Option<LayerProfile>,
    /// What the latent map draws on its plane (`state/measures.rs`).
    pub map_layer: MapLayer,
    /// The current (or last) model's test codes, fetched when a view needs them.
    pub test_codes: Option<TestCodes>,
    /// What the focused slider moves, pixel by pixel (`state/sensitivity.rs`).
    pub sensitivity: Sensitivity,
    /// Round-trip drift over the map's plane, along the strip and per comparison side.
    pub drift: Drift,
    /// The units view's pictures (`state/units.rs`).
    pub units: Units,
    /// The melody view's model, code and gallery (`state/melodies.rs`).
    pub melody: MelodyLab,
}

/// A worker that keeps dying (a crash in loading, say) is not restarted forever.
pub const MAX_WORKER_RESTARTS: u64 = 3;

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
            self.request_sense();
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
        self.reduce(action);
        self.refresh_items_map();
    }

    fn reduce(&mut self, action: Action) {
        match action {
            Action::IndexLoaded(models) => self.models = models,
            Action::ManifestLoaded { manifest, z } => {
                let id = self.fresh_id();
                let stage = format!("loading {}", manifest.name);
                self.loading = Some(Loading {
                    id,
                    manifest: Rc::new(*manifest),
                    stage,
                    z,
                    fraction: None,
                    import: false,
                });
            }
            Action::ImportModel(_) | Action::RemoveImported(_) | Action::ImportsRestored(_) => {
                self.imports(action)
            }
            Action::Failed(text) => self.error(text),
            Action::ModelUnavailable { .. }
            | Action::OfflineReady
            | Action::OfflineSaving(_)
            | Action::OfflineSaved(_)
            | Action::OfflineNotSaved { .. }
            | Action::UpdateReady
            | Action::Connectivity(_) => self.offline(action),
            Action::ProfileLayers => self.layers(action),
            Action::MapLayer(_) | Action::TestCodes { .. } => self.measures(action),
            Action::SenseOverlay(_) | Action::Sense(_) => self.sense(action),
            Action::DenoiseDrop(_) | Action::DenoiserManifest(_) => self.denoiser(action),
            Action::FamilyManifest(m) => self.family_manifest(*m),
            Action::Melody(a) => self.melody_action(a),
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
            Action::LatentDragged { moves, live_through } => {
                self.next_id = self.next_id.max(live_through);
                for (dim, value) in moves {
                    self.apply(Action::SetLatent { dim, value });
                }
            }
            Action::Reset => {
                self.z.iter_mut().for_each(|v| *v = 0.0);
                self.request_decode();
            }
            Action::SetTemperature(t) => self.temperature = t.clamp(0.0, 3.0),
            Action::ChooseBackend(choice) => {
                let module = self.worker_module();
                self.backend_choice = choice;
                if self.worker_module() != module {
                    self.swap_worker_module();
                }
                // Reload the current model on the new backend; sliders and z stay.
                self.reload_current("switching backend");
            }
            Action::DismissNotice => self.notice = None,
            Action::WorkerLost { epoch, message } => self.worker_lost(epoch, message),
            Action::AdapterProbed(present) => {
                self.adapter = Some(present);
                if self.backend_note.is_none() {
                    self.backend_note = self.auto_note();
                }
            }
            Action::GpuTrialStarted => self.gpu_trial = GpuTrial::Running,
            Action::GpuTrialDone { winner, note } => self.gpu_trial_done(winner, note),
            Action::Worker(msg) => self.worker(msg),
            Action::EncodePhoto { .. } | Action::EditCrop(_) | Action::Recrop { .. } => self.crop(action),
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
