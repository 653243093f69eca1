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

/// Which way a geometry runs: `conv2d` reads it forwards, `conv_transpose2d` backwards (its
/// input is the geometry's output). A layer's input gradient is the other way's product, so
/// one forward and one backward pass serve both layers.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Way {
    Conv,
    Transposed,
}

impl Way {
    fn reverse(self) -> Way {
        match self {
            Way::Conv => Way::Transposed,
            Way::Transposed => Way::Conv,
        }
    }

    /// The output's planes and the values in each.
    fn planes(self, g: &Geometry) -> (usize, usize) {
        match self {
            Way::Conv => (g.filters, g.positions()),
            Way::Transposed => (g.channels, g.height * g.width),
        }
    }

    fn output_shape(self, g: &Geometry) -> [usize; 4] {
        match self {
            Way::Conv => [g.batch, g.filters, g.out_height, g.out_width],
            Way::Transposed => [g.batch, g.channels, g.height, g.width],
        }
    }

    /// The layer's product without its bias, in the output's layout.
    fn product(self, g: &Geometry, x: &[f32], weight: &[f32]) -> Vec<f32> {
        let (planes, len) = self.planes(g);
        let mut y = vec![0.0; g.batch * planes * len];
        match self {
            Way::Conv => kernels::forward(g, x, weight, &mut y),
            Way::Transposed => kernels::input_grad(g, x, weight, &mut y),
        }
        y
    }
}

/// Either layer's forward pass on flex, shared by the plain and the autodiff implementations.
fn forward(
    way: Way,
    x: &FlexTensor,
    weight: &FlexTensor,
    bias: &FlexTensor,
    g: &Geometry,
    then: Then,
) -> FlexTensor {
    let mut y = way.product(g, &values(x), &values(weight));
    kernels::add_bias(&mut y, &values(bias), way.planes(g).1);
    then.apply(&mut y);
    tensor(y, way.output_shape(g))
}

impl TrainConv for Flex {
    fn train_conv2d(
        x: FlexTensor,
        weight: FlexTensor,
        bias: FlexTensor,
        geometry: Geometry,
        then: Then,
    ) -> FlexTensor {
        forward(Way::Conv, &x, &weight, &bias, &geometry, then)
    }

    fn train_conv_transpose2d(
        x: FlexTensor,
        weight: FlexTensor,
        bias: FlexTensor,
        geometry: Geometry,
        then: Then,
    ) -> FlexTensor {
        forward(Way::Transposed, &x, &weight, &bias, &geometry, then)
    }
}

/// The backward pass: the input gradient as the other way's product, the weight gradient from
/// the saved input (input and output trading places for a transposed layer), the bias gradient
/// as the sum of each output plane.
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
            let back = way.reverse();
            grads.register::<Flex>(node.id, tensor(back.product(&g, &dy, &weight), back.output_shape(&g)));
        }
        if let Some(node) = node_w {
            let dw = match way {
                Way::Conv => kernels::weight_grad(&g, &x, &dy),
                Way::Transposed => kernels::weight_grad(&g, &dy, &x),
            };
            grads.register::<Flex>(node.id, tensor(dw, [g.filters, g.channels, g.kernel[0], g.kernel[1]]));
        }
        if let Some(node) = node_b {
            let (planes, plane_len) = way.planes(&g);
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
    let y = forward(way, &xp, &wp, &bp, &g, then);
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
