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

/// `conv2d`'s backward: the input gradient through the weight, the weight gradient from the
/// saved input, the bias gradient as the sum of each output plane.
#[derive(Debug)]
struct Conv2dBackward(Geometry, Then);

impl Backward<Flex, 3> for Conv2dBackward {
    /// The input, the weight and the output (after `then`, whose derivative it gives).
    type State = (FlexTensor, FlexTensor, FlexTensor);

    fn backward(self, ops: Ops<Self::State, 3>, grads: &mut Gradients, _: &mut Checkpointer) {
        let (g, then) = (self.0, self.1);
        let [node_x, node_w, node_b] = ops.parents;
        let (x, weight, y) = ops.state;
        let dy = grads.consume::<Flex>(&ops.node);
        let dy = then.backward(values(&dy), &values(&y));
        if let Some(node) = node_x {
            let mut dx = vec![0.0; g.batch * g.image_len()];
            kernels::input_grad(&g, &dy, &values(&weight), &mut dx);
            grads.register::<Flex>(node.id, tensor(dx, input_shape(&g)));
        }
        if let Some(node) = node_w {
            let dw = kernels::weight_grad(&g, &values(&x), &dy);
            grads.register::<Flex>(node.id, tensor(dw, [g.filters, g.channels, g.kernel[0], g.kernel[1]]));
        }
        if let Some(node) = node_b {
            grads.register::<Flex>(
                node.id,
                tensor(kernels::bias_grad(&dy, g.filters, g.positions()), [g.filters]),
            );
        }
    }
}

/// `conv_transpose2d`'s backward: the same three products with input and output swapped
/// (its input gradient is the forward convolution of the output gradient).
#[derive(Debug)]
struct ConvTranspose2dBackward(Geometry, Then);

impl Backward<Flex, 3> for ConvTranspose2dBackward {
    /// The input, the weight and the output (after `then`, whose derivative it gives).
    type State = (FlexTensor, FlexTensor, FlexTensor);

    fn backward(self, ops: Ops<Self::State, 3>, grads: &mut Gradients, _: &mut Checkpointer) {
        let (g, then) = (self.0, self.1);
        let [node_x, node_w, node_b] = ops.parents;
        let (x, weight, y) = ops.state;
        let dy = grads.consume::<Flex>(&ops.node);
        let dy = then.backward(values(&dy), &values(&y));
        if let Some(node) = node_x {
            let mut dx = vec![0.0; g.batch * g.out_len()];
            kernels::forward(&g, &dy, &values(&weight), &mut dx);
            grads.register::<Flex>(node.id, tensor(dx, output_shape(&g)));
        }
        if let Some(node) = node_w {
            let dw = kernels::weight_grad(&g, &dy, &values(&x));
            grads.register::<Flex>(node.id, tensor(dw, [g.filters, g.channels, g.kernel[0], g.kernel[1]]));
        }
        if let Some(node) = node_b {
            grads.register::<Flex>(
                node.id,
                tensor(kernels::bias_grad(&dy, g.channels, g.height * g.width), [g.channels]),
            );
        }
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
        let (xp, wp, bp) = (x.primitive().clone(), weight.primitive().clone(), bias.primitive().clone());
        let y = forward::conv2d(&xp, &wp, &bp, &geometry, then);
        match Conv2dBackward(geometry, then)
            .prepare::<C>([x.node(), weight.node(), bias.node()])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(prep) => prep.finish((xp, wp, y.clone()), y),
            OpsKind::UnTracked(prep) => prep.finish(y),
        }
    }

    fn train_conv_transpose2d(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
        geometry: Geometry,
        then: Then,
    ) -> FloatTensor<Self> {
        let (xp, wp, bp) = (x.primitive().clone(), weight.primitive().clone(), bias.primitive().clone());
        let y = forward::conv_transpose2d(&xp, &wp, &bp, &geometry, then);
        match ConvTranspose2dBackward(geometry, then)
            .prepare::<C>([x.node(), weight.node(), bias.node()])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(prep) => prep.finish((xp, wp, y.clone()), y),
            OpsKind::UnTracked(prep) => prep.finish(y),
        }
    }
}
