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

use crate::conv_kernels::{self as kernels, Wanted, Way};
use crate::flex::{tensor, values};
use crate::{Geometry, Then};

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

/// The backward pass, all three gradients in one pass over the batch
/// ([`kernels::backward`]).
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
        let want = Wanted { dx: node_x.is_some(), dw: node_w.is_some(), db: node_b.is_some() };
        let found =
            kernels::backward(way, &g, then, &values(&x), &values(&weight), &values(&y), &values(&dy), want);
        if let (Some(node), Some(dx)) = (node_x, found.dx) {
            grads.register::<Flex>(node.id, tensor(dx, way.input_shape(&g)));
        }
        if let (Some(node), Some(dw)) = (node_w, found.dw) {
            grads.register::<Flex>(node.id, tensor(dw, [g.filters, g.channels, g.kernel[0], g.kernel[1]]));
        }
        if let (Some(node), Some(db)) = (node_b, found.db) {
            let len = db.len();
            grads.register::<Flex>(node.id, tensor(db, [len]));
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
