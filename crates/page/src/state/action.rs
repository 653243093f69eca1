//! Everything that can happen to the page: the one input of [`State::apply`](super::State::apply).

use super::*;
use latent::{Mode, UrlState};
use worker_protocol::FromWorker;

#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    IndexLoaded(Vec<IndexEntry>),
    /// A manifest was fetched and parsed: start loading it on the worker.
    ManifestLoaded {
        manifest: Box<Manifest>,
        z: Option<Vec<f32>>,
    },
    /// A model exported from PyTorch, read from the user's files (`crate::import`): load it, and
    /// keep it once it has loaded.
    ImportModel(Box<Manifest>),
    /// Imported models kept in this browser, read back at start: they join the picker.
    ImportsRestored(Vec<IndexEntry>),
    /// Take an imported model out of the picker and this browser's storage.
    RemoveImported(String),
    /// Something failed outside the worker (fetching, parsing, a bad link).
    Failed(String),
    /// A model's manifest could not be fetched or read (`state/offline.rs` words it).
    ModelUnavailable {
        name: String,
        error: String,
    },
    /// A service worker controls the page: it reloads without a network (`state/offline.rs`).
    OfflineReady,
    /// The service worker was asked to keep every file of this model.
    OfflineSaving(String),
    /// These models are saved on this device, every file cached.
    OfflineSaved(Vec<String>),
    OfflineNotSaved {
        name: String,
        reason: String,
    },
    /// A newer build is installed and waits for a reload.
    UpdateReady,
    /// The browser went online (`true`) or offline.
    Connectivity(bool),
    /// Time each layer of the current model's decoder (`state/layers.rs`).
    ProfileLayers,
    /// Draw this on the latent map's plane (`state/measures.rs`).
    MapLayer(MapLayer),
    /// Show (or stop showing) on the decoded image what the focused slider moves.
    SenseOverlay(bool),
    /// A slider got the focus (or none has it now): probe its direction.
    Sense(Option<SenseTarget>),
    /// A model's test codes (`codes.bin`) arrived.
    TestCodes {
        model: String,
        codes: Rc<bundle::Codes>,
    },
    Inform(String),
    SetLatent {
        dim: usize,
        value: f32,
    },
    SetZ(Vec<f32>),
    /// A slider drag the page ran ahead of the reducer (`live_drag.rs`): each moved dimension's
    /// newest value, and the newest id its live decodes used (the reducer's next ids follow it).
    LatentDragged {
        moves: Vec<(usize, f32)>,
        live_through: u64,
    },
    Reset,
    SetTemperature(f32),
    ChooseBackend(BackendChoice),
    Worker(FromWorker),
    /// The worker of `epoch` stopped (GPU device lost, or a crash).
    WorkerLost {
        epoch: u64,
        message: String,
    },
    /// The page asked the browser for a WebGPU adapter: whether it got one.
    AdapterProbed(bool),
    /// The background WebGPU trial's worker was started.
    GpuTrialStarted,
    /// The trial's verdict: the faster backend (`None`: the trial failed) and what it measured.
    GpuTrialDone {
        winner: Option<Backend>,
        note: String,
    },
    DismissNotice,
    /// A preprocessed image to encode with the current model.
    Encode {
        name: String,
        input: Vec<u8>,
        pixels: Vec<f32>,
        example: bool,
    },
    /// A user's face photo, prepared at its first crop, to encode with the current model; the
    /// photo is kept so the crop can be moved later.
    EncodePhoto {
        name: String,
        input: Vec<u8>,
        pixels: Vec<f32>,
        photo: Rc<Photo>,
    },
    /// Open (or close, `None`) the crop square of a photo item.
    EditCrop(Option<u64>),
    /// Cut a photo item at another square and encode it again.
    Recrop {
        key: u64,
        crop: image_input::crop::Crop,
    },
    /// A bundled example whose q(z|x) the manifest gives: it joins the gallery once its
    /// reconstruction is decoded (no encoder needed).
    EncodeKnown {
        name: String,
        input: Vec<u8>,
        mu: Vec<f32>,
        logvar: Vec<f32>,
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
    /// New prior samples for both sides, one seed each: the codes are drawn from the VAE
    /// side's prior (the mixture it learned, or N(0, I)) and decoded by both models.
    CompareSamples(Vec<u64>),
    /// The two gallery items both sides interpolate between.
    ComparePair(Option<[u64; 2]>),
    DenoiseSource(u64),
    DenoiseNoise(f32),
    DenoiseMask(f32),
    /// Masking noise in the denoising view: this share of the pixels set to 0 at random.
    DenoiseDrop(f32),
    /// The denoising autoencoder's manifest arrived: load it beside the current model.
    DenoiserManifest(Box<Manifest>),
    /// A member of the autoencoder family's manifest arrived, for the AE vs VAE view's table.
    FamilyManifest(Box<Manifest>),
    Present(bool),
    Help(bool),
    /// Move the keyboard focus to the next (+1) or previous (−1) dimension by KL.
    FocusDim(i64),
    /// Move the focused dimension's slider by this much.
    NudgeFocused(f32),
    /// Open what a link says (after back/forward, or a link opened on the page).
    Link(UrlState),
    /// The melody view (`state/melodies.rs`).
    Melody(MelodyAction),
}
