//! burn's `Linear` (`y = x · W + b`, W `[inputs, outputs]`) with the activation after it fused
//! in: forward one product onto the bias rows, then the activation in place; backward the
//! activation's gradient in one pass and two products. burn's own layer was the product, a
//! broadcast bias add, the activation's passes, and for the gradients transposed operands and
//! a sum, each a tensor of its own.

use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::flex::FlexTensor;
use burn::backend::tensor::FloatTensor;
use burn::backend::{Autodiff, Dispatch, Flex, backend_extension};
use burn::nn::Linear;
use burn::tensor::Tensor;

use crate::flex::{tensor, values};
use crate::product::Product;
use crate::{Then, on_flex};

#[backend_extension(Autodiff, Flex)]
pub trait TrainLinear: burn::backend::Backend {
    /// `then(x · weight + bias)` for `x` `[batch, inputs]` and weight `[inputs, outputs]`.
    fn train_linear(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
        then: Then,
    ) -> FloatTensor<Self>;
}

/// `then(layer.forward(x))` for a batch of rows, through the fused layer where it applies.
pub fn linear(layer: &Linear, x: Tensor<2>, then: Then) -> Tensor<2> {
    let [inputs, _] = layer.weight.dims();
    match &layer.bias {
        Some(bias) if on_flex(&x) && x.dims()[1] == inputs => {
            Tensor::from_dispatch(<Dispatch as TrainLinear>::train_linear(
                x.into_dispatch(),
                layer.weight.val().into_dispatch(),
                bias.val().into_dispatch(),
                then,
            ))
        }
        _ => then.burns(layer.forward(x)),
    }
}

fn dims(t: &FlexTensor) -> [usize; 2] {
    t.layout().shape().dims::<2>()
}

fn forward(x: &FlexTensor, weight: &FlexTensor, bias: &FlexTensor, then: Then) -> FlexTensor {
    let ([batch, inputs], [_, outputs]) = (dims(x), dims(weight));
    let bias = values(bias);
    let mut y: Vec<f32> = (0..batch).flat_map(|_| bias.iter().copied()).collect();
    let product = Product {
        m: batch,
        n: outputs,
        k: inputs,
        lhs: (&values(x), inputs, 1),
        rhs: (&values(weight), outputs, 1),
    };
    product.on_all_threads(&mut y, true);
    then.apply(&mut y);
    tensor(y, [batch, outputs])
}

impl TrainLinear for Flex {
    fn train_linear(x: FlexTensor, weight: FlexTensor, bias: FlexTensor, then: Then) -> FlexTensor {
        forward(&x, &weight, &bias, then)
    }
}

#[derive(Debug)]
struct LinearBackward(Then);

impl Backward<Flex, 3> for LinearBackward {
    /// The input, the weight and the output (after `then`, whose derivative it gives).
    type State = (FlexTensor, FlexTensor, FlexTensor);

    fn backward(self, ops: Ops<Self::State, 3>, grads: &mut Gradients, _: &mut Checkpointer) {
        let [node_x, node_w, node_b] = ops.parents;
        let (x, weight, y) = ops.state;
        let ([batch, inputs], [_, outputs]) = (dims(&x), dims(&weight));
        let dy = grads.consume::<Flex>(&ops.node);
        let dz = self.0.backward(values(&dy), &values(&y));
        if let Some(node) = node_x {
            // dx = dz · Wᵀ: element (o, i) of Wᵀ is weight[i · outputs + o].
            let mut dx = vec![0.0f32; batch * inputs];
            let product = Product {
                m: batch,
                n: inputs,
                k: outputs,
                lhs: (&dz, outputs, 1),
                rhs: (&values(&weight), 1, outputs),
            };
            product.on_all_threads(&mut dx, false);
            grads.register::<Flex>(node.id, tensor(dx, [batch, inputs]));
        }
        if let Some(node) = node_w {
            // dW = xᵀ · dz: element (i, r) of xᵀ is x[r · inputs + i].
            let mut dw = vec![0.0f32; inputs * outputs];
            let product = Product {
                m: inputs,
                n: outputs,
                k: batch,
                lhs: (&values(&x), 1, inputs),
                rhs: (&dz, outputs, 1),
            };
            product.on_all_threads(&mut dw, false);
            grads.register::<Flex>(node.id, tensor(dw, [inputs, outputs]));
        }
        if let Some(node) = node_b {
            let mut db = vec![0.0f32; outputs];
            for row in dz.chunks_exact(outputs.max(1)) {
                db.iter_mut().zip(row).for_each(|(s, v)| *s += v);
            }
            grads.register::<Flex>(node.id, tensor(db, [outputs]));
        }
    }
}

impl<C: CheckpointStrategy> TrainLinear for Autodiff<Flex, C> {
    fn train_linear(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
        then: Then,
    ) -> FloatTensor<Self> {
        let (xp, wp, bp) = (x.primitive().clone(), weight.primitive().clone(), bias.primitive().clone());
        let y = forward(&xp, &wp, &bp, then);
        match LinearBackward(then)
            .prepare::<C>([x.node(), weight.node(), bias.node()])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(prep) => prep.finish((xp, wp, y.clone()), y),
            OpsKind::UnTracked(prep) => prep.finish(y),
        }
    }
}

#[cfg(test)]
mod tests {
    use burn::module::Param;
    use burn::nn::{Linear, LinearConfig};
    use burn::tensor::{Device, Distribution, Tensor};

    use crate::Then;
    use crate::testing::{assert_close, read};

    #[test]
    fn the_fused_layer_is_burns_linear_in_values_and_every_gradient() {
        let device = Device::flex().autodiff();
        device.seed(13);
        // The MLP's shapes and odd ones; batch 1 too.
        let cases =
            [(128, 784, 512, Then::Relu), (7, 33, 65, Then::Identity), (1, 5, 3, Then::LeakyRelu(0.2))];
        for (batch, inputs, outputs, then) in cases {
            let layer: Linear = LinearConfig::new(inputs, outputs).init(&device);
            let x = Tensor::<2>::random([batch, inputs], Distribution::Uniform(-1.0, 1.0), &device);
            let upstream = Tensor::<2>::random([batch, outputs], Distribution::Uniform(-1.0, 1.0), &device);
            let run = |fused: bool| {
                let (x, w) = (x.clone().require_grad(), layer.weight.val().require_grad());
                let b = layer.bias.as_ref().unwrap().val().require_grad();
                let l = Linear {
                    weight: Param::from_tensor(w.clone()),
                    bias: Some(Param::from_tensor(b.clone())),
                };
                let y =
                    if fused { super::linear(&l, x.clone(), then) } else { then.burns(l.forward(x.clone())) };
                let grads = (y.clone() * upstream.clone()).sum().backward();
                [
                    read(y),
                    read(x.grad(&grads).unwrap()),
                    read(w.grad(&grads).unwrap()),
                    read(b.grad(&grads).unwrap()),
                ]
            };
            let (ours, burns) = (run(true), run(false));
            for ((o, b), part) in ours.into_iter().zip(burns).zip(["output", "dx", "dW", "db"]) {
                assert_close(o, b, &format!("{batch}x{inputs}->{outputs} {then:?}: {part}"));
            }
        }
    }
}
