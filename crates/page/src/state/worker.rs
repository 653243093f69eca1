//! What the inference worker says, and what the page does when the worker itself is lost.

use super::*;
use worker_protocol::Lane;

impl State {
    /// Replace a lost worker: a new one on the CPU, the current model reloaded, the same z
    /// decoded again, pending encodes sent again. Gallery, vectors and sliders are untouched.
    pub(super) fn worker_lost(&mut self, epoch: u64, message: String) {
        if epoch != self.worker_epoch {
            return; // about a worker already replaced
        }
        if self.restarts >= MAX_WORKER_RESTARTS {
            self.error(format!(
                "The inference worker stopped again ({message}). Reload the page; your gallery and vectors are saved."
            ));
            return;
        }
        let was_gpu = self.backend == Some(Backend::Webgpu) || self.backend_choice == BackendChoice::Webgpu;
        self.worker_epoch += 1;
        self.restarts += 1;
        // The CPU choice also starts the CPU-only module.
        self.backend_choice = BackendChoice::Cpu;
        let manifest = self.loading.as_ref().map(|l| l.manifest.clone()).or_else(|| self.model.clone());
        if let Some(manifest) = manifest {
            let id = self.fresh_id();
            let z = self.loading.as_ref().and_then(|l| l.z.clone()).or_else(|| Some(self.z.clone()));
            self.loading = Some(Loading {
                id,
                manifest,
                stage: "restarting on the CPU".into(),
                z,
                fraction: None,
                import: false,
            });
        }
        let text = if was_gpu {
            format!("{message}. Latent Lab switched to the CPU backend; your sliders and gallery are kept.")
        } else {
            format!("{message}. The inference worker was restarted; your sliders and gallery are kept.")
        };
        self.notice = Some(Notice { kind: NoticeKind::Info, text });
    }

    /// The worker module the backend choice needs: the CPU one for `auto` until the GPU trial
    /// finds WebGPU faster.
    pub fn worker_module(&self) -> WorkerModule {
        WorkerModule::for_choice(self.backend_choice, self.gpu_won())
    }

    /// The other module replaces the current worker: like a lost worker, the new one gets the
    /// current model (the caller queues its load), every pending encode (they are sent again per
    /// epoch) and the comparison's companions.
    pub(super) fn swap_worker_module(&mut self) {
        self.worker_epoch += 1;
        for side in 0..self.compare.load_ids.len() {
            if self.compare.manifests[side].is_some() {
                self.compare.load_ids[side] = self.fresh_id();
                self.compare.loaded[side] = false;
            }
        }
    }

    /// A pending encode is done: its item joins the gallery. `recon` is the decode of `mu`.
    pub(super) fn encoded(&mut self, id: u64, mu: Vec<f32>, logvar: &[f32], recon: Vec<u8>) {
        let Some(pos) = self.encoding.iter().position(|p| p.id == id) else { return };
        let p = self.encoding.remove(pos);
        let mut item = GalleryItem {
            key: id,
            model: p.model,
            name: p.name,
            input: p.input,
            recon: Rc::new(recon),
            sigma: sigma(logvar),
            mu,
            mark: Mark::None,
            example: p.example,
            ood_percentile: None,
            photo: p.photo,
        };
        if let Some(trial) = p.trial {
            let model = self.model.clone().filter(|m| m.name == item.model);
            item.ood_percentile = model.and_then(|m| super::ood::ood_percentile(&item, &m));
            let Some(chosen) = self.first_guess_back(trial, item) else { return };
            item = chosen;
        }
        self.score_new_item(&mut item);
        if let Some(key) = p.replaces {
            self.replace_encoding(key, item);
            return;
        }
        self.add_item(item);
    }

    /// A new item joins the gallery (a user's is saved).
    fn add_item(&mut self, item: GalleryItem) {
        let user_made = !item.example;
        self.gallery.push(item);
        if user_made {
            self.saved();
        }
        // A link's interpolation ends name examples that may just have arrived; the open view
        // may be waiting for its first items too.
        self.settle_link();
        self.refresh_view();
    }

    /// Whether a worker reply could change anything: a decode older than the image on screen
    /// (or newer than asked), or a batch for a lane that has asked for another since, is
    /// dropped by `worker` anyway. The page drops those before the reducer, so a stale reply
    /// costs no render (during a drag without the live path, each superseded decode did).
    pub fn heeds(&self, msg: &FromWorker) -> bool {
        match msg {
            FromWorker::Decoded { id, .. } => self.wants_decode(*id),
            FromWorker::DecodedMany { id, lane, .. } => match lane {
                Lane::Strip => *id == self.strip_id,
                Lane::Corners => *id == self.corners_id,
                Lane::Grid => *id == self.grid_id,
                Lane::Hover => *id == self.hover_id && self.hover.is_some(),
                Lane::Compare(side) => self.compare.decode_ids.get(usize::from(*side)) == Some(id),
                _ => true,
            },
            _ => true,
        }
    }

    fn wants_decode(&self, id: u64) -> bool {
        id > self.image.as_ref().map_or(0, |i| i.id) && id <= self.decode_id
    }

    pub(super) fn worker(&mut self, msg: FromWorker) {
        if self.melody_worker(&msg) {
            return;
        }
        match msg {
            FromWorker::Ready => {}
            // The client turns this into `Action::WorkerLost`, which knows the worker's epoch.
            FromWorker::Lost { .. } => {}
            FromWorker::Progress { id, stage, fraction } => {
                if let Some(l) = self.loading.as_mut().filter(|l| l.id == id) {
                    l.stage = stage;
                    l.fraction = fraction;
                }
            }
            FromWorker::Loaded { id, backend, note, dim_scores, .. } => {
                if self.companion_loaded(id) || self.denoiser_loaded(id) {
                    return;
                }
                let Some(mut loading) = self.loading.take_if(|l| l.id == id) else { return };
                // No KL known: the sliders follow how much each dimension moves the picture.
                if loading.manifest.slider_order == bundle::SliderOrder::OutputChange
                    && dim_scores.len() == loading.manifest.latent_dim
                    && dim_scores.iter().all(|v| v.is_finite())
                {
                    Rc::make_mut(&mut loading.manifest).kl_per_dim = dim_scores;
                }
                if loading.import {
                    self.import_loaded(&loading.manifest, note.as_deref());
                }
                let dim = loading.manifest.latent_dim;
                self.z = loading.z.filter(|z| z.len() == dim).unwrap_or_else(|| vec![0.0; dim]);
                let same_model = self.model_name() == Some(loading.manifest.name.as_str());
                self.model = Some(loading.manifest);
                self.backend = Some(backend);
                if !same_model {
                    self.selected = None;
                    self.interp = Interp::default();
                    self.strip = None;
                    self.vector = None;
                    self.strength = 0.0;
                    self.grid = None;
                    self.hover = None;
                    self.hover_image = None;
                    self.denoise = Denoise::default();
                    self.compare.pair = None;
                    self.compare.images = Default::default();
                    self.focus = 0;
                }
                // Asked for WebGPU and did not get it: say so on screen, not only in a tooltip.
                if self.backend_choice == BackendChoice::Webgpu && backend == Backend::Cpu {
                    let why = note.clone().unwrap_or_else(|| "WebGPU is unavailable".into());
                    self.notice =
                        Some(Notice { kind: NoticeKind::Info, text: format!("{why}. Running on the CPU.") });
                }
                self.backend_note = note.or_else(|| self.auto_note());
                self.request_decode();
                self.refresh_view();
                self.settle_link();
            }
            FromWorker::Decoded { id, pixels, micros, memory, gpu_memory } => {
                // Drop anything older than what is on screen or newer than asked (a result from
                // before a reload): only the newest decode is ever drawn.
                if self.wants_decode(id) {
                    self.image = Some(Image {
                        id,
                        pixels: Rc::new(pixels),
                        micros,
                        worker_memory: memory,
                        gpu_memory,
                    });
                }
            }
            FromWorker::DecodedMany { id, lane, images, .. } => self.batch_decoded(id, lane, images),
            FromWorker::Encoded { id, mu, logvar, recon } => {
                if self.lecture_encoded(id, &mu, recon.clone()) {
                    return;
                }
                self.encoded(id, mu, &logvar, recon);
            }
            FromWorker::Profiled { id, layers } => self.profiled(id, layers),
            FromWorker::RoundTripped { id, lane, mus } => self.round_tripped(id, lane, mus),
            // Answered by `melody_worker` above; one that gets here is about a request replaced.
            FromWorker::MelodyLoaded { .. }
            | FromWorker::MelodiesDecoded { .. }
            | FromWorker::MelodyEncoded { .. } => {}
            FromWorker::Failed { id, message } => {
                if id.is_some_and(|id| id == self.profile_id) {
                    self.profile_id = 0;
                }
                if let Some(id) = id {
                    let trial = self.encoding.iter().find(|p| p.id == id).and_then(|p| p.trial);
                    self.encoding.retain(|p| p.id != id);
                    // The other guesses of a photo may all be in: the best of them is the item.
                    if let Some(item) = trial.and_then(|(group, _)| self.first_guesses_done(group)) {
                        let mut item = item;
                        self.score_new_item(&mut item);
                        self.add_item(item);
                    }
                }
                // A failed load keeps the previous model, z and image: nothing the user had is lost.
                if id.is_some() && self.loading.as_ref().map(|l| l.id) == id {
                    let loading = self.loading.take();
                    // Without a network, a model whose weights were never saved says so.
                    if let Some(l) = loading.as_ref().filter(|l| !l.import && !self.offline.online) {
                        let text = self.unavailable(&l.manifest.name, &message);
                        return self.error(text);
                    }
                    if let Some(l) = loading.filter(|l| l.import) {
                        let current =
                            self.model_name().map_or(String::new(), |n| format!(" {n} stays open."));
                        return self.error(format!(
                            "{} could not be opened: {message}. Nothing was changed;{current}",
                            l.manifest.name
                        ));
                    }
                }
                self.error(message);
            }
        }
    }
}
