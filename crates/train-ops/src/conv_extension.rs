//! The burn backend extension: two differentiable operations, `conv2d` and `conv_transpose2d`,
//! on flex (plain, for evaluation) and on autodiff over flex (training), each with its
//! backward pass written out. Other backends never reach it: [`crate::conv2d`] and
//! [`crate::conv_transpose2d`] check the device first (the generated dispatch would panic).

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::flex::FlexTensor;
use burn::backend::tensor::FloatTensor;
use burn::backend::{Autodiff, Flex, backend_extension};

use crate::flex::{tensor, values};
use crate::{Geometry, Then, conv_kernels as kernels};

#[backend_extension(Autodiff, Flex)]
pub trait TrainConv: burn::backend::Backend {
    /// `then(conv2d(x, weight) + bias)` with `x` `[batch, channels, h, w]` and weight
    /// `[filters, channels, kh, kw]`.
    fn train_conv2d(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
        geometry: Geometry,
        then: Then,
    ) -> FloatTensor<Self>;

    /// `then(conv_transpose2d(x, weight) + bias)` with `x` `[batch, filters, out_h, out_w]` of
    /// `geometry` and weight `[filters, channels, kh, kw]` (burn's and PyTorch's layout).
    fn train_conv_transpose2d(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
        geometry: Geometry,
        then: Then,
    ) -> FloatTensor<Self>;
}

fn input_shape(g: &Geometry) -> [usize; 4] {
    [g.batch, g.channels, g.height, g.width]
}

fn output_shape(g: &Geometry) -> [usize; 4] {
    [g.batch, g.filters, g.out_height, g.out_width]
}

/// The forward passes on flex, shared by the plain and the autodiff implementations.
mod forward {
    use super::*;

    pub fn conv2d(
        x: &FlexTensor,
        weight: &FlexTensor,
        bias: &FlexTensor,
        g: &Geometry,
        then: Then,
    ) -> FlexTensor {
        let mut y = vec![0.0; g.batch * g.out_len()];
        kernels::forward(g, &values(x), &values(weight), &mut y);
        kernels::add_bias(&mut y, &values(bias), g.positions());
        then.apply(&mut y);
        tensor(y, output_shape(g))
    }

    pub fn conv_transpose2d(
        x: &FlexTensor,
        weight: &FlexTensor,
        bias: &FlexTensor,
        g: &Geometry,
        then: Then,
    ) -> FlexTensor {
        let mut y = vec![0.0; g.batch * g.image_len()];
        kernels::input_grad(g, &values(x), &values(weight), &mut y);
        kernels::add_bias(&mut y, &values(bias), g.height * g.width);
        then.apply(&mut y);
        tensor(y, input_shape(g))
    }
}

impl TrainConv for Flex {
    fn train_conv2d(
        x: FlexTensor,
        weight: FlexTensor,
        bias: FlexTensor,
        geometry: Geometry,
        then: Then,
    ) -> FlexTensor {
        forward::conv2d(&x, &weight, &bias, &geometry, then)
    }

    fn train_conv_transpose2d(
        x: FlexTensor,
        weight: FlexTensor,
        bias: FlexTensor,
        geometry: Geometry,
        then: Then,
    ) -> FlexTensor {
        forward::conv_transpose2d(&x, &weight, &bias, &geometry, then)
    }
}

/// Which way a geometry runs: `conv2d` reads it forwards, `conv_transpose2d` backwards (its
/// input is the geometry's output), so one backward pass serves both with the roles swapped.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Way {
    Conv,
    Transposed,
}

/// The backward pass: the input gradient through the weight, the weight gradient from the
/// saved input, the bias gradient as the sum of each output plane. For a transposed layer the
/// input gradient is the forward convolution of the output gradient, and input and output
/// trade places in the weight gradient.
#[derive(Debug)]
struct ConvBackward {
    g: Geometry,
    then: Then,
    way: Way,
}

impl Backward<Flex, 3> for ConvBackward {
    /// The input, the weight and the output (after `then`, whose derivative it gives).
    type State = (FlexTensor, FlexTensor, FlexTensor);

    fn backward(self, ops: Ops<Self::State, 3>, grads: &mut Gradients, _: &mut Checkpointer) {
        let ConvBackward { g, then, way } = self;
        let [node_x, node_w, node_b] = ops.parents;
        let (x, weight, y) = ops.state;
        let dy = grads.consume::<Flex>(&ops.node);
        let dy = then.backward(values(&dy), &values(&y));
        let (x, weight) = (values(&x), values(&weight));
        if let Some(node) = node_x {
            let dx = match way {
                Way::Conv => {
                    let mut dx = vec![0.0; g.batch * g.image_len()];
                    kernels::input_grad(&g, &dy, &weight, &mut dx);
                    tensor(dx, input_shape(&g))
                }
                Way::Transposed => {
                    let mut dx = vec![0.0; g.batch * g.out_len()];
                    kernels::forward(&g, &dy, &weight, &mut dx);
                    tensor(dx, output_shape(&g))
                }
            };
            grads.register::<Flex>(node.id, dx);
        }
        if let Some(node) = node_w {
            let dw = match way {
                Way::Conv => kernels::weight_grad(&g, &x, &dy),
                Way::Transposed => kernels::weight_grad(&g, &dy, &x),
            };
            grads.register::<Flex>(node.id, tensor(dw, [g.filters, g.channels, g.kernel[0], g.kernel[1]]));
        }
        if let Some(node) = node_b {
            let (planes, plane_len) = match way {
                Way::Conv => (g.filters, g.positions()),
                Way::Transposed => (g.channels, g.height * g.width),
            };
            grads.register::<Flex>(node.id, tensor(kernels::bias_grad(&dy, planes, plane_len), [planes]));
        }
    }
}

/// Either layer on autodiff: the forward on flex, and the backward pass recorded when any
/// input is tracked.
fn tracked<C: CheckpointStrategy>(
    [x, weight, bias]: [FloatTensor<Autodiff<Flex, C>>; 3],
    g: Geometry,
    then: Then,
    way: Way,
) -> FloatTensor<Autodiff<Flex, C>> {
    let (xp, wp, bp) = (x.primitive().clone(), weight.primitive().clone(), bias.primitive().clone());
    let y = match way {
        Way::Conv => forward::conv2d(&xp, &wp, &bp, &g, then),
        Way::Transposed => forward::conv_transpose2d(&xp, &wp, &bp, &g, then),
    };
    let backward = ConvBackward { g, then, way };
    match backward.prepare::<C>([x.node(), weight.node(), bias.node()]).compute_bound().stateful() {
        OpsKind::Tracked(prep) => prep.finish((xp, wp, y.clone()), y),
        OpsKind::UnTracked(prep) => prep.finish(y),
    }
}

impl<C: CheckpointStrategy> TrainConv for Autodiff<Flex, C> {
    fn train_conv2d(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
        geometry: Geometry,
        then: Then,
    ) -> FloatTensor<Self> {
        tracked::<C>([x, weight, bias], geometry, then, Way::Conv)
    }

    fn train_conv_transpose2d(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
        geometry: Geometry,
        then: Then,
    ) -> FloatTensor<Self> {
        tracked::<C>([x, weight, bias], geometry, then, Way::Transposed)
    }
}
