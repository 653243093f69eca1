//! Every path against burn's own layers as the reference: the same outputs, and the same
//! gradients for the input, the weight and the bias, on shapes that are not the models' (odd
//! sizes, asymmetric padding, output padding, strides of 1 to 3, one image and several).

use burn::nn::PaddingConfig2d;
use burn::nn::conv::{Conv2d, Conv2dConfig, ConvTranspose2d, ConvTranspose2dConfig};
use burn::tensor::activation::{leaky_relu, relu};
use burn::tensor::{Device, Distribution, Tensor};

use crate::testing::{assert_close, read};
use crate::{Geometry, Then};

/// Gradients of `Σ y · r` (a random upstream gradient) for the input, the weight and the bias.
struct Grads {
    y: Vec<f32>,
    dx: Vec<f32>,
    dw: Vec<f32>,
    db: Vec<f32>,
}

fn run(
    x: &Tensor<4>,
    weight: &Tensor<4>,
    bias: &Tensor<1>,
    upstream: &Tensor<4>,
    f: impl Fn(Tensor<4>, Tensor<4>, Tensor<1>) -> Tensor<4>,
) -> Grads {
    let (x, w, b) = (x.clone().require_grad(), weight.clone().require_grad(), bias.clone().require_grad());
    let y = f(x.clone(), w.clone(), b.clone());
    let grads = (y.clone() * upstream.clone()).sum().backward();
    let read4 = |t: &Tensor<4>| read(t.grad(&grads).expect("a gradient"));
    Grads {
        y: read(y),
        dx: read4(&x),
        dw: read4(&w),
        db: b.grad(&grads).expect("a bias gradient").into_data().try_to_vec::<f32>().unwrap(),
    }
}

fn compare(ours: Grads, burns: Grads, what: &str) {
    assert_close(ours.y, burns.y, &format!("{what}: output"));
    assert_close(ours.dx, burns.dx, &format!("{what}: input gradient"));
    assert_close(ours.dw, burns.dw, &format!("{what}: weight gradient"));
    assert_close(ours.db, burns.db, &format!("{what}: bias gradient"));
}

fn random(shape: [usize; 4], device: &Device) -> Tensor<4> {
    Tensor::random(shape, Distribution::Uniform(-1.0, 1.0), device)
}

#[test]
fn conv2d_matches_burn_in_values_and_every_gradient() {
    let device = Device::flex().autodiff();
    device.seed(7);
    // (batch, channels, filters, h, w, kernel, stride, padding top/left/bottom/right)
    let cases = [
        (4, 3, 16, 64, 64, [4, 4], [2, 2], PaddingConfig2d::Explicit(1, 1, 1, 1)),
        (3, 16, 32, 32, 32, [4, 4], [2, 2], PaddingConfig2d::Explicit(1, 1, 1, 1)),
        (2, 8, 8, 16, 16, [4, 4], [2, 2], PaddingConfig2d::Explicit(1, 1, 1, 1)),
        (2, 6, 3, 9, 11, [3, 3], [1, 1], PaddingConfig2d::Explicit(1, 1, 1, 1)),
        (1, 5, 7, 13, 10, [3, 2], [3, 2], PaddingConfig2d::Explicit(2, 0, 1, 1)),
        (3, 2, 4, 8, 7, [5, 3], [1, 2], PaddingConfig2d::Valid),
        (2, 1, 1, 5, 5, [1, 1], [1, 1], PaddingConfig2d::Valid),
    ];
    // Each case with another activation after it, fused in ours and burn's own in the reference.
    let thens = [Then::LeakyRelu(0.2), Then::Identity, Then::Relu];
    for (i, (batch, channels, filters, h, w, kernel, stride, padding)) in cases.into_iter().enumerate() {
        let then = thens[i % thens.len()];
        let layer: Conv2d = Conv2dConfig::new([channels, filters], kernel)
            .with_stride(stride)
            .with_padding(padding.clone())
            .init(&device);
        let x = random([batch, channels, h, w], &device);
        let upstream = layer.forward(x.clone()).random_like(Distribution::Uniform(-1.0, 1.0));
        let with = |layer: &Conv2d, w, b| Conv2d {
            weight: burn::module::Param::from_tensor(w),
            bias: Some(burn::module::Param::from_tensor(b)),
            ..layer.clone()
        };
        let bias = layer.bias.as_ref().unwrap().val();
        let ours = run(&x, &layer.weight.val(), &bias, &upstream, |x, w, b| {
            crate::conv2d(&with(&layer, w, b), x, then)
        });
        let burns = run(&x, &layer.weight.val(), &bias, &upstream, |x, w, b| {
            then.burns(with(&layer, w, b).forward(x))
        });
        compare(
            ours,
            burns,
            &format!("conv2d {channels}->{filters} {h}x{w} k{kernel:?} s{stride:?} {padding:?} {then:?}"),
        );
    }
}

#[test]
fn conv_transpose2d_matches_burn_in_values_and_every_gradient() {
    let device = Device::flex().autodiff();
    device.seed(11);
    // (batch, in, out, h, w, kernel, stride, padding, padding_out)
    let cases = [
        (4, 128, 64, 4, 4, [4, 4], [2, 2], [1, 1], [0, 0]),
        (3, 16, 3, 32, 32, [4, 4], [2, 2], [1, 1], [0, 0]),
        (2, 5, 7, 6, 9, [3, 3], [2, 2], [1, 1], [1, 1]),
        (1, 4, 2, 5, 3, [3, 5], [3, 1], [0, 2], [2, 0]),
        (2, 3, 4, 7, 7, [3, 3], [1, 1], [1, 1], [0, 0]),
        (3, 2, 2, 4, 5, [2, 2], [2, 2], [0, 0], [0, 0]),
    ];
    let thens = [Then::Relu, Then::LeakyRelu(0.2), Then::Identity];
    for (i, (batch, cin, cout, h, w, kernel, stride, padding, padding_out)) in cases.into_iter().enumerate() {
        let then = thens[i % thens.len()];
        let layer: ConvTranspose2d = ConvTranspose2dConfig::new([cin, cout], kernel)
            .with_stride(stride)
            .with_padding(padding)
            .with_padding_out(padding_out)
            .init(&device);
        let x = random([batch, cin, h, w], &device);
        let upstream = layer.forward(x.clone()).random_like(Distribution::Uniform(-1.0, 1.0));
        let with = |layer: &ConvTranspose2d, w, b| ConvTranspose2d {
            weight: burn::module::Param::from_tensor(w),
            bias: Some(burn::module::Param::from_tensor(b)),
            ..layer.clone()
        };
        let bias = layer.bias.as_ref().unwrap().val();
        let ours = run(&x, &layer.weight.val(), &bias, &upstream, |x, w, b| {
            crate::conv_transpose2d(&with(&layer, w, b), x, then)
        });
        let burns = run(&x, &layer.weight.val(), &bias, &upstream, |x, w, b| {
            then.burns(with(&layer, w, b).forward(x))
        });
        compare(
            ours,
            burns,
            &format!(
                "conv_transpose2d {cin}->{cout} {h}x{w} k{kernel:?} s{stride:?} p{padding:?} po{padding_out:?} {then:?}"
            ),
        );
    }
}

#[test]
fn a_layer_reading_data_gives_burns_weight_and_bias_gradients_without_an_input_gradient() {
    // An encoder's first layer reads the batch itself, which is not tracked: the backward pass
    // skips the input gradient (its largest product) and must still give the other two. Odd
    // batch sizes leave the last thread a shorter share.
    let device = Device::flex().autodiff();
    device.seed(5);
    for (batch, way) in [(5, "conv2d"), (3, "conv_transpose2d"), (1, "conv2d")] {
        let conv: Conv2d = Conv2dConfig::new([3, 8], [4, 4])
            .with_stride([2, 2])
            .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
            .init(&device);
        let up: ConvTranspose2d =
            ConvTranspose2dConfig::new([3, 8], [4, 4]).with_stride([2, 2]).with_padding([1, 1]).init(&device);
        let x = random([batch, 3, 12, 12], &device);
        let grads_of = |ours: bool| {
            let (conv, up) = (conv.clone(), up.clone());
            let y = match (way, ours) {
                ("conv2d", true) => crate::conv2d(&conv, x.clone(), Then::LeakyRelu(0.2)),
                ("conv2d", false) => leaky_relu(conv.forward(x.clone()), 0.2),
                (_, true) => crate::conv_transpose2d(&up, x.clone(), Then::Relu),
                (_, false) => relu(up.forward(x.clone())),
            };
            let weighting = y.random_like(Distribution::Uniform(-1.0, 1.0));
            (y, weighting, conv, up)
        };
        let (y, weighting, conv_a, up_a) = grads_of(true);
        let grads = (y * weighting.clone()).sum().backward();
        assert!(x.grad(&grads).is_none(), "{way}: the data got a gradient");
        let (y, _, conv_b, up_b) = grads_of(false);
        let reference = (y * weighting).sum().backward();
        let pick = |grads: &burn::tensor::Gradients, conv: &Conv2d, up: &ConvTranspose2d| match way {
            "conv2d" => (
                read(conv.weight.val().grad(grads).unwrap()),
                read(conv.bias.as_ref().unwrap().val().grad(grads).unwrap()),
            ),
            _ => (
                read(up.weight.val().grad(grads).unwrap()),
                read(up.bias.as_ref().unwrap().val().grad(grads).unwrap()),
            ),
        };
        let (ours, burns) = (pick(&grads, &conv_a, &up_a), pick(&reference, &conv_b, &up_b));
        assert_close(ours.0, burns.0, &format!("{way} batch {batch}: weight gradient"));
        assert_close(ours.1, burns.1, &format!("{way} batch {batch}: bias gradient"));
    }
}

#[test]
fn without_autodiff_the_layers_give_burns_values() {
    let device = Device::flex();
    device.seed(3);
    let conv: Conv2d = Conv2dConfig::new([3, 8], [4, 4])
        .with_stride([2, 2])
        .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
        .init(&device);
    let up: ConvTranspose2d =
        ConvTranspose2dConfig::new([8, 3], [4, 4]).with_stride([2, 2]).with_padding([1, 1]).init(&device);
    let x = random([5, 3, 16, 16], &device);
    assert_close(
        read(crate::conv2d(&conv, x.clone(), Then::Identity)),
        read(conv.forward(x.clone())),
        "conv2d",
    );
    let h = conv.forward(x);
    assert_close(
        read(crate::conv_transpose2d(&up, h.clone(), Then::Relu)),
        read(relu(up.forward(h))),
        "conv_transpose2d",
    );
}

#[test]
fn a_layer_the_kernels_do_not_cover_is_burns_own() {
    // "Same" padding, a dilation and groups all go to burn: same values, and no panic.
    let device = Device::flex().autodiff();
    let x = random([2, 4, 9, 9], &device);
    for layer in [
        Conv2dConfig::new([4, 4], [3, 3]).with_padding(PaddingConfig2d::Same).init(&device),
        Conv2dConfig::new([4, 4], [3, 3]).with_dilation([2, 2]).init(&device),
        Conv2dConfig::new([4, 4], [3, 3]).with_groups(2).init(&device),
    ] {
        assert_close(
            read(crate::conv2d(&layer, x.clone(), Then::LeakyRelu(0.2))),
            read(leaky_relu(layer.forward(x.clone()), 0.2)),
            "fallback",
        );
    }
}

#[test]
fn the_transposed_geometry_reads_back_the_layers_input_size() {
    // 4x4 -> 8x8 (the decoders' upsampling), and output padding that no tap reaches.
    let g = Geometry::conv_transpose2d([2, 128, 4, 4], 64, [4, 4], [2, 2], [1, 1], [0, 0]).unwrap();
    assert_eq!((g.height, g.width, g.out_height, g.out_width), (8, 8, 4, 4));
    let g = Geometry::conv_transpose2d([1, 2, 3, 3], 2, [1, 1], [2, 2], [0, 0], [1, 1]).unwrap();
    assert_eq!((g.height, g.out_height), (6, 3));
    // No output position fits: not a geometry, so burn gets the call (and its own message).
    assert_eq!(Geometry::conv2d([1, 1, 2, 2], 1, [3, 3], [1, 1], [(0, 0), (0, 0)]), None);
}

#[test]
fn flex_tensors_take_the_kernels_with_or_without_autodiff() {
    // Otherwise every comparison above would hold trivially, burn against burn.
    for device in [Device::flex(), Device::flex().autodiff()] {
        assert!(crate::on_flex(&random([1, 1, 2, 2], &device)));
        assert!(!crate::on_flex(&random([1, 1, 2, 2], &device).cast(burn::tensor::DType::F64)));
    }
}
