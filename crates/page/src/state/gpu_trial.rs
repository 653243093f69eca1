//! The CPU worker always draws the first image; WebGPU has to earn its place.
//!
//! With `auto` and a WebGPU adapter, the page first runs the CPU-only module (a fraction of the
//! download). Once a model is on screen, the GPU module is fetched in the background as a
//! second, throwaway worker that loads the same model and times one decode on each backend.
//! Only when WebGPU is faster does the GPU module replace the CPU worker, through the same swap
//! as a backend change (z, gallery and vectors kept). A software adapter (SwiftShader, some
//! laptops' fallbacks) loses that race, and the page stays on the CPU without ever having waited
//! for the larger module.

use super::*;

/// Where the background WebGPU trial stands.
#[derive(Clone, Debug, PartialEq, Default)]
pub enum GpuTrial {
    #[default]
    NotYet,
    Running,
    /// `winner` is the faster backend, `None` when the trial failed; `note` says what was measured.
    Done {
        winner: Option<Backend>,
        note: String,
    },
}

impl State {
    /// The model the GPU trial should load now, if it should start: `auto`, an adapter, a model
    /// on screen from the CPU worker, nothing loading, no trial yet.
    pub fn gpu_trial_request(&self) -> Option<Rc<Manifest>> {
        let wanted = self.backend_choice == BackendChoice::Auto
            && self.adapter == Some(true)
            && self.gpu_trial == GpuTrial::NotYet
            && self.loading.is_none()
            && self.backend == Some(Backend::Cpu);
        wanted.then(|| self.model.clone()).flatten()
    }

    /// Whether the trial found WebGPU faster.
    pub fn gpu_won(&self) -> bool {
        matches!(self.gpu_trial, GpuTrial::Done { winner: Some(Backend::Webgpu), .. })
    }

    /// The backend a load asks the worker for: `auto` is settled by the trial, so a worker never
    /// measures twice (a second measurement could disagree with the first and flip back).
    pub fn load_backend(&self) -> BackendChoice {
        match self.backend_choice {
            BackendChoice::Auto if self.gpu_won() => BackendChoice::Webgpu,
            BackendChoice::Auto => BackendChoice::Cpu,
            chosen => chosen,
        }
    }

    /// What the backend badge's tooltip says when the worker itself says nothing.
    pub(super) fn auto_note(&self) -> Option<String> {
        if self.backend_choice != BackendChoice::Auto {
            return None;
        }
        match (&self.gpu_trial, self.adapter) {
            (GpuTrial::Done { note, .. }, _) => Some(note.clone()),
            (GpuTrial::Running, _) => Some("measuring WebGPU against the CPU in the background".into()),
            (GpuTrial::NotYet, Some(false)) => Some("this browser offers no WebGPU adapter".into()),
            (GpuTrial::NotYet, _) => None,
        }
    }

    pub(super) fn gpu_trial_done(&mut self, winner: Option<Backend>, note: String) {
        if self.gpu_trial != GpuTrial::Running {
            return;
        }
        self.gpu_trial = GpuTrial::Done { winner, note };
        if self.gpu_won() && self.backend_choice == BackendChoice::Auto {
            self.swap_worker_module();
            self.reload_current("moving to WebGPU");
        }
        self.backend_note = self.auto_note();
    }

    /// Load the model on screen again (on a new worker or backend); z and sliders stay.
    pub(super) fn reload_current(&mut self, stage: &str) {
        if let Some(m) = self.model.clone() {
            let id = self.fresh_id();
            let z = Some(self.z.clone());
            self.loading =
                Some(Loading { id, manifest: m, stage: stage.into(), z, fraction: None, import: false });
        }
    }
}
