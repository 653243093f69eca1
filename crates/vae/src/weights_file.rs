//! An imported model's weights file: safetensors (as PyTorch writes it, its own key names) read
//! into f32, and which of its keys the graphs read, lack or leave unused.

use bundle::graph::Graph;
use std::collections::{BTreeMap, HashSet};

/// The tensors of a safetensors file, as f32, with their shapes (PyTorch's key names).
pub type Tensors = BTreeMap<String, (Vec<usize>, Vec<f32>)>;

/// Read a safetensors file (f32, f16, bf16 or f64 tensors) into f32.
pub fn read_safetensors(bytes: &[u8]) -> Result<Tensors, String> {
    use safetensors::{Dtype, SafeTensors};
    let file = SafeTensors::deserialize(bytes).map_err(|e| format!("not a safetensors file: {e}"))?;
    let mut out = Tensors::new();
    for (name, view) in file.tensors() {
        let data = view.data();
        let values: Vec<f32> = match view.dtype() {
            Dtype::F32 => {
                data.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect()
            }
            Dtype::F64 => data
                .chunks_exact(8)
                .map(|c| f64::from_le_bytes(c.try_into().unwrap_or([0; 8])) as f32)
                .collect(),
            Dtype::F16 => data
                .chunks_exact(2)
                .map(|c| burn::tensor::f16::from_le_bytes([c[0], c[1]]).to_f32())
                .collect(),
            Dtype::BF16 => data
                .chunks_exact(2)
                .map(|c| burn::tensor::bf16::from_le_bytes([c[0], c[1]]).to_f32())
                .collect(),
            // Integer tensors (BatchNorm's `num_batches_tracked`) are never weights: skipped, and
            // reported as unused if the file has them.
            _ => continue,
        };
        out.insert(name, (view.shape().to_vec(), values));
    }
    Ok(out)
}

/// Tensors as an f32 safetensors file: for tests that damage a model's weights on purpose.
pub fn write_safetensors(tensors: &Tensors) -> Vec<u8> {
    use safetensors::tensor::TensorView;
    let bytes: Vec<(&String, &Vec<usize>, Vec<u8>)> = tensors
        .iter()
        .map(|(k, (shape, v))| (k, shape, v.iter().flat_map(|x| x.to_le_bytes()).collect()))
        .collect();
    let views = bytes.iter().filter_map(|(k, shape, b)| {
        TensorView::new(safetensors::Dtype::F32, shape.to_vec(), b).ok().map(|v| (k.to_string(), v))
    });
    safetensors::serialize(views, None).unwrap_or_default()
}

/// Which of a file's keys the graphs read, which they ask for and it lacks, and which it has
/// but nothing reads (BatchNorm's step counters, a discriminator kept in the checkpoint, …).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct KeyReport {
    pub applied: Vec<String>,
    pub missing: Vec<String>,
    pub unused: Vec<String>,
}

/// The key report of `graphs` against the file's keys (all of them, tensors of any dtype).
pub fn key_report(graphs: &[&Graph], file_keys: &[String]) -> KeyReport {
    let wanted: Vec<&str> = graphs.iter().flat_map(|g| g.weight_keys()).collect();
    let have: HashSet<&str> = file_keys.iter().map(String::as_str).collect();
    let wanted_set: HashSet<&str> = wanted.iter().copied().collect();
    KeyReport {
        applied: wanted.iter().filter(|k| have.contains(*k)).map(|k| k.to_string()).collect(),
        missing: wanted.iter().filter(|k| !have.contains(*k)).map(|k| k.to_string()).collect(),
        unused: file_keys.iter().filter(|k| !wanted_set.contains(k.as_str())).cloned().collect(),
    }
}
