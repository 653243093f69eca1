//! The worker's job queue and the runner that does the work.
//!
//! The runner is owned by whichever task is running it: when the inbox empties it parks itself
//! in `Engine::idle`, and the next message takes it out and starts a new task. So no RefCell
//! borrow is ever held across an `.await`.

use super::decoding::{build, decode_images, decode_values, read, time_decode};
use super::devices::Devices;
use super::fetch::fetch_bytes;
use super::melodies::MelodyModel;
use super::{now_ms, post};
use bundle::Manifest;
use burn::prelude::*;
use std::cell::RefCell;
use std::collections::{BTreeMap, VecDeque};
use std::rc::Rc;
use vae::Net;
use worker_protocol::pixels::to_byte;
use worker_protocol::{Backend, BackendChoice, FromWorker, Lane, LoadRequest, ToWorker};

/// A batch waiting in its lane: (request id, model name or current, codes).
type Batch = (u64, Option<String>, Vec<Vec<f32>>);

enum Job {
    Load(LoadRequest),
    Encode { id: u64, model: Option<String>, pixels: Vec<f32> },
    Decode { id: u64, z: Vec<f32> },
    DecodeMany { id: u64, lane: Lane, batch: Batch },
    Profile { id: u64, runs: u32 },
    RoundTrip { id: u64, lane: Lane, batch: Batch },
    LoadMelody { id: u64, manifest_json: String, weights_url: String },
    DecodeMelodies { id: u64, zs: Vec<Vec<f32>> },
    EncodeMelody { id: u64, tokens: Vec<u8> },
}

pub struct Engine {
    loads: VecDeque<LoadRequest>,
    encodes: VecDeque<(u64, Option<String>, Vec<f32>)>,
    /// Only the newest decode request is kept, and the newest batch of each lane.
    decode: Option<(u64, Vec<f32>)>,
    many: BTreeMap<Lane, Batch>,
    profile: Option<(u64, u32)>,
    /// The newest round trip asked in each lane.
    round_trips: BTreeMap<Lane, Batch>,
    /// The newest melody model asked for, the newest melody decode, and every melody encode.
    melody_load: Option<(u64, String, String)>,
    /// The sliders' melody [0] and the interpolation row [1].
    melody_decodes: [Option<(u64, Vec<Vec<f32>>)>; 2],
    melody_encodes: VecDeque<(u64, Vec<u8>)>,
    idle: Option<Runner>,
}

impl Default for Engine {
    fn default() -> Self {
        Engine {
            loads: VecDeque::new(),
            encodes: VecDeque::new(),
            decode: None,
            many: BTreeMap::new(),
            profile: None,
            round_trips: BTreeMap::new(),
            melody_load: None,
            melody_decodes: [None, None],
            melody_encodes: VecDeque::new(),
            idle: Some(Runner::default()),
        }
    }
}

impl Engine {
    pub fn push(engine: &Rc<RefCell<Engine>>, msg: ToWorker) {
        let mut e = engine.borrow_mut();
        match msg {
            ToWorker::Load(load) => e.loads.push_back(load),
            ToWorker::Decode { id, z } => e.decode = Some((id, z)),
            ToWorker::DecodeMany { id, lane, model, zs } => {
                e.many.insert(lane, (id, model, zs));
            }
            ToWorker::Encode { id, model, pixels } => e.encodes.push_back((id, model, pixels)),
            ToWorker::Profile { id, runs } => e.profile = Some((id, runs)),
            ToWorker::RoundTrip { id, lane, model, zs } => {
                e.round_trips.insert(lane, (id, model, zs));
            }
            ToWorker::LoadMelody { id, manifest_json, weights_url } => {
                e.melody_load = Some((id, manifest_json, weights_url));
            }
            ToWorker::DecodeMelodies { id, row, zs } => e.melody_decodes[usize::from(row)] = Some((id, zs)),
            ToWorker::EncodeMelody { id, tokens } => e.melody_encodes.push_back((id, tokens)),
        }
        if let Some(runner) = e.idle.take() {
            wasm_bindgen_futures::spawn_local(runner.run(engine.clone()));
        }
    }

    /// Loads first (a decode asked after a load must run on the new model), then the slider's
    /// decode (what the hand is waiting for), then encodes, then batches.
    fn next(&mut self) -> Option<Job> {
        if let Some(load) = self.loads.pop_front() {
            return Some(Job::Load(load));
        }
        if let Some((id, z)) = self.decode.take() {
            return Some(Job::Decode { id, z });
        }
        // The melody view's work beside the slider's decode: each is what a hand or an ear waits
        // for, and a melody decode is a few milliseconds.
        if let Some((id, manifest_json, weights_url)) = self.melody_load.take() {
            return Some(Job::LoadMelody { id, manifest_json, weights_url });
        }
        if let Some((id, zs)) = self.melody_decodes.iter_mut().find_map(Option::take) {
            return Some(Job::DecodeMelodies { id, zs });
        }
        if let Some((id, tokens)) = self.melody_encodes.pop_front() {
            return Some(Job::EncodeMelody { id, tokens });
        }
        if let Some((id, model, pixels)) = self.encodes.pop_front() {
            return Some(Job::Encode { id, model, pixels });
        }
        if let Some((lane, batch)) = self.many.pop_first() {
            return Some(Job::DecodeMany { id: batch.0, lane, batch });
        }
        // After the pictures: a round trip is a measurement the views draw when it is ready.
        if let Some((lane, batch)) = self.round_trips.pop_first() {
            return Some(Job::RoundTrip { id: batch.0, lane, batch });
        }
        // Last: a profile takes a second or two, and anything the user is waiting for goes first.
        self.profile.take().map(|(id, runs)| Job::Profile { id, runs })
    }
}

struct Current {
    manifest: Manifest,
    model: Net,
    device: Device,
    backend: Backend,
    /// The encoder's weights, still to fetch: the first encode with this model loads them.
    encoder_url: Option<String>,
}

#[derive(Default)]
struct Runner {
    devices: Devices,
    current: Option<Current>,
    /// Models kept beside the current one (the AE vs VAE view), on the CPU: the views that use
    /// them decode small batches where the CPU is fastest here, and a lost GPU cannot take them.
    companions: Vec<Current>,
    melody: Option<MelodyModel>,
}

/// At most this many companions stay loaded; the oldest goes first.
const MAX_COMPANIONS: usize = 2;

impl Runner {
    async fn run(mut self, engine: Rc<RefCell<Engine>>) {
        loop {
            let job = {
                let mut e = engine.borrow_mut();
                match e.next() {
                    Some(job) => job,
                    None => {
                        e.idle = Some(self);
                        return;
                    }
                }
            };
            match job {
                Job::Load(load) => {
                    let id = load.id;
                    if let Err(message) = self.load(load).await {
                        post(&FromWorker::Failed { id: Some(id), message });
                    }
                }
                Job::Decode { id, z } => match self.decode(&z).await {
                    Ok((pixels, micros)) => post(&FromWorker::Decoded {
                        id,
                        pixels,
                        micros,
                        memory: super::wasm_memory_bytes(),
                        gpu_memory: self.gpu_memory(),
                    }),
                    Err(message) => post(&FromWorker::Failed { id: Some(id), message }),
                },
                Job::DecodeMany { id, lane, batch: (_, model, zs) } => {
                    match self.decode_many(model.as_deref(), &zs).await {
                        Ok((images, micros)) => post(&FromWorker::DecodedMany { id, lane, images, micros }),
                        Err(message) => post(&FromWorker::Failed { id: Some(id), message }),
                    }
                }
                Job::Encode { id, model, pixels } => match self.encode(model.as_deref(), &pixels).await {
                    Ok((mu, logvar, recon)) => post(&FromWorker::Encoded { id, mu, logvar, recon }),
                    Err(message) => post(&FromWorker::Failed { id: Some(id), message }),
                },
                Job::RoundTrip { id, lane, batch: (_, model, zs) } => {
                    match self.round_trip(model.as_deref(), &zs).await {
                        Ok(mus) => post(&FromWorker::RoundTripped { id, lane, mus }),
                        Err(message) => post(&FromWorker::Failed { id: Some(id), message }),
                    }
                }
                Job::LoadMelody { id, manifest_json, weights_url } => {
                    match MelodyModel::load(&manifest_json, &weights_url).await {
                        Ok(m) => {
                            let name = m.manifest.name.clone();
                            self.melody = Some(m);
                            post(&FromWorker::MelodyLoaded { id, name });
                        }
                        Err(message) => post(&FromWorker::Failed { id: Some(id), message }),
                    }
                }
                Job::DecodeMelodies { id, zs } => match self.melody_model() {
                    Ok(m) => match m.decode(&zs).await {
                        Ok(melodies) => post(&FromWorker::MelodiesDecoded { id, melodies }),
                        Err(message) => post(&FromWorker::Failed { id: Some(id), message }),
                    },
                    Err(message) => post(&FromWorker::Failed { id: Some(id), message }),
                },
                Job::EncodeMelody { id, tokens } => match self.melody_model() {
                    Ok(m) => match m.encode(&tokens).await {
                        Ok(mu) => post(&FromWorker::MelodyEncoded { id, mu }),
                        Err(message) => post(&FromWorker::Failed { id: Some(id), message }),
                    },
                    Err(message) => post(&FromWorker::Failed { id: Some(id), message }),
                },
                Job::Profile { id, runs } => match self.profile(runs as usize) {
                    Ok(layers) => post(&FromWorker::Profiled { id, layers }),
                    Err(message) => post(&FromWorker::Failed { id: Some(id), message }),
                },
            }
        }
    }

    async fn load(&mut self, load: LoadRequest) -> Result<(), String> {
        let id = load.id;
        let progress =
            |stage: &str| post(&FromWorker::Progress { id, stage: stage.to_string(), fraction: None });
        let manifest = Manifest::parse(&load.manifest_json).map_err(|e| e.to_string())?;
        progress("downloading weights");
        let weights = fetch_bytes(&load.decoder_url, |done, total| {
            let mb = |b: f64| b / 1_048_576.0;
            post(&FromWorker::Progress {
                id,
                stage: match total {
                    Some(t) => format!("downloading weights, {:.1} of {:.1} MB", mb(done), mb(t)),
                    None => format!("downloading weights, {:.1} MB", mb(done)),
                },
                fraction: total.filter(|t| *t > 0.0).map(|t| (done / t).min(1.0) as f32),
            })
        })
        .await?;
        progress("building the model");
        let cpu = Devices::cpu();
        if load.companion {
            let model = build(&manifest, weights, &cpu)?;
            let name = manifest.name.clone();
            self.companions.retain(|c| c.manifest.name != name);
            if self.companions.len() >= MAX_COMPANIONS {
                self.companions.remove(0);
            }
            let encoder_url = load.encoder_url;
            self.companions.push(Current {
                manifest,
                model,
                device: cpu,
                backend: Backend::Cpu,
                encoder_url,
            });
            post(&FromWorker::Loaded { id, name, backend: Backend::Cpu, note: None, dim_scores: Vec::new() });
            return Ok(());
        }
        let (model, device, backend, note) = match load.backend {
            BackendChoice::Cpu => (build(&manifest, weights, &cpu)?, cpu, Backend::Cpu, None),
            BackendChoice::Webgpu => match self.devices.webgpu().await {
                Ok(gpu) => (build(&manifest, weights, &gpu)?, gpu, Backend::Webgpu, None),
                Err(why) => (
                    build(&manifest, weights, &cpu)?,
                    cpu,
                    Backend::Cpu,
                    Some(format!("{why}; decoding on the CPU instead")),
                ),
            },
            BackendChoice::Auto => match self.devices.webgpu().await {
                Err(why) => (build(&manifest, weights, &cpu)?, cpu, Backend::Cpu, Some(why)),
                Ok(gpu) => {
                    progress("measuring WebGPU against the CPU");
                    let on_cpu = build(&manifest, weights.clone(), &cpu)?;
                    let on_gpu = build(&manifest, weights, &gpu)?;
                    let t_cpu = time_decode(&on_cpu, &cpu, manifest.latent_dim).await?;
                    let t_gpu = time_decode(&on_gpu, &gpu, manifest.latent_dim).await?;
                    let why = format!("measured one decode: WebGPU {t_gpu:.1} ms, CPU {t_cpu:.1} ms");
                    if t_gpu < t_cpu {
                        (on_gpu, gpu, Backend::Webgpu, Some(why))
                    } else {
                        (on_cpu, cpu, Backend::Cpu, Some(why))
                    }
                }
            },
        };
        // One decode of the origin: warms shaders and catches weights that decode to NaN.
        let probe = decode_values(&model, &device, &vec![0.0; manifest.latent_dim]).await?;
        if probe.iter().any(|v| !v.is_finite()) {
            return Err(format!("the weights of {} decode to NaN: the file is damaged", manifest.name));
        }
        let name = manifest.name.clone();
        // An imported model exported without labelled examples has no KL per dimension: its
        // sliders are ordered by how much each dimension moves the picture, measured here.
        let dim_scores = if manifest.slider_order == bundle::SliderOrder::OutputChange {
            progress("measuring what each dimension changes");
            model.output_change(manifest.latent_dim, &device)
        } else {
            Vec::new()
        };
        let note = match (note, model.load_note()) {
            (Some(a), Some(b)) => Some(format!("{a}; {b}")),
            (a, b) => a.or(b),
        };
        self.current = Some(Current { manifest, model, device, backend, encoder_url: load.encoder_url });
        post(&FromWorker::Loaded { id, name, backend, note, dim_scores });
        Ok(())
    }

    /// Bytes the current model's GPU allocator holds (buffers in use and pages kept for reuse);
    /// 0 on the CPU, whose tensors live in the wasm memory reported beside it.
    fn gpu_memory(&self) -> u64 {
        self.current
            .as_ref()
            .filter(|c| c.backend == Backend::Webgpu)
            .and_then(|c| c.device.memory_pool_usage())
            .map_or(0, |u| u.bytes_reserved)
    }

    async fn decode(&self, z: &[f32]) -> Result<(Vec<u8>, u32), String> {
        let Some(current) = &self.current else {
            return Err("no model is loaded yet".into());
        };
        if z.len() != current.manifest.latent_dim || z.iter().any(|v| !v.is_finite()) {
            return Err(format!(
                "a code of {} numbers cannot be decoded by a {}-D model",
                z.len(),
                current.manifest.latent_dim
            ));
        }
        let start = now_ms();
        let mut images = decode_images(&current.model, &current.device, z, 1).await?;
        let micros = ((now_ms() - start) * 1000.0) as u32;
        Ok((images.pop().unwrap_or_default(), micros))
    }
}

impl Runner {
    fn melody_model(&self) -> Result<&MelodyModel, String> {
        self.melody.as_ref().ok_or_else(|| "no melody model is loaded yet".to_string())
    }

    /// The model named, or the current one.
    /// Each decoder layer's time for one code and for a batch of 64 (`Net::profile_decoder`).
    /// On the CPU only: burn's WebGPU backend queues work, so per-op clocks would time queueing.
    fn profile(&self, runs: usize) -> Result<Vec<worker_protocol::LayerTime>, String> {
        let current = self.current.as_ref().ok_or("no model is loaded")?;
        if current.backend != Backend::Cpu {
            return Err("layer timings are measured on the CPU backend: choose CPU and try again".into());
        }
        let dim = current.manifest.latent_dim;
        let time = |batch: usize, runs: usize| {
            // Codes spread like the prior's samples, not zeros: a decode's time in the browser
            // can depend on the values (zeros once ran a ninth faster than real codes and hid a
            // slow pixel pass, bench/OPTIMISATION.md).
            let z: Vec<f32> = (0..batch * dim).map(|i| (i as f32 * 0.11).sin() * 1.5).collect();
            let profile =
                |runs| current.model.profile_decoder(&z, batch, &current.device, runs, &now_ms, to_byte);
            // One run first: the first call of each kernel allocates what later calls reuse.
            profile(1);
            profile(runs)
        };
        let none =
            || format!("{} is three matrix products: there is no layer table to show", current.manifest.name);
        let one = time(1, runs).ok_or_else(none)?;
        let batch = time(64, runs.div_ceil(8).max(2)).ok_or_else(none)?;
        Ok(one
            .into_iter()
            .zip(batch)
            .map(|((name, op, ms_one), (_, _, ms_batch))| worker_protocol::LayerTime {
                name,
                op: op.to_string(),
                ms_one,
                ms_batch,
            })
            .collect())
    }

    fn model(&self, name: Option<&str>) -> Result<&Current, String> {
        let current = self.current.as_ref().filter(|c| name.is_none_or(|n| n == c.manifest.name));
        match name {
            None => current.ok_or_else(|| "no model is loaded yet".to_string()),
            Some(n) => current
                .or_else(|| self.companions.iter().find(|c| c.manifest.name == n))
                .ok_or_else(|| format!("model {n} is not loaded")),
        }
    }

    /// Each code's pixels, and the worker's own time for the batch in µs (pixels included).
    async fn decode_many(&self, model: Option<&str>, zs: &[Vec<f32>]) -> Result<(Vec<Vec<u8>>, u32), String> {
        let c = self.model(model)?;
        let dim = c.manifest.latent_dim;
        if zs.is_empty()
            || zs.len() > MAX_BATCH
            || zs.iter().any(|z| z.len() != dim || z.iter().any(|v| !v.is_finite()))
        {
            return Err(format!("a batch must hold 1 to {MAX_BATCH} finite codes of {dim} numbers"));
        }
        let start = now_ms();
        let images = decode_images(&c.model, &c.device, &zs.concat(), zs.len()).await?;
        Ok((images, ((now_ms() - start) * 1000.0) as u32))
    }

    /// The model named (or the current one), with its encoder's weights fetched if they are
    /// still missing: once per model, on its first encode.
    async fn with_encoder(&mut self, name: Option<&str>) -> Result<&Current, String> {
        let url = self.model(name)?.encoder_url.clone();
        if let Some(url) = url {
            let bytes = fetch_bytes(&url, |_, _| {}).await?;
            let target = match name {
                None => self.current.as_mut(),
                Some(n) => self
                    .current
                    .as_mut()
                    .filter(|c| c.manifest.name == n)
                    .or_else(|| self.companions.iter_mut().find(|c| c.manifest.name == n)),
            }
            .ok_or_else(|| "the model was replaced while its encoder downloaded".to_string())?;
            target.model.add_encoder(bytes)?;
            target.encoder_url = None;
        }
        self.model(name)
    }

    async fn encode(
        &mut self,
        model: Option<&str>,
        pixels: &[f32],
    ) -> Result<(Vec<f32>, Vec<f32>, Vec<u8>), String> {
        let c = self.with_encoder(model).await?;
        let len = c.manifest.image.len();
        if pixels.len() != len || pixels.iter().any(|v| !v.is_finite()) {
            return Err(format!(
                "{} needs {len} pixel values, the image gave {}",
                c.manifest.name,
                pixels.len()
            ));
        }
        let x = Tensor::<1>::from_floats(pixels, &c.device).reshape([1, len]);
        let (mu, logvar) = c.model.encode(x)?;
        let mu = read(mu).await?;
        // The same path as a slider's decode, so a code set from this item draws the same bytes.
        let recon = decode_images(&c.model, &c.device, &mu, 1).await?.pop().unwrap_or_default();
        Ok((mu, read(logvar).await?, recon))
    }
}

impl Runner {
    /// Decode `zs`, round the pictures to 8 bits as the page shows them, encode them again, and
    /// return each μ: the drift of a code is how far this lands from it (`latent::drift`).
    async fn round_trip(&mut self, model: Option<&str>, zs: &[Vec<f32>]) -> Result<Vec<Vec<f32>>, String> {
        let (pictures, _) = self.decode_many(model, zs).await?;
        let c = self.with_encoder(model).await?;
        let len = c.manifest.image.len();
        if pictures.iter().any(|p| p.len() != len) {
            return Err(format!("{}'s decoder draws pictures its encoder does not take", c.manifest.name));
        }
        let pixels: Vec<f32> = pictures.iter().flatten().map(|&b| f32::from(b) / 255.0).collect();
        let x = Tensor::<1>::from_floats(pixels.as_slice(), &c.device).reshape([pictures.len(), len]);
        let (mu, _) = c.model.encode(x)?;
        let dim = c.manifest.latent_dim;
        let values = read(mu).await?;
        Ok(values.chunks_exact(dim).map(<[f32]>::to_vec).collect())
    }
}

/// The largest batch one request may ask for (a 16-frame strip, a 64-image benchmark).
const MAX_BATCH: usize = 256;
