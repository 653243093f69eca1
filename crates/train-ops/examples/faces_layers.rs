//! Milliseconds per call of each kernel on faces-vae's eight convolutions at batch 64 (its
//! training batch), median of 15 after 3 warm-ups:
//! `cargo run --release -p train-ops --example faces_layers`. The figures in
//! bench/OPTIMISATION.md were taken with it; nothing here is a test.

use std::time::Instant;

use burn::tensor::activation::softplus;
use burn::tensor::{Device, Distribution, Tensor};

use train_ops::Geometry;
use train_ops::Then;
use train_ops::conv_kernels::{Wanted, Way, backward, forward, input_grad};

fn median_ms(mut f: impl FnMut()) -> f64 {
    for _ in 0..3 {
        f();
    }
    let mut t: Vec<f64> = (0..15)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    t.sort_by(f64::total_cmp);
    t[t.len() / 2]
}

fn main() {
    let batch = 64;
    println!(
        "| layer | forward | input gradient | backward as a conv (dW, db) | backward as a transposed conv (dx, dW, db) |\n|---|---|---|---|---|"
    );
    let mut total = [0.0; 4];
    // The encoder's four stride-2 convolutions; each decoder layer is the same geometry run
    // backwards, so it costs the same products in another order (the last column).
    for (channels, size, filters) in [(3, 64, 16), (16, 32, 32), (32, 16, 64), (64, 8, 128)] {
        let g = Geometry::conv2d([batch, channels, size, size], filters, [4, 4], [2, 2], [(1, 1), (1, 1)])
            .expect("a valid geometry");
        let x: Vec<f32> = (0..batch * g.image_len()).map(|i| (i % 7) as f32 * 0.1 - 0.3).collect();
        let w: Vec<f32> = (0..g.weight_len()).map(|i| (i % 5) as f32 * 0.01).collect();
        let dy: Vec<f32> = (0..batch * g.out_len()).map(|i| (i % 3) as f32 * 0.1).collect();
        let (mut y, mut dx) = (vec![0.0; dy.len()], vec![0.0; x.len()]);
        let then = Then::LeakyRelu(0.2);
        // The encoder's first layer reads data (no input gradient); a decoder's every layer
        // gives all three.
        let conv_wants = Wanted { dx: channels != 3, dw: true, db: true };
        let all = Wanted { dx: true, dw: true, db: true };
        let ms = [
            median_ms(|| forward(&g, &x, &w, &mut y)),
            median_ms(|| input_grad(&g, &dy, &w, &mut dx)),
            median_ms(|| {
                backward(Way::Conv, &g, then, &x, &w, &dy, &dy, conv_wants);
            }),
            median_ms(|| {
                backward(Way::Transposed, &g, then, &dy, &w, &x, &x, all);
            }),
        ];
        total.iter_mut().zip(ms).for_each(|(t, m)| *t += m);
        println!(
            "| {channels}→{filters} {size}² | {:.2} | {:.2} | {:.2} | {:.2} |",
            ms[0], ms[1], ms[2], ms[3]
        );
    }
    println!("| all four | {:.2} | {:.2} | {:.2} | {:.2} |", total[0], total[1], total[2], total[3]);

    // The likelihood of a batch of 64 faces (12,288 logits each), forward and backward, with
    // autodiff as in training: fused against burn's formula.
    let device = Device::flex().autodiff();
    let x = Tensor::<2>::random([batch, 12_288], Distribution::Uniform(0.0, 1.0), &device);
    let l = Tensor::<2>::random([batch, 12_288], Distribution::Uniform(-8.0, 8.0), &device);
    let step = |f: &dyn Fn(Tensor<2>, Tensor<2>) -> Tensor<1>| {
        median_ms(|| {
            let l = l.clone().require_grad();
            let grads = f(x.clone(), l.clone()).mean().backward();
            l.grad(&grads).map(|g| g.into_data());
        })
    };
    let plain = Device::flex();
    let (xp, lp) = (x.clone().inner(), l.clone().inner());
    let _ = plain;
    let fwd = median_ms(|| {
        train_ops::bernoulli_nll(xp.clone(), lp.clone()).into_data();
    });
    println!("fused forward alone {fwd:.2} ms");
    let fused = step(&|x, l| train_ops::bernoulli_nll(x, l));
    let burns = step(&|x, l| (softplus(l.clone(), 1.0) - x * l).sum_dim(1).squeeze_dim(1));
    println!(
        "\nBernoulli likelihood of 64 faces, forward + backward: fused {fused:.2} ms, burn ops {burns:.2} ms"
    );
}
