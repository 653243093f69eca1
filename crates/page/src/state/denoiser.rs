//! The denoising autoencoder beside the current model in the denoising view: `mnist-dae`, trained
//! with masking noise (inputs with half their pixels set to 0, clean targets), loaded as a
//! companion and given the same damaged input, so a VAE that denoises as a side effect and an
//! autoencoder trained to do it are compared on one picture.

use super::*;

/// The bundle the denoising view sets beside digit models.
pub const DENOISER: &str = "mnist-dae";

/// The companion's state: its manifest once fetched, its load, and its reconstruction of the
/// view's current damaged input.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Denoiser {
    pub manifest: Option<Rc<Manifest>>,
    pub load_id: u64,
    pub loaded: bool,
    pub encode_id: u64,
    pub recon: Option<Rc<Vec<u8>>>,
}

impl State {
    /// Whether the denoising view sets the denoising autoencoder beside the current model: a
    /// model of the same image shape that is not that autoencoder itself, with the bundle shipped.
    pub fn wants_denoiser(&self) -> bool {
        let Some(m) = &self.model else { return false };
        m.name != DENOISER
            && m.image == (bundle::ImageShape { width: 28, height: 28, channels: 1 })
            && self.models.iter().any(|e| e.name == DENOISER && !e.imported)
    }

    pub(super) fn denoiser(&mut self, action: Action) {
        match action {
            Action::DenoiserManifest(manifest)
                if manifest.name == DENOISER && self.denoise.denoiser.manifest.is_none() =>
            {
                let load_id = self.fresh_id();
                self.denoise.denoiser =
                    Denoiser { manifest: Some(Rc::new(*manifest)), load_id, ..Denoiser::default() };
            }
            Action::DenoiseDrop(share) if share.is_finite() => {
                self.denoise.drop = share.clamp(0.0, 0.9);
                self.request_denoise();
            }
            _ => {}
        }
    }

    /// The companion finished loading (true), or this id is not its load (false).
    pub(super) fn denoiser_loaded(&mut self, id: u64) -> bool {
        if id == 0 || id != self.denoise.denoiser.load_id {
            return false;
        }
        self.denoise.denoiser.loaded = true;
        self.request_denoiser_encode();
        true
    }

    /// Ask the companion for its reconstruction of the current damaged input.
    pub(super) fn request_denoiser_encode(&mut self) {
        self.denoise.denoiser.recon = None;
        let ready = self.denoise.denoiser.loaded && self.denoise.input.is_some() && self.wants_denoiser();
        self.denoise.denoiser.encode_id = if ready { self.fresh_id() } else { 0 };
    }

    /// The companion's reconstruction came back (true), or this id is not its encode (false).
    pub(super) fn denoiser_encoded(&mut self, id: u64, recon: Vec<u8>) -> bool {
        if id == 0 || id != self.denoise.denoiser.encode_id {
            return false;
        }
        self.denoise.denoiser.recon = Some(Rc::new(recon));
        true
    }
}

/// Mean squared difference of two 8-bit pictures, in [0, 1]² units: how far a reconstruction of
/// the damaged input is from the clean one.
pub fn picture_mse(a: &[u8], b: &[u8]) -> Option<f64> {
    (a.len() == b.len() && !a.is_empty()).then(|| {
        a.iter().zip(b).map(|(x, y)| ((f64::from(*x) - f64::from(*y)) / 255.0).powi(2)).sum::<f64>()
            / a.len() as f64
    })
}
