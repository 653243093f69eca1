//! What the worker runs: one of our own models or one imported from PyTorch, behind the same
//! calls (codes in, pixels in [0, 1] out, interleaved; images in, μ and log σ² out), so every
//! view of the page works on either.

use crate::cpu_decoder::CpuDecoder;
use crate::imported::Imported;
use crate::{Model, load_model, load_part};
use bundle::exported::OutputRange;
use bundle::{Architecture, Manifest};
use burn::prelude::*;

// The worker holds one or two: the size of our model's variant costs nothing worth boxing it.
#[allow(clippy::large_enum_variant)]
pub enum Net {
    /// One of ours, with its decoder compiled for the CPU path when it runs there.
    Ours(Model, Option<CpuDecoder>),
    Imported(Box<Imported>),
}

/// Our decoder as the CPU path runs it: the model's graph (`as_graph`) compiled, logits to
/// pixels by a sigmoid, as `Model::decode`.
fn ours_on_cpu(model: &Model, device: &Device) -> Option<CpuDecoder> {
    // Before anything reads the weights: reading a WebGPU tensor synchronously is impossible in
    // the browser (it ended the GPU worker).
    if *device != Device::flex() {
        return None;
    }
    let (graph, tensors) =
        crate::as_graph::mlp_decoder(model).or_else(|| crate::as_graph::conv_decoder(model))?;
    let image = match model {
        Model::Mlp(_) => None,
        Model::Conv(m) => Some([m.channels, m.size, m.size]),
    };
    CpuDecoder::compile(&graph, &tensors, OutputRange::Logits, image, device)
}

impl Net {
    /// The model from the first weight file the manifest names: all of ours (a bundle without
    /// compact weights) or our decoder, with the encoder left for [`Net::add_encoder`]; an
    /// imported model's safetensors hold both its graphs.
    pub fn load(manifest: &Manifest, weights: Vec<u8>, device: &Device) -> Result<Net, String> {
        if let Architecture::Imported(graphs) = &manifest.architecture {
            return Imported::build((**graphs).clone(), &weights, device).map(|m| Net::Imported(Box::new(m)));
        }
        match manifest.weight_files() {
            (_, Some(_)) => {
                load_part(Model::try_new(&manifest.architecture, device).map_err(|e| e.to_string())?, weights)
            }
            (_, None) => load_model(manifest, weights, device),
        }
        .map(|model| {
            let cpu = ours_on_cpu(&model, device);
            Net::Ours(model, cpu)
        })
        .map_err(|e| e.to_string())
    }

    /// Our compact bundles' encoder half, fetched on the first encode. Loaded into a copy (burn
    /// modules share their tensors, so the copy is cheap): a damaged file leaves the decoder.
    pub fn add_encoder(&mut self, bytes: Vec<u8>) -> Result<(), String> {
        match self {
            Net::Ours(model, _) => {
                *model =
                    load_part(model.clone(), bytes).map_err(|e| format!("the encoder's weights: {e}"))?;
                Ok(())
            }
            Net::Imported(_) => Ok(()),
        }
    }

    /// The decoder compiled for the CPU path, when the model runs on the CPU and every layer
    /// compiles (`cpu_plan`); the worker decodes through it, burn's `decode` is the reference.
    pub fn cpu(&self) -> Option<&CpuDecoder> {
        match self {
            Net::Ours(_, cpu) => cpu.as_ref(),
            Net::Imported(m) => m.cpu(),
        }
    }

    /// Pixels in [0, 1], interleaved, for a batch of codes.
    pub fn decode(&self, z: Tensor<2>) -> Tensor<2> {
        match self {
            Net::Ours(m, _) => m.decode(z),
            Net::Imported(m) => m.decode(z),
        }
    }

    /// Where a decode's time goes: each decoder step's name, op and milliseconds over `runs`
    /// decodes of `z` (`batch` codes end to end) on the CPU `device` (the median for compiled
    /// steps, burn's mean otherwise): the compiled decoder's steps when the CPU path runs one (a layer with the norm and activation folded into it is
    /// one step), then a `pixels` row for the output made into pictures through `each` (what the
    /// worker sends); otherwise burn's (`GraphNet::profile`: our conv decoder as `as_graph`
    /// writes it; our MLPs through burn are three matrix products, with no layer table to show,
    /// `None`). Real codes, not zeros: a decode's time in the browser depends on the values
    /// (bench/OPTIMISATION.md).
    pub fn profile_decoder<T: Copy + Default>(
        &self,
        z: &[f32],
        batch: usize,
        device: &Device,
        runs: usize,
        now_ms: &dyn Fn() -> f64,
        each: impl Fn(f32) -> T + Copy,
    ) -> Option<Vec<(String, &'static str, f64)>> {
        // What the CPU path runs: the compiled decoder, for every batch.
        if let Some(cpu) = self.cpu() {
            return cpu.profile(z, batch, runs, now_ms, each);
        }
        let dim = z.len() / batch.max(1);
        let z = Tensor::<1>::from_floats(z, device).reshape([batch, dim]);
        self.profile_with_burn(z, runs, now_ms)
    }

    /// burn's own per-node times (`GraphNet::profile`), for the CPU backend.
    fn profile_with_burn(
        &self,
        z: Tensor<2>,
        runs: usize,
        now_ms: &dyn Fn() -> f64,
    ) -> Option<Vec<(String, &'static str, f64)>> {
        match self {
            Net::Imported(m) => Some(m.profile_decoder(z, runs, now_ms)),
            Net::Ours(m, _) => {
                let (graph, tensors) = crate::as_graph::conv_decoder(m)?;
                let net = crate::graph::GraphNet::build(&graph, &tensors, &z.device()).ok()?;
                Some(net.fused(&[]).profile(z, runs, now_ms))
            }
        }
    }

    /// μ and log σ² of a batch of interleaved images in [0, 1].
    pub fn encode(&self, x: Tensor<2>) -> Result<(Tensor<2>, Tensor<2>), String> {
        match self {
            Net::Ours(m, _) => Ok(m.encode(x)),
            Net::Imported(m) => m.encode(x).ok_or_else(|| {
                "this model was exported without an encoder, so images cannot be encoded with it".to_string()
            }),
        }
    }

    /// What loading found worth saying: for an imported model, the checkpoint tensors no graph
    /// reads (the exporter keeps only what the graphs read, so the file itself should have none).
    pub fn load_note(&self) -> Option<String> {
        let Net::Imported(m) = self else { return None };
        let applied = m.keys.applied.len();
        Some(if m.keys.unused.is_empty() {
            format!("all {applied} weight tensors applied, none missing, none unused")
        } else {
            format!(
                "{applied} weight tensors applied, none missing; {} in the file unused: {}",
                m.keys.unused.len(),
                m.keys.unused.iter().take(5).cloned().collect::<Vec<_>>().join(", ")
            )
        })
    }

    /// How much each dimension moves the picture at the origin: the mean absolute pixel change
    /// when that coordinate alone goes from 0 to 1. It orders the sliders of a model whose KL per
    /// dimension is not known. Decoded in batches of at most 64 codes.
    pub fn output_change(&self, latent_dim: usize, device: &Device) -> Vec<f32> {
        let origin = self.decode(Tensor::<2>::zeros([1, latent_dim], device));
        let mut scores = Vec::with_capacity(latent_dim);
        for start in (0..latent_dim).step_by(64) {
            let n = 64.min(latent_dim - start);
            let mut rows = vec![0.0f32; n * latent_dim];
            for i in 0..n {
                rows[i * latent_dim + start + i] = 1.0;
            }
            let z = Tensor::<1>::from_floats(rows.as_slice(), device).reshape([n, latent_dim]);
            let moved = (self.decode(z) - origin.clone()).abs().mean_dim(1);
            scores.extend(moved.into_data().iter::<f32>());
        }
        scores
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> (Manifest, Vec<u8>) {
        let dir = paths::root().join("tests/fixtures/torch");
        let json = std::fs::read_to_string(dir.join("graph.json")).unwrap();
        let manifest = bundle::exported::Exported::parse(&json).unwrap().into_manifest();
        (manifest, std::fs::read(dir.join("weights.safetensors")).unwrap())
    }

    #[test]
    fn an_imported_manifest_loads_as_a_net_that_decodes_encodes_and_reports_its_keys() {
        let device = Device::flex();
        let (manifest, weights) = tiny();
        // It went through JSON, as the page sends it to the worker.
        let manifest = Manifest::parse(&serde_json::to_string(&manifest).unwrap()).unwrap();
        let net = Net::load(&manifest, weights, &device).unwrap();
        let pixels = net.decode(Tensor::<2>::zeros([2, 6], &device));
        assert_eq!(pixels.dims(), [2, 256]);
        let (mu, logvar) = net.encode(Tensor::<2>::ones([1, 256], &device).mul_scalar(0.5)).unwrap();
        assert_eq!((mu.dims(), logvar.dims()), ([1, 6], [1, 6]));
        assert!(net.load_note().unwrap().contains("none missing"), "{:?}", net.load_note());
    }

    #[test]
    fn output_change_ranks_a_dimension_the_decoder_ignores_last() {
        let device = Device::flex();
        let (manifest, weights) = tiny();
        // Zero the decoder's first layer's weights of dimension 2: the picture cannot depend on it.
        let mut all = crate::weights_file::read_safetensors(&weights).unwrap();
        let first = manifest_first_linear(&manifest);
        let (shape, w) = all.get_mut(&first).unwrap();
        let (outs, ins) = (shape[0], shape[1]);
        for o in 0..outs {
            w[o * ins + 2] = 0.0;
        }
        let bytes = crate::weights_file::write_safetensors(&all);
        let net = Net::load(&manifest, bytes, &device).unwrap();
        let change = net.output_change(6, &device);
        assert_eq!(change.len(), 6);
        assert!(change[2] < 1e-7, "{change:?}");
        assert!(change.iter().enumerate().all(|(i, c)| i == 2 || *c > 1e-4), "{change:?}");
    }

    /// The weight key of the decoder's first linear layer.
    fn manifest_first_linear(m: &Manifest) -> String {
        let Architecture::Imported(g) = &m.architecture else { panic!("imported") };
        g.decoder
            .nodes
            .iter()
            .find_map(|n| match &n.op {
                bundle::graph::Op::Linear { weight, .. } => Some(weight.clone()),
                _ => None,
            })
            .expect("the tiny decoder starts with a linear layer")
    }
}
