//! Turning codes into pixels and reading tensors back: the compiled CPU decoder where the model
//! has one, burn otherwise (WebGPU, and the CPU for graphs the plan cannot run).

use super::now_ms;
use bundle::Manifest;
use burn::prelude::*;
use vae::Net;
use worker_protocol::pixels::{to_byte, to_bytes};

pub(crate) async fn read(t: Tensor<2>) -> Result<Vec<f32>, String> {
    let data = t.into_data_async().await.map_err(|e| format!("reading a result failed: {e:?}"))?;
    data.try_to_vec::<f32>().map_err(|e| format!("a result had unexpected data: {e:?}"))
}

pub(crate) fn build(manifest: &Manifest, weights: Vec<u8>, device: &Device) -> Result<Net, String> {
    Net::load(manifest, weights, device)
}

/// Each code's picture as the page's bytes; on the CPU path straight from the decoder's output.
pub(crate) async fn decode_images(
    model: &Net,
    device: &Device,
    z: &[f32],
    batch: usize,
) -> Result<Vec<Vec<u8>>, String> {
    if let Some(cpu) = model.cpu() {
        return cpu
            .decode_images(z, batch, to_byte)
            .ok_or_else(|| "decoding failed: the codes do not fit the decoder".to_string());
    }
    let values = decode_flat(model, device, z, batch).await?;
    let per = values.len() / batch.max(1);
    Ok(values.chunks_exact(per.max(1)).map(to_bytes).collect())
}

pub(crate) async fn decode_values(model: &Net, device: &Device, z: &[f32]) -> Result<Vec<f32>, String> {
    decode_flat(model, device, z, 1).await
}

/// Pixels for `batch` codes laid end to end: on the CPU through the compiled decoder when the
/// model has one (`vae::cpu_plan`: no tensors, weights packed once; faster than burn-flex at
/// batch 1 and 64 on every shipped decoder, bench/OPTIMISATION.md), otherwise through burn.
pub(crate) async fn decode_flat(
    model: &Net,
    device: &Device,
    z: &[f32],
    batch: usize,
) -> Result<Vec<f32>, String> {
    if let Some(cpu) = model.cpu() {
        return cpu
            .decode(z, batch)
            .ok_or_else(|| "decoding failed: the codes do not fit the decoder".to_string());
    }
    let z = Tensor::<1>::from_floats(z, device).reshape([batch, z.len() / batch.max(1)]);
    let data = model.decode(z).into_data_async().await.map_err(|e| format!("decoding failed: {e:?}"))?;
    data.try_to_vec::<f32>().map_err(|e| format!("decoding gave unexpected data: {e:?}"))
}

/// Median of three decodes after one warm-up, in milliseconds.
pub(crate) async fn time_decode(model: &Net, device: &Device, dim: usize) -> Result<f64, String> {
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
