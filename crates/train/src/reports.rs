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
    for name in ["mnist-ae", "mnist-vae", "mnist-vae-beta4", "mnist-vae-2d"] {
        let (mut manifest, model) = read_bundle(&dir, name)?;
        let r = crate::measure::prior_confidence(&model, manifest.latent_dim, &clf, samples, &device);
        println!(
            "| {name} | {} | {:.1}% | {:.3} | {:?} |",
            r.samples,
            r.confident_share * 100.0,
            r.mean_max_probability,
            r.per_class
        );
        manifest.metrics.insert("prior_samples_confident_share".into(), r.confident_share);
        manifest.metrics.insert("prior_samples_mean_max_p".into(), r.mean_max_probability);
        manifest.metrics.insert("prior_samples".into(), r.samples as f64);
        manifest.metrics.insert("digit_classifier_test_accuracy".into(), accuracy);
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
