//! The worker's job queue and the runner that does the work.
//!
//! The runner is owned by whichever task is running it: when the inbox empties it parks itself
//! in `Engine::idle`, and the next message takes it out and starts a new task. So no RefCell
//! borrow is ever held across an `.await`.

use super::devices::Devices;
use super::{now_ms, post};
use crate::pixels::to_bytes;
use crate::protocol::{Backend, BackendChoice, FromWorker, ToWorker};
use burn::prelude::*;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use vae::Model;
use vae::bundle::{Manifest, load_model};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

struct Load {
    id: u64,
    manifest_json: String,
    weights_url: String,
    backend: BackendChoice,
}

enum Job {
    Load(Load),
    Decode { id: u64, z: Vec<f32> },
}

pub struct Engine {
    loads: VecDeque<Load>,
    /// Only the newest decode request is kept.
    decode: Option<(u64, Vec<f32>)>,
    idle: Option<Runner>,
}

impl Default for Engine {
    fn default() -> Self {
        Engine { loads: VecDeque::new(), decode: None, idle: Some(Runner::default()) }
    }
}

impl Engine {
    pub fn push(engine: &Rc<RefCell<Engine>>, msg: ToWorker) {
        let mut e = engine.borrow_mut();
        match msg {
            ToWorker::Load { id, manifest_json, weights_url, backend } => {
                e.loads.push_back(Load { id, manifest_json, weights_url, backend })
            }
            ToWorker::Decode { id, z } => e.decode = Some((id, z)),
        }
        if let Some(runner) = e.idle.take() {
            wasm_bindgen_futures::spawn_local(runner.run(engine.clone()));
        }
    }

    /// Loads first (a decode asked after a load must run on the new model), then the decode.
    fn next(&mut self) -> Option<Job> {
        if let Some(load) = self.loads.pop_front() {
            return Some(Job::Load(load));
        }
        self.decode.take().map(|(id, z)| Job::Decode { id, z })
    }
}

struct Current {
    manifest: Manifest,
    model: Model,
    device: Device,
}

#[derive(Default)]
struct Runner {
    devices: Devices,
    current: Option<Current>,
}

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
                    Ok((pixels, micros)) => post(&FromWorker::Decoded { id, pixels, micros }),
                    Err(message) => post(&FromWorker::Failed { id: Some(id), message }),
                },
            }
        }
    }

    async fn load(&mut self, load: Load) -> Result<(), String> {
        let id = load.id;
        let progress = |stage: &str| post(&FromWorker::Progress { id, stage: stage.to_string() });
        let manifest = Manifest::parse(&load.manifest_json).map_err(|e| e.to_string())?;
        progress("downloading weights");
        let weights = fetch_bytes(&load.weights_url).await?;
        progress("building the model");
        let cpu = Devices::cpu();
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
        self.current = Some(Current { manifest, model, device });
        post(&FromWorker::Loaded { id, name, backend, note });
        Ok(())
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
        let values = decode_values(&current.model, &current.device, z).await?;
        let micros = ((now_ms() - start) * 1000.0) as u32;
        Ok((to_bytes(&values), micros))
    }
}

fn build(manifest: &Manifest, weights: Vec<u8>, device: &Device) -> Result<Model, String> {
    load_model(manifest, weights, device).map_err(|e| e.to_string())
}

async fn decode_values(model: &Model, device: &Device, z: &[f32]) -> Result<Vec<f32>, String> {
    let z = Tensor::<1>::from_floats(z, device).reshape([1, z.len()]);
    let data = model.decode(z).into_data_async().await.map_err(|e| format!("decoding failed: {e:?}"))?;
    data.try_to_vec::<f32>().map_err(|e| format!("decoding gave unexpected data: {e:?}"))
}

/// Median of three decodes after one warm-up, in milliseconds.
async fn time_decode(model: &Model, device: &Device, dim: usize) -> Result<f64, String> {
    let z = vec![0.1; dim];
    decode_values(model, device, &z).await?;
    let mut times = Vec::new();
    for _ in 0..3 {
        let start = now_ms();
        decode_values(model, device, &z).await?;
        times.push(now_ms() - start);
    }
    times.sort_by(f64::total_cmp);
    Ok(times[1])
}

async fn fetch_bytes(url: &str) -> Result<Vec<u8>, String> {
    let scope: web_sys::WorkerGlobalScope = js_sys::global().unchecked_into();
    let failed = |e: wasm_bindgen::JsValue| format!("could not download {url}: {e:?}");
    let response: web_sys::Response =
        JsFuture::from(scope.fetch_with_str(url)).await.map_err(failed)?.unchecked_into();
    if !response.ok() {
        return Err(format!("could not download {url}: HTTP {}", response.status()));
    }
    let buffer = JsFuture::from(response.array_buffer().map_err(failed)?).await.map_err(failed)?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}
