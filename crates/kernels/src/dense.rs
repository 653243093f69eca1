//! A fully connected layer, y = act(x · W + b), with W packed once.

use crate::activation::Activation;
use crate::gemm::{MR, PackedB, Tile, TileSink, gemm, gemv};

/// A linear layer whose weight is stored `[inputs, outputs]` row-major (burn's layout, and ONNX
/// Gemm's B untransposed), followed by an activation.
#[derive(Clone, Debug)]
pub struct Dense {
    weight: PackedB,
    bias: Vec<f32>,
    activation: Activation,
}

impl Dense {
    /// `None` when the lengths do not match `inputs` × `outputs`.
    pub fn new(
        weight_in_out: &[f32],
        bias: Option<&[f32]>,
        inputs: usize,
        outputs: usize,
        activation: Activation,
    ) -> Option<Dense> {
        let weight = PackedB::from_row_major(weight_in_out, inputs, outputs)?;
        let bias = match bias {
            Some(b) if b.len() == outputs => b.to_vec(),
            Some(_) => return None,
            None => vec![0.0; outputs],
        };
        Some(Dense { weight, bias, activation })
    }

    pub fn inputs(&self) -> usize {
        self.weight.depth()
    }

    pub fn outputs(&self) -> usize {
        self.weight.columns()
    }

    /// `y` = the layer applied to `batch` rows of `x`; `y` is resized to `batch · outputs`
    /// (no allocation once it has the capacity). `None` when `x` is not `batch · inputs` long.
    pub fn forward(&self, x: &[f32], batch: usize, y: &mut Vec<f32>) -> Option<()> {
        let (inputs, outputs) = (self.inputs(), self.outputs());
        if x.len() != batch.checked_mul(inputs)? {
            return None;
        }
        y.clear();
        y.resize(batch * outputs, 0.0);
        if batch == 1 {
            gemv(x, &self.weight, y);
            for (v, b) in y.iter_mut().zip(&self.bias) {
                *v += b;
            }
            self.activation.apply(y);
            return Some(());
        }
        let mut scratch = Vec::new();
        let pack = |first: usize, block: &mut [[f32; MR]]| {
            for (i, row) in x.chunks_exact(inputs.max(1)).skip(first).take(MR).enumerate() {
                for (step, v) in block.iter_mut().zip(row) {
                    step[i] = *v;
                }
            }
        };
        let mut sink =
            RowsSink { out: y.as_mut_slice(), outputs, bias: &self.bias, activation: self.activation };
        gemm(batch, &self.weight, &mut scratch, pack, &mut sink);
        Some(())
    }
}

/// Stores tiles into row-major `[rows, outputs]` with the bias, then the activation per chunk.
struct RowsSink<'a> {
    out: &'a mut [f32],
    outputs: usize,
    bias: &'a [f32],
    activation: Activation,
}

impl TileSink for RowsSink<'_> {
    fn store(&mut self, t: &Tile) {
        let bias = self.bias.get(t.column..).unwrap_or_default();
        for (i, values) in t.values.iter().enumerate().take(t.rows) {
            let start = (t.row + i) * self.outputs + t.column;
            if let Some(dst) = self.out.get_mut(start..start + t.columns) {
                for ((d, v), b) in dst.iter_mut().zip(values).zip(bias) {
                    *d = v + b;
                }
            }
        }
    }

    fn finish_rows(&mut self, rows: core::ops::Range<usize>) {
        if let Some(out) = self.out.get_mut(rows.start * self.outputs..rows.end * self.outputs) {
            self.activation.apply(out);
        }
    }
}
