//! The `gaps` and `edits` commands: measure shipped bundles with trained classifiers, print
//! Markdown tables and record the figures in the manifests.

use bundle::Manifest;
use burn::prelude::*;
use std::path::PathBuf;
use vae::Model;

pub fn read_bundle(
    dir: &std::path::Path,
    name: &str,
) -> Result<(Manifest, Model), Box<dyn std::error::Error>> {
    let dir = dir.join(name);
    let manifest = Manifest::parse(&std::fs::read_to_string(dir.join(bundle::MANIFEST_FILE))?)?;
    let model = vae::load_bundle_dir(&manifest, &dir, &Device::flex())?;
    Ok((manifest, model))
}

pub fn write_manifest(dir: &std::path::Path, m: &Manifest) -> Result<(), Box<dyn std::error::Error>> {
    std::fs::write(dir.join(&m.name).join(bundle::MANIFEST_FILE), serde_json::to_string_pretty(m)?)?;
    Ok(())
}

/// Judge `samples` prior samples of bundle `name` with a classifier and record the figures (and
/// the judge's own test accuracy, under `judge.0`) in its manifest.
fn judge_samples(
    dir: &std::path::Path,
    name: &str,
    clf: &crate::classifier::Classifier,
    judge: (&str, f64),
    samples: usize,
    device: &Device,
) -> Result<crate::measure::PriorConfidence, Box<dyn std::error::Error>> {
    let (mut manifest, model) = read_bundle(dir, name)?;
    let r =
        crate::measure::prior_confidence(&model, manifest.latent_dim, manifest.prior(), clf, samples, device);
    manifest.metrics.insert("prior_samples_confident_share".into(), r.confident_share);
    manifest.metrics.insert("prior_samples_mean_max_p".into(), r.mean_max_probability);
    manifest.metrics.insert("prior_samples".into(), r.samples as f64);
    manifest.metrics.insert(judge.0.into(), judge.1);
    write_manifest(dir, &manifest)?;
    Ok(r)
}

pub fn gaps(samples: usize, dir: PathBuf) -> Result<(), Box<dyn std::error::Error>> {
    let device = Device::flex();
    let start = std::time::Instant::now();
    let (clf, accuracy) = crate::measure::digit_classifier(&device)?;
    println!(
        "digit classifier: MNIST test accuracy {:.2}% ({:.0} s)",
        accuracy * 100.0,
        start.elapsed().as_secs_f64()
    );
    println!("| model | prior samples | share with p >= 0.9 | mean max p | confident per digit 0-9 |");
    println!("|---|---|---|---|---|");
    // The autoencoder family too: none of them was trained to be sampled, which is the lesson.
    let names = [
        "mnist-ae",
        "mnist-dae",
        "mnist-sae",
        "mnist-stacked",
        "mnist-vae",
        "mnist-vae-classic",
        "mnist-vae-beta4",
        "mnist-vae-2d",
    ];
    for name in names.into_iter().filter(|n| dir.join(n).is_dir()) {
        let r =
            judge_samples(&dir, name, &clf, ("digit_classifier_test_accuracy", accuracy), samples, &device)?;
        println!(
            "| {name} | {} | {:.1}% | {:.3} | {:?} |",
            r.samples,
            r.confident_share * 100.0,
            r.mean_max_probability,
            r.per_class
        );
    }
    // Garments, by the same rule and a garment classifier trained the same way.
    if dir.join("fashion-vae").is_dir() {
        let (clf, accuracy) = crate::measure::classifier_for(crate::examples::Source::FashionMnist, &device)?;
        let judge = ("garment_classifier_test_accuracy", accuracy);
        let r = judge_samples(&dir, "fashion-vae", &clf, judge, samples, &device)?;
        println!(
            "| fashion-vae | {} | {:.1}% | {:.3} | {:?} | (garment classifier: {:.2}% test accuracy)",
            r.samples,
            r.confident_share * 100.0,
            r.mean_max_probability,
            r.per_class,
            accuracy * 100.0
        );
    }
    // Faces: the share of prior samples the face check (the one the photo tests judge with)
    // takes for a face.
    let check_file = paths::root().join(crate::photos::FACE_CHECK_FILE);
    if dir.join("faces-vae").is_dir() && check_file.is_file() {
        let check = crate::photos::load_face_check(std::fs::read(&check_file)?, &device)?;
        let (mut manifest, model) = read_bundle(&dir, "faces-vae")?;
        let share = crate::measure::prior_faces(&model, manifest.latent_dim, &check, samples, &device);
        println!("| faces-vae | {samples} | {:.1}% taken for a face by the face check | | |", share * 100.0);
        manifest.metrics.insert("prior_samples_face_share".into(), share);
        manifest.metrics.insert("prior_samples".into(), samples as f64);
        write_manifest(&dir, &manifest)?;
    }
    Ok(())
}

pub fn edits(
    faces: usize,
    strengths: &[f32],
    attributes: &[String],
    dir: &std::path::Path,
    pictures: Option<&std::path::Path>,
    report: Option<&std::path::Path>,
) -> Result<(), Box<dyn std::error::Error>> {
    let device = Device::flex();
    let (mut manifest, model) = read_bundle(dir, "faces-vae")?;
    let mut table = String::from(
        "| attribute | detector acc. (renders / reconstructions) | faces | strength | detected before | detected after | mean change in band | outside band |\n|---|---|---|---|---|---|---|---|\n",
    );
    print!("{table}");
    let mut splits = String::new();
    for attribute in attributes {
        let start = std::time::Instant::now();
        let edits = crate::measure::attribute_edit(&model, &manifest, attribute, faces, strengths, &device)?;
        for r in &edits.results {
            let line = format!(
                "| {attribute} | {:.1}% / {:.1}% | {} | {} | {:.1}% | {:.1}% | {:.4} | {:.4} |\n",
                r.detector_accuracy_renders * 100.0,
                r.detector_accuracy_reconstructions * 100.0,
                r.faces,
                r.strength,
                r.before_share * 100.0,
                r.after_share * 100.0,
                r.change_inside,
                r.change_outside
            );
            print!("{line}");
            table.push_str(&line);
        }
        eprintln!("  ({attribute}: {:.0} s)", start.elapsed().as_secs_f64());
        if let Some(to) = pictures {
            let (w, picture) = (crate::measure::GRID_FACES * 64, &edits.picture);
            crate::export::write_png(
                &to.join(format!("edit-{attribute}.png")),
                w,
                picture.len() / 3 / w,
                3,
                picture,
            )?;
        }
        let Some(r) = edits.results.first() else { continue };
        let split = by_label_table(r);
        print!("{split}");
        splits.push_str(&split);
        let key = |k: &str| format!("edit_{attribute}_{k}");
        manifest.metrics.insert(key("strength"), f64::from(r.strength));
        manifest.metrics.insert(key("detected_after"), r.after_share);
        manifest.metrics.insert(key("detected_before"), r.before_share);
        manifest.metrics.insert(key("detector_accuracy"), r.detector_accuracy_renders);
        manifest
            .metrics
            .insert(key("detector_accuracy_reconstructions"), r.detector_accuracy_reconstructions);
        manifest.metrics.insert(key("change_in_band"), r.change_inside);
        manifest.metrics.insert(key("change_outside_band"), r.change_outside);
    }
    write_manifest(dir, &manifest)?;
    if let Some(path) = report {
        let how = format!(
            "# Attribute edits on faces-vae\n\nfaces-vae: β = {}, {} epochs, {} latent dimensions. \
             Taken with `cargo run --release -p train -- edits` on {} held-out generated faces \
             that lack each attribute (seeds from 2^40 + 1,000,000; the vectors come from the 50,000 faces from 2^40). \
             Each face is encoded to μ, the manifest's vector is added at the given strength, and both decodes are \
             judged by a small conv detector trained on 6,000 rendered faces and their reconstructions \
             (seeds from 2^41); its accuracy on 1,000 other faces is the second column. Change is the mean absolute \
             pixel change (0..1) inside the attribute's rows (eye band, mouth band) and outside them.\n\n{table}\n\
             ## Where the edit misses\n\nThe same edited faces at the first strength, split by each other \
             label: the share detected after the edit among faces with the label and among those without.\n{splits}",
            manifest.beta, manifest.training.epochs, manifest.latent_dim, faces
        );
        std::fs::write(path, how)?;
    }
    Ok(())
}

/// One edit's after share split by every other label, as a Markdown table.
fn by_label_table(r: &crate::measure::EditResult) -> String {
    let mut out = format!(
        "\n{} at strength {}:\n\n| label | faces with it | detected after, with | without |\n|---|---|---|---|\n",
        r.attribute, r.strength
    );
    for s in &r.by_label {
        out.push_str(&format!(
            "| {} | {} | {:.1}% | {:.1}% |\n",
            s.label,
            s.with,
            s.after_share_with * 100.0,
            s.after_share_without * 100.0
        ));
    }
    out
}

/// `bench/MODELS.md`: every shipped bundle's figures, read from the manifests that `train`,
/// `eval`, `gaps` and `denoise` wrote, with how each was taken.
pub fn models_table(dir: &std::path::Path) -> Result<String, Box<dyn std::error::Error>> {
    let commit = std::process::Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    let mut md = format!(
        "# The shipped models, measured\n\n\
         Written by `cargo run -p train -- models` from the manifests in `web/models/` at commit `{commit}`; \
         every figure was measured on the test split by the command named under the table.\n\n\
         | model | kind | latent | test NLL (nats) | reconstruction MSE | from half-masked input | prior samples judged clear | code |\n\
         |---|---|---|---|---|---|---|---|\n"
    );
    let f = |m: &Manifest, k: &str, show: &dyn Fn(f64) -> String| {
        m.metrics.get(k).map_or("–".to_string(), |v| show(*v))
    };
    for name in crate::presets::all().iter().map(|p| p.name).filter(|n| dir.join(n).is_dir()) {
        let m = Manifest::parse(&std::fs::read_to_string(dir.join(name).join(bundle::MANIFEST_FILE))?)?;
        let t = &m.training;
        let kind = if let Some(p) = &m.prior {
            format!("VAE, β = {}, learned prior ({} Gaussians)", m.beta, p.weights.len())
        } else if m.architecture.is_variational() {
            format!("VAE, β = {}", m.beta)
        } else if m.architecture.has_relu_code() {
            format!("sparse AE, L1 λ = {}", t.sparsity)
        } else if t.greedy_epochs > 0 {
            format!("stacked AE, {} greedy epochs a pair", t.greedy_epochs)
        } else if t.input_mask > 0.0 {
            format!("denoising AE, {:.0}% masking", t.input_mask * 100.0)
        } else {
            "plain AE".to_string()
        };
        let sampled =
            match (m.metrics.get("prior_samples_confident_share"), m.metrics.get("prior_samples_face_share"))
            {
                (Some(s), _) => format!("{:.1}%", s * 100.0),
                (_, Some(s)) => format!("{:.1}% (face check)", s * 100.0),
                _ => "–".into(),
            };
        let code = match m.metrics.get("units_on_per_image") {
            Some(on) => format!("{on:.1} of {} units on per image", m.latent_dim),
            None => format!(
                "{} of {} dimensions active",
                f(&m, "active_units", &|v| format!("{v:.0}")),
                m.latent_dim
            ),
        };
        md += &format!(
            "| {name} | {kind} | {} | {} | {} | {} | {sampled} | {code} |\n",
            m.latent_dim,
            f(&m, "test_nll_nats", &|v| format!(
                "{v:.2} (k = {})",
                m.metrics.get("test_nll_k").copied().unwrap_or(0.0)
            )),
            f(&m, "test_recon_mse", &|v| format!("{v:.4}")),
            f(&m, "test_masked_recon_mse", &|v| format!("{v:.4}")),
        );
        let stages: Vec<String> = (1..)
            .map_while(|k| m.metrics.get(&format!("greedy_stage_{k}_recon_mse")).map(|v| format!("{v:.4}")))
            .collect();
        if !stages.is_empty() {
            md += &format!(
                "| ↳ {name} by stage | reconstruction MSE after 1, 2, 3 greedy layer pairs, then fine-tuned | | | {} → {} | | | |\n",
                stages.join(" → "),
                f(&m, "test_recon_mse", &|v| format!("{v:.4}"))
            );
        }
    }
    md += "\nHow each figure is taken:\n\n\
        - **test NLL**: `train eval <model> --k K`: −log of the mean of p(x|z)p(z)/q(z|x) over K importance samples from q(z|x), per test image, binarised with a fixed seed (Burda et al. 2015), p(z) being the model's own prior; the IWAE paper's one-stochastic-layer VAE reaches 86.76.\n\
        - **reconstruction MSE**: `train` on 5,000 test images: the decoded μ against the grey image, per pixel (pixels in 0..1).\n\
        - **from half-masked input**: `train denoise`: the same, with half of each test image's pixels set to 0 (a fixed seed, the same pixels for every model) before encoding, against the clean image.\n\
        - **prior samples judged clear**: `train gaps`: 1,000 codes from the model's prior at T = 1 (N(0, I), or the mixture mnist-vae learned; a fixed seed) decoded and judged by a classifier trained here on the same data set (digits or garments; p ≥ 0.9 counts as clear), and for faces by the face check of `train photos` (`tests/fixtures/face-check.bpk`).\n\
        - **code**: dimensions whose mean KL on the test set exceeds 0.01 nats; for the sparse AE, units above zero per test image.\n";
    Ok(md)
}
