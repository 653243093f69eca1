//! The one message protocol between the page and the inference worker.
//!
//! Every request that produces an image carries an id that grows monotonically. The worker keeps
//! only the newest pending decode (older ones are dropped unseen), and the page ignores any
//! result older than the newest it has shown: the final image is always the decode of the final
//! slider position, however fast the hand moves.
//!
//! Both sides depend on this crate and nothing else of each other: the page never compiles
//! burn, the worker never compiles Yew.

pub mod memory;
pub mod pixels;

use serde::{Deserialize, Serialize};

/// Which compute backend inference runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    Webgpu,
    Cpu,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Webgpu => "webgpu",
            Backend::Cpu => "cpu",
        }
    }
}

/// What the user (or a test, through `?backend=`) asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum BackendChoice {
    /// WebGPU when an adapter exists and it decodes faster than the CPU here; otherwise CPU.
    #[default]
    Auto,
    Webgpu,
    Cpu,
}

impl BackendChoice {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "auto" => Some(BackendChoice::Auto),
            "webgpu" => Some(BackendChoice::Webgpu),
            "cpu" => Some(BackendChoice::Cpu),
            _ => None,
        }
    }
}

/// Which of the two worker modules runs. The CPU one holds burn's CPU backend alone and is what a
/// browser without a WebGPU adapter ever downloads; the GPU one adds WebGPU (and measures it
/// against its own CPU backend, keeping the faster).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum WorkerModule {
    Cpu,
    Gpu,
}

impl WorkerModule {
    /// The script that starts it (`web/worker_loader.js` picks the module by its query).
    pub fn loader_url(self) -> &'static str {
        match self {
            WorkerModule::Cpu => "./worker_loader.js",
            WorkerModule::Gpu => "./worker_loader.js?gpu",
        }
    }

    /// The module a backend choice needs. `auto` starts on the CPU module and moves to the GPU
    /// one only once that has measured WebGPU faster here (`gpu_won`).
    pub fn for_choice(choice: BackendChoice, gpu_won: bool) -> WorkerModule {
        match choice {
            BackendChoice::Cpu => WorkerModule::Cpu,
            // Asked for explicitly: the GPU module, which says why if WebGPU cannot start.
            BackendChoice::Webgpu => WorkerModule::Gpu,
            BackendChoice::Auto if gpu_won => WorkerModule::Gpu,
            BackendChoice::Auto => WorkerModule::Cpu,
        }
    }
}

/// Batched decodes come in lanes: each view that shows a batch has one, and the worker keeps
/// only the newest request of each, so a fast hand on the sliders never queues stale grids.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Lane {
    /// The interpolation strip.
    Strip,
    /// The 4-corner bilinear grid.
    Corners,
    /// The traversal grid (or the 2-D manifold).
    Grid,
    /// The latent map's thumbnail under the pointer.
    Hover,
    /// The AE vs VAE comparison: one lane per side.
    Compare(u8),
    /// The pair of codes either side of z along the focused slider's direction, for the
    /// overlay of what it moves.
    Sensitivity,
    /// The latent map's plane, cell by cell (round trips for the drift layer).
    Plane,
    /// Each code unit alone, for the units view.
    Units,
    /// The reconstruction of a gallery item whose encoding is known (a bundled example's, from
    /// its manifest), keyed by the item: one lane each, so none replaces another.
    Recon(u64),
}

/// Load a bundle: the page has already fetched and parsed the manifest; the worker fetches
/// the decoder's weights (`decoder_url`: all of them in a bundle without compact weights)
/// and builds the model on the chosen backend. `encoder_url` is fetched on the first encode
/// with this model, so the first image waits for the decoder only.
/// A `companion` is kept beside the current model (on the CPU) for views that show two
/// models at once; it never replaces the current one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LoadRequest {
    pub id: u64,
    pub manifest_json: String,
    pub decoder_url: String,
    pub encoder_url: Option<String>,
    pub backend: BackendChoice,
    pub companion: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ToWorker {
    /// Load a bundle (see [`LoadRequest`]). The request is its own type so the worker can queue
    /// it as it came, without a second struct of the same fields.
    Load(LoadRequest),
    /// Decode one latent code. The code travels as bytes (`f32_bytes`): this is the message of
    /// every slider move.
    Decode {
        id: u64,
        #[serde(with = "f32_bytes")]
        z: Vec<f32>,
    },
    /// Decode several codes in one batched call, with the model named (the current one when
    /// `None`). Only the newest batch of each lane is kept.
    DecodeMany { id: u64, lane: Lane, model: Option<String>, zs: Vec<Vec<f32>> },
    /// Encode one preprocessed image (model input layout, values in [0, 1]) with the model
    /// named (the current one when `None`). Every encode is answered: each is something the
    /// user asked for.
    Encode { id: u64, model: Option<String>, pixels: Vec<f32> },
    /// Time each layer of the current model's decoder on the CPU: one code, then a batch of 64
    /// (a traversal grid), `runs` times each.
    Profile { id: u64, runs: u32 },
    /// Decode each code, encode the picture (as 8-bit pixels, what the page shows) with the
    /// model named (the current one when `None`), and answer μ: how far a code drifts on a round
    /// trip. Only the newest request of each lane is kept.
    RoundTrip { id: u64, lane: Lane, model: Option<String>, zs: Vec<Vec<f32>> },
    /// Load a melody model (`bundle::MelodyManifest`, already fetched and parsed by the page),
    /// kept beside the image models; it replaces the melody model loaded before.
    LoadMelody { id: u64, manifest_json: String, weights_url: String },
    /// Decode codes into melodies: one for the sliders, or the interpolation's `row`. Only the
    /// newest of each is kept: a slider dragged while a melody plays never queues stale decodes.
    DecodeMelodies { id: u64, row: bool, zs: Vec<Vec<f32>> },
    /// Encode one melody (tokens on the model's grid); every encode is answered.
    EncodeMelody { id: u64, tokens: Vec<u8> },
}

/// One decoder layer's share of a decode (`FromWorker::Profiled`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LayerTime {
    /// The graph's name for the step, and its op (`conv_transpose2d`, `batch_norm`, …).
    pub name: String,
    pub op: String,
    /// Milliseconds for one code, and for a batch of 64 (the median of the runs on the compiled
    /// CPU path).
    pub ms_one: f64,
    pub ms_batch: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum FromWorker {
    /// The worker's handler is installed. Messages posted before this would be lost, so the
    /// page holds them until it arrives.
    Ready,
    /// A step of loading, for the progress indicator; `fraction` of a download when known.
    Progress { id: u64, stage: String, fraction: Option<f32> },
    /// The model is ready on `backend`; `note` explains a fallback or the measured choice, and
    /// for an imported model which weights were applied. `dim_scores`: how much each dimension
    /// moves the picture, measured for a model that orders its sliders by it (empty otherwise).
    Loaded {
        id: u64,
        name: String,
        backend: Backend,
        note: Option<String>,
        #[serde(default)]
        dim_scores: Vec<f32>,
    },
    /// Pixels in row-major order, `channels` bytes per pixel; `memory` is the size of the
    /// worker's wasm memory after the decode and `gpu_memory` the bytes its GPU allocator holds
    /// (0 on the CPU), for the soak benchmark and anyone watching leaks.
    ///
    /// Pixels travel as byte arrays (a JS Uint8Array), not as arrays of numbers: a batch of 64
    /// digits is 50,176 values, and building and cloning them one number at a time cost more
    /// than the decode itself (bench/RESULTS.md has the batch round trip before and after).
    Decoded {
        id: u64,
        #[serde(with = "serde_bytes")]
        pixels: Vec<u8>,
        micros: u32,
        memory: u32,
        gpu_memory: u64,
    },
    /// Images for a `DecodeMany`, in order.
    DecodedMany {
        id: u64,
        lane: Lane,
        #[serde(with = "byte_rows")]
        images: Vec<Vec<u8>>,
        /// The worker's own time for the whole batch, pixels included (what a benchmark sets
        /// beside a peer's bare run; the page's round trip adds the transfer).
        micros: u32,
    },
    /// q(z|x) of an `Encode`, and the decode of its mean (the reconstruction).
    Encoded {
        id: u64,
        mu: Vec<f32>,
        logvar: Vec<f32>,
        #[serde(with = "serde_bytes")]
        recon: Vec<u8>,
    },
    /// The layer times a `Profile` asked for, in the decoder's order.
    Profiled { id: u64, layers: Vec<LayerTime> },
    /// μ of the encoded decode of each code of a `RoundTrip`, in order.
    RoundTripped { id: u64, lane: Lane, mus: Vec<Vec<f32>> },
    /// The melody model of a `LoadMelody` is ready.
    MelodyLoaded { id: u64, name: String },
    /// The melodies of a `DecodeMelodies`, in order, a token per step.
    MelodiesDecoded {
        id: u64,
        #[serde(with = "byte_rows")]
        melodies: Vec<Vec<u8>>,
    },
    /// μ of an `EncodeMelody`.
    MelodyEncoded { id: u64, mu: Vec<f32> },
    /// Something failed; `id` names the request when there is one.
    Failed { id: Option<u64>, message: String },
    /// The worker cannot go on: its GPU device was lost (posted by `worker_loader.js`, which
    /// watches `GPUDevice.lost`) or it crashed. The page restarts it on the CPU.
    Lost { message: String },
}

/// `Vec<Vec<u8>>` as a list of byte arrays (serde_bytes covers one `Vec<u8>` only).
mod byte_rows {
    use serde::{Deserialize, Deserializer, Serializer};
    use serde_bytes::{ByteBuf, Bytes};

    pub fn serialize<S: Serializer>(rows: &[Vec<u8>], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(rows.iter().map(|r| Bytes::new(r)))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Vec<u8>>, D::Error> {
        let rows = Vec::<ByteBuf>::deserialize(d)?;
        Ok(rows.into_iter().map(ByteBuf::into_vec).collect())
    }
}

/// `Vec<f32>` as its little-endian bytes: through serde-wasm-bindgen a JS Uint8Array, which
/// the browser clones in one copy, where an array of numbers took a call from wasm into
/// JavaScript per value to build on the page and as many to read in the worker (on a slider
/// move, a quarter of the input handler's sampled time; bench/OPTIMISATION.md). Reading also
/// takes an array of numbers, each a byte, as JSON writes bytes.
mod f32_bytes {
    use serde::de::Error;
    use serde::{Deserialize, Deserializer, Serializer};
    use serde_bytes::ByteBuf;

    pub fn serialize<S: Serializer>(values: &[f32], s: S) -> Result<S::Ok, S::Error> {
        let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        s.serialize_bytes(&bytes)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f32>, D::Error> {
        let bytes = ByteBuf::deserialize(d)?;
        if bytes.len() % 4 != 0 {
            return Err(D::Error::custom(format!(
                "a code of {} bytes is not a whole number of 4-byte values",
                bytes.len()
            )));
        }
        Ok(bytes.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_travels_as_its_bytes_and_comes_back_exact() {
        let z = vec![0.5, -1.0, f32::MIN_POSITIVE, 3.25e7, -0.0];
        let json = serde_json::to_value(ToWorker::Decode { id: 1, z: z.clone() }).unwrap();
        let bytes = json["Decode"]["z"].as_array().unwrap();
        assert_eq!(bytes.len(), 4 * z.len(), "one byte per entry, four per value: {json}");
        let back: ToWorker = serde_json::from_value(json).unwrap();
        match back {
            ToWorker::Decode { z: got, .. } => {
                assert_eq!(
                    got.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                    z.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
                )
            }
            other => panic!("not a decode: {other:?}"),
        }
    }

    #[test]
    fn a_code_whose_bytes_are_not_whole_values_is_refused() {
        let err = serde_json::from_str::<ToWorker>(r#"{"Decode":{"id":1,"z":[0,0,128,63,1]}}"#).unwrap_err();
        assert!(err.to_string().contains("not a whole number of 4-byte values"), "{err}");
    }

    #[test]
    fn messages_round_trip_through_serde() {
        let msgs = vec![
            ToWorker::Load(LoadRequest {
                id: 1,
                manifest_json: "{}".into(),
                decoder_url: "d".into(),
                encoder_url: Some("e".into()),
                backend: BackendChoice::Cpu,
                companion: true,
            }),
            ToWorker::Decode { id: 2, z: vec![0.5, -1.0] },
            ToWorker::DecodeMany {
                id: 3,
                lane: Lane::Compare(1),
                model: None,
                zs: vec![vec![0.0], vec![1.0]],
            },
            ToWorker::Encode { id: 4, model: Some("mnist-ae".into()), pixels: vec![0.25; 4] },
            ToWorker::Profile { id: 5, runs: 10 },
            ToWorker::RoundTrip {
                id: 6,
                lane: Lane::Plane,
                model: Some("mnist-ae".into()),
                zs: vec![vec![0.5, 1.0]],
            },
            ToWorker::LoadMelody { id: 7, manifest_json: "{}".into(), weights_url: "w".into() },
            ToWorker::DecodeMelodies { id: 8, row: true, zs: vec![vec![0.0; 3], vec![1.0; 3]] },
            ToWorker::EncodeMelody { id: 9, tokens: vec![2, 1, 0] },
        ];
        for m in msgs {
            let back: ToWorker = serde_json::from_str(&serde_json::to_string(&m).unwrap()).unwrap();
            assert_eq!(back, m);
        }
        let replies = [
            FromWorker::Decoded {
                id: 3,
                pixels: vec![0, 255],
                micros: 10,
                memory: 1 << 20,
                gpu_memory: 3 << 30,
            },
            FromWorker::DecodedMany {
                id: 4,
                lane: Lane::Grid,
                images: vec![vec![1, 2], vec![], vec![255]],
                micros: 61_000,
            },
            FromWorker::Encoded { id: 5, mu: vec![0.5], logvar: vec![-1.0], recon: vec![7; 3] },
            FromWorker::RoundTripped { id: 6, lane: Lane::Compare(1), mus: vec![vec![0.25, -1.0], vec![]] },
            FromWorker::MelodyLoaded { id: 7, name: "melody-vae".into() },
            FromWorker::MelodiesDecoded { id: 8, melodies: vec![vec![2, 1, 0], vec![31]] },
            FromWorker::MelodyEncoded { id: 9, mu: vec![0.5, -0.5] },
        ];
        for r in replies {
            assert_eq!(serde_json::from_str::<FromWorker>(&serde_json::to_string(&r).unwrap()).unwrap(), r);
        }
    }

    #[test]
    fn auto_starts_on_the_cpu_module_and_moves_only_once_webgpu_won() {
        use WorkerModule::{Cpu, Gpu};
        assert_eq!(WorkerModule::for_choice(BackendChoice::Auto, false), Cpu);
        assert_eq!(WorkerModule::for_choice(BackendChoice::Auto, true), Gpu);
        assert_eq!(WorkerModule::for_choice(BackendChoice::Cpu, true), Cpu);
        assert_eq!(WorkerModule::for_choice(BackendChoice::Webgpu, false), Gpu);
        assert_ne!(Cpu.loader_url(), Gpu.loader_url());
    }

    #[test]
    fn backend_names_are_what_tests_read() {
        assert_eq!(Backend::Webgpu.as_str(), "webgpu");
        assert_eq!(Backend::Cpu.as_str(), "cpu");
        assert_eq!(BackendChoice::parse("cpu"), Some(BackendChoice::Cpu));
        assert_eq!(BackendChoice::parse("gpu"), None);
    }
}
