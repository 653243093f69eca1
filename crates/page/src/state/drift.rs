//! Round-trip drift: decode z, encode the picture, and see how far μ lands from z (the worker's
//! `RoundTrip`). Shown three ways: a heat map over the latent map's plane (the map's drift
//! layer), a curve along the interpolation, and the mean over the codes each side of AE vs VAE
//! decodes. A VAE's decoder and encoder agree near the codes its prior draws; a plain
//! autoencoder's only near its training codes. Distances count the dimensions the model's
//! decoder uses (`latent::drift::distance_in`).

use super::*;
use latent::plane::PlaneGrid;
use worker_protocol::Lane;

/// Cells a side of the drift grid: 256 round trips, one batch.
pub const DRIFT_CELLS: usize = 16;

/// The drift of each of a batch of codes, for the request that asked.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Drifts {
    pub id: u64,
    pub values: Option<Rc<Vec<f32>>>,
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct Drift {
    /// Over the map's plane (`DRIFT_CELLS`², row by row from the top), along the strip, and for
    /// the comparison's two sides.
    pub plane: Drifts,
    pub strip: Drifts,
    pub compare: [Drifts; 2],
}

impl State {
    fn encodes(&self) -> bool {
        self.model.as_ref().is_some_and(|m| m.architecture.has_encoder())
    }

    /// The grid the drift layer is measured on: the map's bounds.
    pub fn drift_grid(&self) -> Option<PlaneGrid> {
        let map = self.map()?;
        Some(PlaneGrid { bounds: map_bounds(map), cols: DRIFT_CELLS, rows: DRIFT_CELLS })
    }

    pub fn drift_plane_codes(&self) -> Option<Vec<Vec<f32>>> {
        Some(self.drift_grid()?.codes(&self.map()?.projection))
    }

    /// Ask for the plane's round trips when the drift layer is on the open map.
    pub(super) fn request_plane_drift(&mut self) {
        self.drift.plane.values = None;
        if self.view == View::Map
            && self.map_layer == MapLayer::Drift
            && self.encodes()
            && self.map().is_some()
        {
            self.drift.plane.id = self.fresh_id();
        }
    }

    /// Ask for the strip's round trips (with every new strip).
    pub(super) fn request_strip_drift(&mut self) {
        self.drift.strip.values = None;
        if self.encodes() && self.strip_codes().is_some() {
            self.drift.strip.id = self.fresh_id();
        }
    }

    /// Ask for each comparison side's round trips, with its batch of decodes.
    pub(super) fn request_compare_drift(&mut self, side: usize) {
        self.drift.compare[side] = Drifts { id: self.fresh_id(), values: None };
    }

    /// The round trips came back: the distance from each code to its μ.
    pub(super) fn round_tripped(&mut self, id: u64, lane: Lane, mus: Vec<Vec<f32>>) {
        let codes = match lane {
            Lane::Plane if id == self.drift.plane.id => self.drift_plane_codes(),
            Lane::Strip if id == self.drift.strip.id => self.strip_codes(),
            Lane::Compare(side) if self.drift.compare.get(usize::from(side)).is_some_and(|d| d.id == id) => {
                self.compare_codes(usize::from(side))
            }
            _ => None,
        };
        let Some(codes) = codes.filter(|c| c.len() == mus.len()) else { return };
        // Measured in the dimensions the decoder of the model that made the trip uses.
        let model = match lane {
            Lane::Compare(side) => self.compare.manifests.get(usize::from(side)).cloned().flatten(),
            _ => self.model.clone(),
        };
        let used: Vec<usize> = model.map_or_else(Vec::new, |m| {
            (0..m.latent_dim)
                .filter(|&d| m.kl_per_dim.get(d).is_some_and(|k| *k >= bundle::ACTIVE_KL))
                .collect()
        });
        let Some(values) = codes
            .iter()
            .zip(&mus)
            .map(|(z, mu)| latent::drift::distance_in(z, mu, &used))
            .collect::<Option<Vec<f32>>>()
        else {
            return;
        };
        let target = match lane {
            Lane::Plane => &mut self.drift.plane,
            Lane::Strip => &mut self.drift.strip,
            Lane::Compare(side) => &mut self.drift.compare[usize::from(side)],
            _ => return,
        };
        target.values = Some(Rc::new(values));
    }
}

/// Map coordinates the latent map shows: its points' range with a margin, as (x0, y0, width,
/// height).
pub fn map_bounds(map: &bundle::MapProjection) -> [f32; 4] {
    let (mut lo, mut hi) = ([f32::MAX; 2], [f32::MIN; 2]);
    for p in map.points.iter().filter(|p| p[0].is_finite() && p[1].is_finite()) {
        for a in 0..2 {
            lo[a] = lo[a].min(p[a]);
            hi[a] = hi[a].max(p[a]);
        }
    }
    if lo[0] > hi[0] {
        return [-3.0, -3.0, 6.0, 6.0];
    }
    let pad = |a: usize| ((hi[a] - lo[a]) * 0.06).max(0.1);
    [lo[0] - pad(0), lo[1] - pad(1), hi[0] - lo[0] + 2.0 * pad(0), hi[1] - lo[1] + 2.0 * pad(1)]
}
