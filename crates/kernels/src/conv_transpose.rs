//! Transposed 2-D convolution over NCHW data as onnxruntime does it: every input pixel times
//! the weight gives that pixel's kh × kw footprint for all output channels (a GEMM with the
//! weight, packed once, as the constant operand: cols[pixel, (co, ky, kx)] = xᵀ · W), and each
//! footprint is added into the output where it lands (col2im), straight from the register tile
//! so the cols matrix never exists in memory. Bias and activation follow per output plane.
//! Two other ways split the output by class first (`sub_pixel`, `class_gemm`); which one a
//! layer takes depends on its shape ([`Way::for_shape`]), and each is built the first time it
//! is needed, from the weight kept as given.

use crate::activation::Activation;
use crate::class_gemm::ClassGemm;
use crate::gemm::{MR, PackedB, Tile, TileSink, gemm};
use crate::sub_pixel::{self, SubPixel};
use std::sync::OnceLock;

/// PyTorch's ConvTranspose2d with dilation 1 and one group.
#[derive(Clone, Debug)]
pub struct ConvTranspose2d {
    /// `[c_in, c_out, kh, kw]`, as given; each way packs it its own way when first used.
    weight: Vec<f32>,
    col2im: OnceLock<PackedB>,
    sub_pixel: OnceLock<SubPixel>,
    class_gemm: OnceLock<ClassGemm>,
    /// A way chosen by the caller (a benchmark, a test) instead of [`Way::for_shape`].
    way: Option<Way>,
    bias: Vec<f32>,
    channels_in: usize,
    channels_out: usize,
    kernel: [usize; 2],
    stride: [usize; 2],
    padding: [usize; 2],
    output_padding: [usize; 2],
    activation: Activation,
}

/// The three ways to run a transposed convolution; all give the same numbers (to rounding).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Way {
    /// One GEMM over every input pixel, each product added where it lands.
    Col2Im,
    /// A direct kernel per output class: few output channels, wide inputs.
    SubPixel,
    /// A GEMM per output class.
    ClassGemm,
}

impl Way {
    /// The fastest way for `channels_out` output channels from an input `width` wide, as
    /// measured in Chromium on every transposed layer of faces-vae and VanillaVAE at batch 1
    /// and 64 (`examples/layer_bench.rs`, bench/OPTIMISATION.md): a GEMM needs 8 channels to
    /// fill its tile's columns, and up to 16 channels the direct kernel wins once rows are wide.
    pub fn for_shape(channels_out: usize, width: usize) -> Way {
        let wide = width >= sub_pixel::MIN_WIDTH;
        match channels_out {
            c if c >= 8 && !(c <= 16 && wide) => Way::ClassGemm,
            _ if wide => Way::SubPixel,
            _ => Way::Col2Im,
        }
    }
}

/// How a layer's options are given; the same meaning as PyTorch's arguments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConvTransposeOptions {
    pub stride: [usize; 2],
    pub padding: [usize; 2],
    pub output_padding: [usize; 2],
}

impl ConvTranspose2d {
    /// From a weight `[c_in, c_out, kh, kw]` (PyTorch's and burn's layout); `None` when the
    /// lengths disagree, a stride is 0 or an output padding is not below its stride.
    pub fn new(
        weight: &[f32],
        bias: Option<&[f32]>,
        channels_in: usize,
        channels_out: usize,
        kernel: [usize; 2],
        options: ConvTransposeOptions,
        activation: Activation,
    ) -> Option<Self> {
        let ConvTransposeOptions { stride, padding, output_padding } = options;
        if stride.contains(&0) || output_padding[0] >= stride[0] || output_padding[1] >= stride[1] {
            return None;
        }
        let footprint = channels_out.checked_mul(kernel[0])?.checked_mul(kernel[1])?;
        if weight.len() != channels_in.checked_mul(footprint)? {
            return None;
        }
        let bias = match bias {
            Some(b) if b.len() == channels_out => b.to_vec(),
            Some(_) => return None,
            None => vec![0.0; channels_out],
        };
        Some(ConvTranspose2d {
            weight: weight.to_vec(),
            col2im: OnceLock::new(),
            sub_pixel: OnceLock::new(),
            class_gemm: OnceLock::new(),
            way: None,
            bias,
            channels_in,
            channels_out,
            kernel,
            stride,
            padding,
            output_padding,
            activation,
        })
    }

    /// The same layer, always run `way` (a benchmark's or a test's choice).
    pub fn with_way(mut self, way: Way) -> Self {
        self.way = Some(way);
        self
    }

    /// The output's height and width for an `h` × `w` input, or `None` if it would be empty.
    pub fn output_size(&self, h: usize, w: usize) -> Option<[usize; 2]> {
        let side = |i: usize, n: usize| {
            let full =
                (n.checked_sub(1)? * self.stride[i]).checked_add(self.kernel[i] + self.output_padding[i])?;
            full.checked_sub(2 * self.padding[i]).filter(|&s| s > 0)
        };
        Some([side(0, h)?, side(1, w)?])
    }

    /// `y` = the layer applied to `batch` images `c_in × h × w`; returns the output's
    /// `[height, width]`, `None` when `x` has the wrong length.
    pub fn forward(
        &self,
        x: &[f32],
        batch: usize,
        h: usize,
        w: usize,
        y: &mut Vec<f32>,
    ) -> Option<[usize; 2]> {
        let [oh, ow] = self.output_size(h, w)?;
        let (ci, co) = (self.channels_in, self.channels_out);
        let hw = h.checked_mul(w)?;
        if x.len() != batch.checked_mul(ci)?.checked_mul(hw)? {
            return None;
        }
        let plane = oh * ow;
        y.clear();
        y.resize(batch * co * plane, 0.0);
        let (weight, kernel, stride, padding) = (&self.weight, self.kernel, self.stride, self.padding);
        match self.way.unwrap_or(Way::for_shape(co, w)) {
            Way::SubPixel => self
                .sub_pixel
                .get_or_init(|| SubPixel::new(weight, ci, co, kernel, stride, padding))
                .forward(x, batch, [h, w], [oh, ow], y),
            Way::Col2Im => self.gemm_col2im(x, batch, [h, w], [oh, ow], y),
            Way::ClassGemm => self
                .class_gemm
                .get_or_init(|| ClassGemm::new(weight, ci, co, kernel, stride, padding))
                .forward(x, batch, [h, w], [oh, ow], y),
        }
        for (p, out) in y.chunks_exact_mut(plane).enumerate() {
            let b = self.bias.get(p % co).copied().unwrap_or_default();
            out.iter_mut().for_each(|v| *v += b);
            self.activation.apply(out);
        }
        Some([oh, ow])
    }

    /// cols = xᵀ · W through the GEMM, each tile added where it lands; no bias.
    fn gemm_col2im(&self, x: &[f32], batch: usize, [h, w]: [usize; 2], [oh, ow]: [usize; 2], y: &mut [f32]) {
        let (ci, co) = (self.channels_in, self.channels_out);
        let (hw, plane) = (h * w, oh * ow);
        let pack = |first: usize, block: &mut [[f32; MR]]| {
            for i in 0..MR {
                let r = first + i;
                if r >= batch * hw {
                    break;
                }
                let base = (r / hw) * ci * hw + r % hw;
                for (c, step) in block.iter_mut().enumerate() {
                    step[i] = x.get(base + c * hw).copied().unwrap_or_default();
                }
            }
        };
        let [kh, kw] = self.kernel;
        let footprint: Vec<(usize, isize, isize)> = (0..co * kh * kw)
            .map(|j| {
                let (o, t) = (j / (kh * kw), j % (kh * kw));
                (
                    o * plane,
                    (t / kw) as isize - self.padding[0] as isize,
                    (t % kw) as isize - self.padding[1] as isize,
                )
            })
            .collect();
        let mut sink = Col2Im {
            out: y,
            footprint: &footprint,
            image: co * plane,
            input: [hw, w],
            output: [oh as isize, ow as isize],
            stride: [self.stride[0] as isize, self.stride[1] as isize],
        };
        let weight = self.col2im.get_or_init(|| {
            // Checked in `new`: the weight is c_in × (c_out · kh · kw).
            let columns = self.weight.len() / ci.max(1);
            PackedB::new(ci, columns, |k, c| self.weight[k * columns + c])
        });
        gemm(batch * hw, weight, &mut Vec::new(), pack, &mut sink);
    }
}

/// Adds each tile element, cols[pixel, (co, ky, kx)], at the output position it stands for.
struct Col2Im<'a> {
    out: &'a mut [f32],
    /// Per column: the output plane's offset and (ky − pad, kx − pad).
    footprint: &'a [(usize, isize, isize)],
    /// Floats per output image.
    image: usize,
    /// Input pixels per image, and the input's width.
    input: [usize; 2],
    output: [isize; 2],
    stride: [isize; 2],
}

impl TileSink for Col2Im<'_> {
    fn store(&mut self, t: &Tile) {
        let [hw, w] = self.input;
        let [oh, ow] = self.output;
        let footprint = self.footprint.get(t.column..t.column + t.columns).unwrap_or_default();
        for (i, values) in t.values.iter().enumerate().take(t.rows) {
            let r = t.row + i;
            let (b, p) = (r / hw, r % hw);
            let (y0, x0) = ((p / w) as isize * self.stride[0], (p % w) as isize * self.stride[1]);
            let image = b * self.image;
            for (&(plane, dy, dx), v) in footprint.iter().zip(values) {
                let (oy, ox) = (y0 + dy, x0 + dx);
                if (0..oh).contains(&oy)
                    && (0..ow).contains(&ox)
                    && let Some(o) = self.out.get_mut(image + plane + (oy * ow + ox) as usize)
                {
                    *o += v;
                }
            }
        }
    }
}
