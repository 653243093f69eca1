//! The latent map of a model that came without one (an imported model exported without
//! labelled examples): the PCA of the gallery's own codes, refitted only when the items change.

use super::*;

impl State {
    /// A model without a map of its own (an imported one exported without labelled examples):
    /// the map is the PCA of the gallery's codes, refitted when the gallery changes. At least
    /// three items are needed for a plane worth drawing.
    pub(super) fn refresh_items_map(&mut self) {
        let Some(m) = self.model.clone().filter(|m| m.map.is_none()) else {
            self.items_map = None;
            return;
        };
        let items = self.items();
        let signature = items
            .iter()
            .fold((items.len() as u64) ^ (m.latent_dim as u64) << 32, |h, i| h.rotate_left(7) ^ i.key);
        if self.items_map.as_ref().is_some_and(|(sig, _)| *sig == signature) {
            return;
        }
        let codes: Vec<Vec<f32>> = items.iter().map(|i| i.mu.clone()).collect();
        self.items_map = latent::Projection::fit(&codes).filter(|_| codes.len() >= 3).map(|projection| {
            let points = codes.iter().map(|c| {
                let [x, y] = projection.project(c);
                [x, y, 0.0]
            });
            (signature, bundle::MapProjection { points: points.collect(), projection })
        });
    }
}
