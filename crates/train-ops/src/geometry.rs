//! The shape of one 2-D convolution over a batch, always read in `conv2d`'s direction: a
//! transposed convolution is the same geometry run backwards (its input is this geometry's
//! output), which is what lets three kernels serve both layer kinds.

/// `channels` planes of `height × width` in, `filters` planes of `out_height × out_width` out,
/// for each of `batch` images, all NCHW and contiguous.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Geometry {
    pub batch: usize,
    pub channels: usize,
    pub height: usize,
    pub width: usize,
    pub filters: usize,
    pub kernel: [usize; 2],
    pub stride: [usize; 2],
    /// Zero rows above and zero columns left of the input (the far sides follow from the
    /// output size).
    pub pad: [usize; 2],
    pub out_height: usize,
    pub out_width: usize,
}

impl Geometry {
    /// The geometry of `conv2d` on `[batch, channels, height, width]` with `filters` kernels,
    /// padding `(before, after)` per axis. `None` when no output position fits.
    pub fn conv2d(
        [batch, channels, height, width]: [usize; 4],
        filters: usize,
        kernel: [usize; 2],
        stride: [usize; 2],
        pad: [(usize, usize); 2],
    ) -> Option<Self> {
        let out = |size: usize, k: usize, s: usize, (a, b): (usize, usize)| {
            (size + a + b).checked_sub(k).filter(|_| s > 0).map(|span| span / s + 1)
        };
        Some(Geometry {
            batch,
            channels,
            height,
            width,
            filters,
            kernel,
            stride,
            pad: [pad[0].0, pad[1].0],
            out_height: out(height, kernel[0], stride[0], pad[0])?,
            out_width: out(width, kernel[1], stride[1], pad[1])?,
        })
    }

    /// The geometry whose backward pass is `conv_transpose2d` on `[batch, channels_in, h, w]`
    /// giving `channels_out` planes: the transposed layer's output is this geometry's input.
    /// `padding_out` adds rows and columns at the far side, as PyTorch and burn define it.
    pub fn conv_transpose2d(
        [batch, channels_in, height, width]: [usize; 4],
        channels_out: usize,
        kernel: [usize; 2],
        stride: [usize; 2],
        padding: [usize; 2],
        padding_out: [usize; 2],
    ) -> Option<Self> {
        let big = |size: usize, axis: usize| {
            ((size.checked_sub(1)? * stride[axis] + kernel[axis] + padding_out[axis])
                .checked_sub(2 * padding[axis]))
            .filter(|n| *n > 0)
        };
        let (out_h, out_w) = (big(height, 0)?, big(width, 1)?);
        // Read forwards, the big image pads `padding` before and whatever makes the sizes meet
        // after (`padding - padding_out`, which may be negative: those rows are simply unread).
        let g = Geometry {
            batch,
            channels: channels_out,
            height: out_h,
            width: out_w,
            filters: channels_in,
            kernel,
            stride,
            pad: padding,
            out_height: height,
            out_width: width,
        };
        Some(g)
    }

    /// Rows of an image's im2col matrix (and columns of the flattened weight): `channels·kh·kw`.
    pub fn depth(&self) -> usize {
        self.channels * self.kernel[0] * self.kernel[1]
    }

    /// Output positions of one image: the im2col matrix's columns.
    pub fn positions(&self) -> usize {
        self.out_height * self.out_width
    }

    pub fn image_len(&self) -> usize {
        self.channels * self.height * self.width
    }

    pub fn out_len(&self) -> usize {
        self.filters * self.positions()
    }

    pub fn weight_len(&self) -> usize {
        self.filters * self.depth()
    }
}
