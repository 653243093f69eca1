//! The reducer's half for the lecture views: which view is open, the traversal grid, the latent
//! map's pointer, AE vs VAE side by side, denoising, presentation mode and links.

use super::*;
use worker_protocol::Lane;

/// The views under the sliders. Each has a short key for links.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum View {
    /// Gallery, draw pad, interpolation and vectors.
    #[default]
    Workbench,
    Map,
    Traversal,
    Compare,
    Beta,
    Denoise,
    /// The code's units one by one (the sparse autoencoder's view).
    Units,
    /// A melody VAE: piano rolls, playback, interpolation between tunes (`state/melodies.rs`).
    Melody,
}

impl View {
    pub const ALL: [View; 8] = [
        View::Workbench,
        View::Map,
        View::Traversal,
        View::Compare,
        View::Beta,
        View::Denoise,
        View::Units,
        View::Melody,
    ];

    pub fn key(self) -> &'static str {
        match self {
            View::Workbench => "workbench",
            View::Map => "map",
            View::Traversal => "traversal",
            View::Compare => "compare",
            View::Beta => "beta",
            View::Denoise => "denoise",
            View::Units => "units",
            View::Melody => "melody",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            View::Workbench => "Encode & interpolate",
            View::Map => "Latent map",
            View::Traversal => "Traversals",
            View::Compare => "AE vs VAE",
            View::Beta => "β and KL",
            View::Denoise => "Denoising",
            View::Units => "Code units",
            View::Melody => "Melodies",
        }
    }

    pub fn parse(key: &str) -> Option<View> {
        View::ALL.into_iter().find(|v| v.key() == key)
    }
}

/// The traversal grid's size: rows are the top dimensions by KL, columns values in ±3.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Traversal {
    pub rows: usize,
    pub cols: usize,
}

impl Default for Traversal {
    fn default() -> Self {
        Traversal { rows: 6, cols: 9 }
    }
}

pub const MAX_TRAVERSAL_ROWS: usize = 10;
pub const MIN_TRAVERSAL_COLS: usize = 3;
pub const MAX_TRAVERSAL_COLS: usize = 15;
/// Traversals and the 2-D manifold span ±3 prior standard deviations.
pub const TRAVERSAL_RANGE: f32 = 3.0;

/// The AE vs VAE view: two models (companions in the worker) decoding the same codes.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Compare {
    /// Manifests of the two sides once fetched, and the id of each side's load.
    pub manifests: [Option<Rc<Manifest>>; 2],
    pub load_ids: [u64; 2],
    pub loaded: [bool; 2],
    /// Seeds of the prior samples both sides decode (drawn by the page: the reducer has no
    /// randomness), drawn from the VAE side's prior (`compare_codes`).
    pub sample_seeds: Vec<u64>,
    /// The two gallery items whose encodings each side interpolates between.
    pub pair: Option<[u64; 2]>,
    /// Encode request ids and the μ they returned, per side and end.
    pub encode_ids: [[u64; 2]; 2],
    pub ends: [[Option<Vec<f32>>; 2]; 2],
    /// The newest batch asked of each side, and the images it returned.
    pub decode_ids: [u64; 2],
    pub images: [Option<Rc<Vec<Vec<u8>>>>; 2],
    /// The autoencoder family's manifests, for the table under the two sides (`family.rs`).
    pub family: Vec<Rc<Manifest>>,
}

/// The models the comparison shows: a plain autoencoder and a VAE of the same shape and data.
pub const COMPARE_MODELS: [&str; 2] = ["mnist-ae", "mnist-vae"];
/// Frames of each side's interpolation row, ends included: the middle one is the midpoint.
pub const COMPARE_FRAMES: usize = 5;

/// Corrupt an input and see what the model reconstructs.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Denoise {
    pub source: Option<u64>,
    /// Standard deviation of the Gaussian noise added to pixel values (0..=1).
    pub noise: f32,
    /// Side of the centred square blanked out, as a fraction of the image (0..=0.8).
    pub mask: f32,
    /// Masking noise, the denoising autoencoder's training corruption: this share of the pixels
    /// set to 0 at random (0..=0.9).
    pub drop: f32,
    /// The denoising autoencoder given the same damaged input (`state/denoiser.rs`).
    pub denoiser: super::Denoiser,
    /// The corrupted input sent to the encoder, and its request id.
    pub input: Option<Rc<Vec<u8>>>,
    pub id: u64,
    pub recon: Option<Rc<Vec<u8>>>,
}

impl State {
    pub(super) fn lecture(&mut self, action: Action) {
        match action {
            Action::SetView(view) => {
                self.view = view;
                self.refresh_view();
            }
            Action::TraversalSize { rows, cols } => {
                let max_rows = MAX_TRAVERSAL_ROWS.min(self.model.as_ref().map_or(1, |m| m.latent_dim)).max(1);
                self.traversal.rows = rows.clamp(1, max_rows);
                self.traversal.cols = cols.clamp(MIN_TRAVERSAL_COLS, MAX_TRAVERSAL_COLS);
                self.request_grid();
            }
            Action::Hover(at) => match at.filter(|p| p.iter().all(|v| v.is_finite())) {
                Some(p) if self.map().is_some() => {
                    self.hover = Some(p);
                    self.hover_id = self.fresh_id();
                }
                _ => {
                    self.hover = None;
                    self.hover_image = None;
                }
            },
            Action::MapClick(p) => {
                if let Some(z) = self.map().map(|m| m.projection.unproject(p)) {
                    self.set_z(z);
                }
            }
            Action::CompanionManifest { side, manifest }
                if COMPARE_MODELS.get(side) == Some(&manifest.name.as_str()) =>
            {
                self.compare.load_ids[side] = self.fresh_id();
                self.compare.loaded[side] = false;
                self.compare.manifests[side] = Some(Rc::new(*manifest));
            }
            Action::CompareSamples(seeds) => {
                self.compare.sample_seeds = seeds.into_iter().take(16).collect();
                self.request_compare();
            }
            Action::ComparePair(pair) => {
                self.compare.pair = pair.filter(|p| p.iter().all(|k| self.item(*k).is_some()));
                self.request_compare_encodes();
                self.request_compare();
            }
            Action::DenoiseSource(key) => {
                self.denoise.source = self.item(key).map(|_| key);
                self.request_denoise();
            }
            Action::DenoiseNoise(n) if n.is_finite() => {
                self.denoise.noise = n.clamp(0.0, 1.0);
                self.request_denoise();
            }
            Action::DenoiseMask(m) if m.is_finite() => {
                self.denoise.mask = m.clamp(0.0, 0.8);
                self.request_denoise();
            }
            Action::Present(on) => self.present = on,
            Action::Help(on) => self.help = on,
            Action::FocusDim(step) => {
                let n = self.model.as_ref().map_or(0, |m| m.latent_dim) as i64;
                if n > 0 {
                    self.focus = (self.focus as i64 + step).rem_euclid(n) as usize;
                }
            }
            Action::NudgeFocused(delta) => {
                let dims = self.model.as_ref().map(|m| m.dims_by_kl()).unwrap_or_default();
                if let Some(&dim) = dims.get(self.focus) {
                    let value = self.z[dim] + delta;
                    self.apply(Action::SetLatent { dim, value: value.clamp(-3.0, 3.0) });
                }
            }
            Action::Link(link) => self.apply_link(link),
            _ => {}
        }
    }

    /// The latent map of the current model, when its manifest has one of the right size.
    pub fn map(&self) -> Option<&bundle::MapProjection> {
        let m = self.model.as_ref()?;
        m.map
            .as_ref()
            .or(self.items_map.as_ref().map(|(_, map)| map))
            .filter(|p| p.projection.mean.len() == m.latent_dim)
    }

    /// A view was opened or the model changed: ask for what the open view shows.
    pub(super) fn refresh_view(&mut self) {
        self.request_grid();
        if self.view == View::Compare {
            if self.compare.pair.is_none() {
                let first: Vec<u64> = self.items().iter().take(2).map(|i| i.key).collect();
                if let [a, b] = first[..] {
                    self.compare.pair = Some([a, b]);
                    self.request_compare_encodes();
                }
            } else if self.compare.encode_ids.iter().all(|e| e[0] == 0) {
                self.request_compare_encodes();
            }
            self.request_compare();
        }
        if self.view == View::Map && self.map_layer == MapLayer::Drift {
            self.request_plane_drift();
        }
        if self.view == View::Units {
            self.request_units();
        }
        if self.view == View::Denoise && self.denoise.source.is_none() {
            self.denoise.source = self.selected.or_else(|| self.items().first().map(|i| i.key));
            self.request_denoise();
        }
    }

    /// Codes of the traversal grid (or the 2-D manifold) and its column count.
    pub fn grid_codes(&self) -> Option<(Vec<Vec<f32>>, usize)> {
        let m = self.model.as_ref()?;
        let cols = self.traversal.cols;
        if m.latent_dim == 2 {
            return Some((latent::grid::manifold(cols, TRAVERSAL_RANGE), cols));
        }
        let dims: Vec<usize> = m.dims_by_kl().into_iter().take(self.traversal.rows).collect();
        let values = latent::grid::linspace(-TRAVERSAL_RANGE, TRAVERSAL_RANGE, cols);
        Some((latent::grid::traversal(&self.z, &dims, &values), cols))
    }

    pub(super) fn request_grid(&mut self) {
        if self.view == View::Traversal && self.model.is_some() {
            self.grid_id = self.fresh_id();
        }
    }

    /// The code under the pointer on the map.
    pub fn hover_code(&self) -> Option<Vec<f32>> {
        Some(self.map()?.projection.unproject(self.hover?))
    }

    /// What side `side` decodes: the current z (the origin when the current model has another
    /// size), the prior samples, then the interpolation between the pair's encodings.
    pub fn compare_codes(&self, side: usize) -> Option<Vec<Vec<f32>>> {
        let m = self.compare.manifests.get(side)?.as_ref()?;
        let dim = m.latent_dim;
        let here = if self.z.len() == dim { self.z.clone() } else { vec![0.0; dim] };
        let mut codes = vec![here];
        // The same codes on both sides: from the VAE's prior, which the autoencoder never had,
        // so neither side decodes before the VAE's manifest is here.
        let vae = Some(self.compare.manifests[1].as_deref()?);
        codes.extend(
            self.compare.sample_seeds.iter().map(|seed| crate::prior_sample::draw(vae, dim, 1.0, *seed)),
        );
        if let [Some(a), Some(b)] = &self.compare.ends[side] {
            codes.extend(latent::path(a, b, COMPARE_FRAMES, latent::Mode::Linear));
        }
        Some(codes)
    }

    pub(super) fn request_compare(&mut self) {
        if self.view != View::Compare {
            return;
        }
        for side in 0..2 {
            if self.compare.loaded[side] {
                self.compare.decode_ids[side] = self.fresh_id();
                self.request_compare_drift(side);
            }
        }
    }

    /// Pixels of the pair's images, for the encoders of both sides.
    pub fn compare_inputs(&self) -> Option<[Vec<f32>; 2]> {
        let [a, b] = self.compare.pair?;
        let pixels = |k: u64| self.item(k).map(|i| i.input.iter().map(|&p| f32::from(p) / 255.0).collect());
        Some([pixels(a)?, pixels(b)?])
    }

    fn request_compare_encodes(&mut self) {
        self.compare.ends = Default::default();
        for side in 0..2 {
            let fits = self.compare.manifests[side]
                .as_ref()
                .zip(self.model.as_ref())
                .is_some_and(|(c, m)| c.image == m.image);
            if self.compare.loaded[side] && fits && self.compare.pair.is_some() {
                self.compare.encode_ids[side] = [self.fresh_id(), self.fresh_id()];
            } else {
                self.compare.encode_ids[side] = [0, 0];
            }
        }
    }

    /// A companion model finished loading (true), or this id is not one of theirs (false).
    pub(super) fn companion_loaded(&mut self, id: u64) -> bool {
        let Some(side) = self.compare.load_ids.iter().position(|&l| l == id && l > 0) else { return false };
        self.compare.loaded[side] = true;
        self.request_compare_encodes();
        self.request_compare();
        true
    }

    /// An encode of the comparison or of the denoising view came back (true), or not theirs.
    pub(super) fn lecture_encoded(&mut self, id: u64, mu: &[f32], recon: Vec<u8>) -> bool {
        if id == self.denoise.id && id > 0 {
            self.denoise.recon = Some(Rc::new(recon));
            return true;
        }
        if self.denoiser_encoded(id, recon.clone()) {
            return true;
        }
        for side in 0..2 {
            if let Some(end) = self.compare.encode_ids[side].iter().position(|&e| e == id && e > 0) {
                self.compare.ends[side][end] = Some(mu.to_vec());
                if self.compare.ends[side].iter().all(Option::is_some) {
                    self.request_compare();
                }
                return true;
            }
        }
        false
    }

    /// A batch came back: keep it if it is the newest asked for its lane.
    pub(super) fn batch_decoded(&mut self, id: u64, lane: Lane, images: Vec<Vec<u8>>) {
        match lane {
            Lane::Strip if id == self.strip_id => self.strip = Some(Strip { id, images: Rc::new(images) }),
            Lane::Corners if id == self.corners_id => {
                self.corners = Some(Strip { id, images: Rc::new(images) })
            }
            Lane::Grid if id == self.grid_id => self.grid = Some(Strip { id, images: Rc::new(images) }),
            Lane::Hover if id == self.hover_id && self.hover.is_some() => {
                self.hover_image = images.into_iter().next().map(Rc::new)
            }
            // A bundled example whose encoding came with the manifest: its reconstruction.
            Lane::Recon(key) => {
                let known = self.encoding.iter().find(|p| p.id == key).and_then(|p| p.known.clone());
                if let (Some(k), Some(recon)) = (known, images.into_iter().next()) {
                    self.encoded(key, k.0.clone(), &k.1, recon);
                }
            }
            Lane::Sensitivity => self.sensed(id, &images),
            Lane::Units => self.units_decoded(id, images),
            Lane::Compare(side) => {
                let side = usize::from(side);
                if side < 2 && id == self.compare.decode_ids[side] {
                    self.compare.images[side] = Some(Rc::new(images));
                }
            }
            _ => {}
        }
    }

    /// The denoising input: the source item's pixels with noise and a blanked square, made
    /// deterministic (a fixed seed) so the same settings always show the same picture.
    pub(super) fn request_denoise(&mut self) {
        let (Some(m), Some(item)) = (self.model.clone(), self.denoise.source.and_then(|k| self.item(k)))
        else {
            self.denoise.input = None;
            self.denoise.recon = None;
            self.denoise.denoiser.recon = None;
            return;
        };
        let shape = &m.image;
        let mut pixels: Vec<f32> = item.input.iter().map(|&p| f32::from(p) / 255.0).collect();
        if pixels.len() != shape.len() {
            return;
        }
        let mut rng = latent::rng::Rng::new(0x5eed);
        for p in pixels.iter_mut() {
            *p = (*p + self.denoise.noise * rng.normal()).clamp(0.0, 1.0);
        }
        // Masking noise after the Gaussian noise, from its own seed: moving one slider does not
        // redraw the other's pattern.
        let mut drops = latent::rng::Rng::new(0xd20b);
        for p in pixels.iter_mut() {
            if drops.unit() < self.denoise.drop {
                *p = 0.0;
            }
        }
        let side = (self.denoise.mask * shape.width.min(shape.height) as f32).round() as usize;
        let (x0, y0) = ((shape.width - side) / 2, (shape.height - side) / 2);
        for y in y0..y0 + side {
            for x in x0..x0 + side {
                for c in 0..shape.channels {
                    pixels[(y * shape.width + x) * shape.channels + c] = 0.0;
                }
            }
        }
        self.denoise.input = Some(Rc::new(worker_protocol::pixels::to_bytes(&pixels)));
        self.denoise.recon = None;
        self.denoise.id = self.fresh_id();
        self.request_denoiser_encode();
    }

    /// The denoising input as the encoder takes it.
    pub fn denoise_pixels(&self) -> Option<Vec<f32>> {
        Some(self.denoise.input.as_ref()?.iter().map(|&p| f32::from(p) / 255.0).collect())
    }
}
