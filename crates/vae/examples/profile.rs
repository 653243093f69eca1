//! Where an imported decoder's time goes, step by step, natively on burn's CPU backend:
//! `cargo run --release -p vae --example profile -- tests/fixtures/torch/vanilla-vae [runs]`.
//! With `RAYON_NUM_THREADS=1` it runs on one thread, as the browser's worker does. The worker
//! gives the same table in the browser (bench, `profile` in `bench/OPTIMISATION.md`).

use burn::prelude::*;
use std::time::Instant;

fn main() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(args.next().ok_or("usage: profile <export folder> [runs]")?);
    let runs: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(50);
    let read = |f: &str| std::fs::read(dir.join(f)).map_err(|e| format!("{}: {e}", dir.join(f).display()));
    let graph = String::from_utf8(read("graph.json")?).map_err(|e| e.to_string())?;
    let exported = bundle::exported::Exported::parse(&graph)?;
    let device = Device::flex();
    let dim = exported.model.latent_dim;
    let model = vae::imported::Imported::build(exported.model, &read("weights.safetensors")?, &device)?;
    let start = Instant::now();
    let now = || start.elapsed().as_secs_f64() * 1000.0;
    for batch in [1, 64] {
        let z = Tensor::<2>::random([batch, dim], burn::tensor::Distribution::Normal(0.0, 1.0), &device);
        model.profile_decoder(z.clone(), 3, &now);
        let steps = model.profile_decoder(z, runs, &now);
        let total: f64 = steps.iter().map(|s| s.2).sum();
        println!("\nbatch {batch}: {total:.3} ms per decode ({runs} runs)\n");
        println!("| step | op | ms | share |\n|---|---|---|---|");
        for (name, op, ms) in steps {
            println!("| {name} | {op} | {ms:.3} | {:.1}% |", 100.0 * ms / total);
        }
    }
    Ok(())
}
