//! What a slider moves: while a slider (or the vector strength) has the focus, the worker
//! decodes z a little below and a little above along its direction, in one batch, and the
//! page shows on the decoded image how much each pixel changes per unit of that direction
//! (`latent::sensitivity`). Asked again whenever z moves, so the overlay follows the hand.

use super::*;
use worker_protocol::Lane;

/// The direction being probed.
#[derive(Clone, Debug, PartialEq)]
pub enum SenseTarget {
    /// A latent dimension's slider.
    Dim(usize),
    /// The chosen attribute vector (its strength slider).
    Vector,
}

/// The probe's state: what is probed, the newest request, and the last answer.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Sensitivity {
    /// Off unless the user turns the overlay on (it changes the picture they are looking at).
    pub enabled: bool,
    pub target: Option<SenseTarget>,
    pub id: u64,
    pub change: Option<SenseMap>,
}

/// Per-pixel change per unit of the probed direction, and its mean and largest values.
#[derive(Clone, Debug, PartialEq)]
pub struct SenseMap {
    pub target: SenseTarget,
    pub change: Rc<Vec<f32>>,
    pub mean: f32,
    pub max: f32,
}

impl State {
    pub(super) fn sense(&mut self, action: Action) {
        match action {
            Action::SenseOverlay(on) => {
                self.sensitivity.enabled = on;
                if !on {
                    self.sensitivity.change = None;
                }
                self.request_sense();
            }
            Action::Sense(target) => {
                if self.sensitivity.target != target {
                    self.sensitivity.change = None;
                }
                self.sensitivity.target = target;
                self.request_sense();
            }
            _ => {}
        }
    }

    /// The unit direction being probed, when there is one to probe.
    fn sense_direction(&self) -> Option<Vec<f32>> {
        let dim = self.model.as_ref()?.latent_dim;
        match self.sensitivity.target.as_ref()? {
            SenseTarget::Dim(d) => latent::sensitivity::axis(*d, dim),
            SenseTarget::Vector => {
                let v = self.vector_of(self.vector.as_ref()?)?;
                let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
                (norm > 0.0).then(|| v.iter().map(|x| x / norm).collect())
            }
        }
    }

    /// The two codes the worker decodes for the overlay: z − step·d and z + step·d.
    pub fn sense_codes(&self) -> Option<Vec<Vec<f32>>> {
        if !self.sensitivity.enabled {
            return None;
        }
        let [minus, plus] =
            latent::sensitivity::probes(&self.z, &self.sense_direction()?, latent::sensitivity::STEP)?;
        Some(vec![minus, plus])
    }

    /// z or the probed direction changed: ask for a new pair (the newest request wins).
    pub(super) fn request_sense(&mut self) {
        if self.sense_codes().is_some() {
            self.sensitivity.id = self.fresh_id();
        }
    }

    /// The pair came back: keep it if it is the newest asked for.
    pub(super) fn sensed(&mut self, id: u64, images: &[Vec<u8>]) {
        let (Some(m), Some(target)) = (self.model.as_ref(), self.sensitivity.target.clone()) else { return };
        if id != self.sensitivity.id || images.len() != 2 {
            return;
        }
        let step = latent::sensitivity::STEP;
        if let Some(change) =
            latent::sensitivity::pixel_change(&images[0], &images[1], m.image.channels, step)
        {
            let (mean, max) = latent::sensitivity::summary(&change);
            self.sensitivity.change = Some(SenseMap { target, change: Rc::new(change), mean, max });
        }
    }

    /// The overlay to draw on the decoded image now: the last answer for the probed target.
    pub fn sense_overlay(&self) -> Option<&SenseMap> {
        let s = &self.sensitivity;
        s.change.as_ref().filter(|c| s.enabled && s.target.as_ref() == Some(&c.target))
    }
}

/// The lane the pair travels on.
pub const SENSE_LANE: Lane = Lane::Sensitivity;
