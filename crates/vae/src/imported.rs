//! A whole model trained elsewhere, as the worker will run it: the exporter's `graph.json`
//! (`bundle::exported::Exported`) and its safetensors built into a decoder and an optional encoder
//! that speak the page's language: codes in, pixels in [0, 1] out, images interleaved (height ×
//! width × channels, as the page and our own models keep them) where PyTorch keeps channels
//! first, and μ, log σ² out of whatever heads the model has.

use crate::cpu_decoder::CpuDecoder;
use crate::graph::{GraphNet, KeyReport, Tensors, key_report, read_safetensors};
use bundle::exported::{Exported, Heads, ImageSize, OutputRange, Runnable};
use burn::prelude::*;

pub struct Imported {
    pub model: Runnable,
    decoder: GraphNet,
    /// The decoder compiled for the CPU path (`cpu_plan`), when the device is the CPU.
    cpu: Option<CpuDecoder>,
    encoder: Option<(GraphNet, Heads)>,
    /// What the weights file held against what the graphs read.
    pub keys: KeyReport,
}

impl Imported {
    /// Build from the exporter's `graph.json` text and `weights.safetensors` bytes.
    pub fn load(graph_json: &str, weights: &[u8], device: &Device) -> Result<Imported, String> {
        let exported = Exported::parse(graph_json)?;
        Imported::build(exported.model, weights, device)
    }

    /// Build the graphs an imported manifest carries with the weights. Every misfit (a missing
    /// weight, a shape that does not fit, a weight that is not a finite number) is an error
    /// naming it, found before any kernel runs.
    pub fn build(model: Runnable, weights: &[u8], device: &Device) -> Result<Imported, String> {
        model.validate()?;
        let file_keys: Vec<String> = safetensors::SafeTensors::deserialize(weights)
            .map_err(|e| format!("the weights are not a safetensors file: {e}"))?
            .names()
            .into_iter()
            .map(str::to_string)
            .collect();
        let tensors: Tensors = read_safetensors(weights)?;
        let graphs: Vec<&bundle::graph::Graph> =
            std::iter::once(&model.decoder).chain(model.encoder.as_ref().map(|e| &e.graph)).collect();
        let keys = key_report(&graphs, &file_keys);
        if !keys.missing.is_empty() {
            return Err(format!(
                "the weights lack {} of the tensors the model reads: {}",
                keys.missing.len(),
                list(&keys.missing)
            ));
        }
        // A NaN weight would decode every code to NaN: say which tensor, not "the image is blank".
        let mut broken: Vec<String> = keys
            .applied
            .iter()
            .filter(|k| tensors.get(*k).is_some_and(|(_, v)| v.iter().any(|x| !x.is_finite())))
            .cloned()
            .collect();
        broken.sort();
        if !broken.is_empty() {
            return Err(format!(
                "weights that are not finite numbers (NaN or infinite) in {}",
                list(&broken)
            ));
        }
        let decoder =
            GraphNet::build(&model.decoder, &tensors, device).map_err(|e| format!("decoder: {e}"))?;
        let ImageSize { channels, height, width } = model.image;
        // A flat output of the right length is an image too (pytorch/examples' MLP draws 784
        // numbers, channels first like every PyTorch image).
        if decoder.output_shape().iter().product::<usize>() != channels * height * width {
            return Err(format!(
                "the decoder draws {:?}, not the {channels}×{height}×{width} image the model declares",
                decoder.output_shape()
            ));
        }
        let encoder = match &model.encoder {
            None => None,
            Some(e) => {
                let net = GraphNet::build(&e.graph, &tensors, device).map_err(|e| format!("encoder: {e}"))?;
                check_heads(&net, &e.heads, model.latent_dim)?;
                let heads: Vec<&str> = match &e.heads {
                    Heads::Two { mu, logvar } => vec![mu, logvar],
                    Heads::Halves { output } | Heads::Interleaved { output } => vec![output],
                };
                Some((net.fused(&heads), e.heads.clone()))
            }
        };
        let ImageSize { channels, height, width } = model.image;
        let cpu = CpuDecoder::compile(
            &model.decoder,
            &tensors,
            model.output,
            Some([channels, height, width]),
            device,
        );
        // Checked as written, run folded (`graph/fuse.rs`): the same numbers, fewer passes.
        Ok(Imported { model, decoder: decoder.fused(&[]), cpu, encoder, keys })
    }

    /// Each decoder step's mean time (ms) over `runs` decodes of `z` (`GraphNet::profile`).
    pub fn profile_decoder(
        &self,
        z: Tensor<2>,
        runs: usize,
        now_ms: &dyn Fn() -> f64,
    ) -> Vec<(String, &'static str, f64)> {
        self.decoder.profile(z, runs, now_ms)
    }

    /// The CPU path's decoder, when the model was built on the CPU and every node compiles.
    pub fn cpu(&self) -> Option<&CpuDecoder> {
        self.cpu.as_ref()
    }

    pub fn has_encoder(&self) -> bool {
        self.encoder.is_some()
    }

    /// Pixels in [0, 1], interleaved, for a batch of codes.
    pub fn decode(&self, z: Tensor<2>) -> Tensor<2> {
        let out = self.decoder.forward(z);
        let pixels = match self.model.output {
            OutputRange::Sigmoid => out,
            OutputRange::Tanh => out.add_scalar(1.0).div_scalar(2.0),
            OutputRange::Logits => burn::tensor::activation::sigmoid(out),
        };
        to_interleaved(pixels.clamp(0.0, 1.0), self.model.image)
    }

    /// μ and log σ² of a batch of interleaved images in [0, 1]; `None` without an encoder.
    pub fn encode(&self, x: Tensor<2>) -> Option<(Tensor<2>, Tensor<2>)> {
        let (net, heads) = self.encoder.as_ref()?;
        let mut x = to_channels_first(x, self.model.image);
        if let Some(n) = &self.model.normalise {
            let c = n.mean.len();
            let [b, len] = x.dims();
            let device = x.device();
            let mean = Tensor::<1>::from_floats(n.mean.as_slice(), &device).reshape([1, c, 1]);
            let std = Tensor::<1>::from_floats(n.std.as_slice(), &device).reshape([1, c, 1]);
            x = ((x.reshape([b, c, len / c]) - mean) / std).reshape([b, len]);
        }
        let d = self.model.latent_dim;
        match heads {
            Heads::Two { mu, logvar } => {
                let mut v = net.values(x, &[mu, logvar])?;
                let logvar = v.pop()?;
                Some((v.pop()?, logvar))
            }
            Heads::Halves { output } => {
                let out = net.values(x, &[output])?.pop()?;
                Some((out.clone().narrow(1, 0, d), out.narrow(1, d, d)))
            }
            Heads::Interleaved { output } => {
                let out = net.values(x, &[output])?.pop()?;
                let [b, _] = out.dims();
                let pairs: Tensor<3> = out.reshape([b, d, 2]);
                let mu = pairs.clone().narrow(2, 0, 1).reshape([b, d]);
                Some((mu, pairs.narrow(2, 1, 1).reshape([b, d])))
            }
        }
    }
}

fn list(keys: &[String]) -> String {
    let shown: Vec<&str> = keys.iter().take(5).map(String::as_str).collect();
    let more = keys.len().saturating_sub(shown.len());
    format!("{}{}", shown.join(", "), if more > 0 { format!(" and {more} more") } else { String::new() })
}

/// The heads must be values of the encoder with one (two heads) or two (one split head) codes.
fn check_heads(net: &GraphNet, heads: &Heads, d: usize) -> Result<(), String> {
    let shape = |name: &str| net.shape_of(name).ok_or_else(|| format!("the encoder makes no value {name}"));
    match heads {
        Heads::Two { mu, logvar } => {
            for name in [mu, logvar] {
                if shape(name)? != [d] {
                    return Err(format!("{name} has shape {:?}, not a code of {d}", shape(name)?));
                }
            }
        }
        Heads::Halves { output } | Heads::Interleaved { output } => {
            if shape(output)? != [2 * d] {
                return Err(format!("{output} has shape {:?}, not μ and log σ² of {d} each", shape(output)?));
            }
        }
    }
    Ok(())
}

fn to_interleaved(x: Tensor<2>, image: ImageSize) -> Tensor<2> {
    let ImageSize { channels: c, height: h, width: w } = image;
    let [b, _] = x.dims();
    x.reshape([b, c, h, w]).permute([0, 2, 3, 1]).reshape([b, h * w * c])
}

fn to_channels_first(x: Tensor<2>, image: ImageSize) -> Tensor<2> {
    let ImageSize { channels: c, height: h, width: w } = image;
    let [b, _] = x.dims();
    x.reshape([b, h, w, c]).permute([0, 3, 1, 2]).reshape([b, c * h * w])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(file: &str) -> Vec<u8> {
        std::fs::read(paths::root().join("tests/fixtures/torch").join(file))
            .expect("tools/torch_fixture.py wrote it")
    }

    fn values(t: Tensor<2>) -> Vec<f32> {
        t.into_data().try_to_vec::<f32>().unwrap()
    }

    #[test]
    fn an_exported_model_decodes_and_encodes_in_the_page_s_layout_as_pytorch_does() {
        let device = Device::flex();
        let graph = String::from_utf8(fixture("graph.json")).unwrap();
        let model = Imported::load(&graph, &fixture("weights.safetensors"), &device).unwrap();
        assert!(model.has_encoder() && model.keys.missing.is_empty());
        let expected = read_safetensors(&fixture("expected.safetensors")).unwrap();
        let z = Tensor::<1>::from_floats(expected["z"].1.as_slice(), &device).reshape([5, 6]);
        let pixels = values(model.decode(z));
        // One channel: interleaved and channels-first are the same order.
        let d = pixels.iter().zip(&expected["decoded"].1).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
        assert!(d < 1e-5, "{d}");
        let x = Tensor::<1>::from_floats(expected["x"].1.as_slice(), &device).reshape([3, 256]);
        let (mu, logvar) = model.encode(x).unwrap();
        for (got, key) in [(values(mu), "mu"), (values(logvar), "logvar")] {
            let d = got.iter().zip(&expected[key].1).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
            assert!(d < 1e-5, "{key}: {d}");
        }
    }

    #[test]
    fn a_model_whose_weights_miss_tensors_or_whose_decoder_draws_another_size_is_refused() {
        let device = Device::flex();
        let graph = String::from_utf8(fixture("graph.json")).unwrap();
        // Keep every tensor but the decoder's last convolution.
        let all = read_safetensors(&fixture("weights.safetensors")).unwrap();
        let kept: Vec<(String, Vec<u8>, Vec<usize>)> = all
            .iter()
            .filter(|(k, _)| !k.starts_with("out."))
            .map(|(k, (shape, v))| {
                (k.clone(), v.iter().flat_map(|x| x.to_le_bytes()).collect(), shape.clone())
            })
            .collect();
        let views: Vec<(String, safetensors::tensor::TensorView)> = kept
            .iter()
            .map(|(k, bytes, shape)| {
                (
                    k.clone(),
                    safetensors::tensor::TensorView::new(safetensors::Dtype::F32, shape.clone(), bytes)
                        .unwrap(),
                )
            })
            .collect();
        let partial = safetensors::serialize(views, None).unwrap();
        let e = Imported::load(&graph, &partial, &device).err().unwrap();
        assert!(e.contains("lack 2 of the tensors") && e.contains("out.weight"), "{e}");
        let mut doc: serde_json::Value = serde_json::from_str(&graph).unwrap();
        doc["image"]["height"] = 32.into();
        let e = Imported::load(&doc.to_string(), &fixture("weights.safetensors"), &device).err().unwrap();
        assert!(e.contains("not the 1×32×16 image"), "{e}");
        assert!(
            Imported::load("{}", &fixture("weights.safetensors"), &device)
                .err()
                .unwrap()
                .contains("graph.json")
        );
    }

    #[test]
    fn a_weight_that_is_not_a_finite_number_is_named() {
        let device = Device::flex();
        let graph = String::from_utf8(fixture("graph.json")).unwrap();
        let mut all = read_safetensors(&fixture("weights.safetensors")).unwrap();
        let key = all.keys().find(|k| k.starts_with("out.")).cloned().unwrap();
        all.get_mut(&key).unwrap().1[0] = f32::NAN;
        let bytes = crate::weights_file::write_safetensors(&all);
        let e = Imported::load(&graph, &bytes, &device).err().unwrap();
        assert!(e.contains("not finite numbers") && e.contains(&key), "{e}");
    }
}
