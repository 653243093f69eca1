//! Layer timings: where one decode's time goes, layer by layer, measured by the worker on the
//! CPU (`ToWorker::Profile`). For a practitioner's own model (an imported decoder) it says which
//! layer makes a drag slow; for ours, which layer to make faster.

use super::{Action, State};
use worker_protocol::LayerTime;

/// A finished measurement, for the model it was taken on.
#[derive(Clone, Debug, PartialEq)]
pub struct LayerProfile {
    pub model: String,
    pub layers: Vec<LayerTime>,
}

impl LayerProfile {
    /// Milliseconds of a whole decode, for one code and for the batch.
    pub fn totals(&self) -> (f64, f64) {
        self.layers.iter().fold((0.0, 0.0), |(a, b), l| (a + l.ms_one, b + l.ms_batch))
    }
}

/// Timing runs per layer for one code; the batch gets an eighth as many (at least two).
pub const PROFILE_RUNS: u32 = 20;

impl State {
    pub(super) fn layers(&mut self, action: Action) {
        if let Action::ProfileLayers = action
            && self.model.is_some()
        {
            self.profile_id = self.fresh_id();
            self.layer_profile = None;
        }
    }

    pub(super) fn profiled(&mut self, id: u64, layers: Vec<LayerTime>) {
        if id != self.profile_id {
            return;
        }
        self.profile_id = 0;
        if let Some(model) = self.model_name() {
            self.layer_profile = Some(LayerProfile { model: model.to_string(), layers });
        }
    }

    /// The timings of the model on screen, if they were taken on it.
    pub fn current_profile(&self) -> Option<&LayerProfile> {
        self.layer_profile.as_ref().filter(|p| Some(p.model.as_str()) == self.model_name())
    }

    /// Whether the worker is measuring now.
    pub fn profiling(&self) -> bool {
        self.profile_id != 0
    }
}
