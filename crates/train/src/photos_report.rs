//! `train photos`: real face photos through faces-vae (`photos.rs`), as a table on stdout and in
//! bench/PHOTOS.md, with pictures of the first photos, their reconstructions and the glasses
//! edit. With `--baseline <commit>` the faces-vae bundle of that commit is measured in the same
//! run by the same judges, so a change to the model is shown against what it replaced.

use crate::export;
use crate::photos;
use crate::reports::read_bundle;
use burn::prelude::*;
use std::path::{Path, PathBuf};
use std::process::Command;

pub type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

pub struct PhotosRun {
    pub report: Option<PathBuf>,
    pub pictures: Option<PathBuf>,
    pub save_check: Option<PathBuf>,
    pub baseline: Option<String>,
}

pub fn run(opts: PhotosRun) -> Result {
    let device = Device::flex();
    let (manifest, model) = read_bundle(&export::models_dir(), "faces-vae")?;
    let start = std::time::Instant::now();
    let judges = photos::judges(&model, &manifest, &device)?;
    if let Some(path) = &opts.save_check {
        std::fs::write(path, judges.check.to_bytes()?)?;
    }
    let results = photos::measure(&judges, &model, &manifest, &device)?;
    if let Some(dir) = &opts.pictures {
        for (i, p) in results.framings.iter().enumerate() {
            let w = crate::measure::GRID_FACES * 64;
            export::write_png(
                &dir.join(format!("photos-{i}.png")),
                w,
                p.picture.len() / 3 / w,
                3,
                &p.picture,
            )?;
        }
    }
    let mut tables = format!("## This bundle\n\n{}", table(&results));
    if let Some(commit) = &opts.baseline {
        let dir = bundle_at(commit)?;
        let (old_manifest, old_model) = read_bundle(&dir, "faces-vae")?;
        let old = photos::measure(&judges, &old_model, &old_manifest, &device)?;
        tables += &format!("\n## Baseline: faces-vae as of commit `{commit}`\n\n{}", table(&old));
    }
    let checks = checks(&judges);
    println!("{tables}\n{checks}\n({:.0} s)", start.elapsed().as_secs_f64());
    if let Some(path) = &opts.report {
        std::fs::write(path, report(&manifest, &tables, &checks))?;
    }
    Ok(())
}

fn pct(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

fn table(results: &photos::PhotoResults) -> String {
    let mut t = String::from(
        "| framing | photos at 1× / 1.5× / 2× | reconstructed as a face | SSIM mean (Q1 / median / Q3) | glasses seen before / after the vector at strength 1 | OOD AUC photos vs renders | OOD AUC non-faces vs renders |\n|---|---|---|---|---|---|---|\n",
    );
    for p in &results.framings {
        let [mean, q1, median, q3] = p.ssim;
        t += &format!(
            "| {} | {} / {} / {} | {} | {mean:.3} ({q1:.3} / {median:.3} / {q3:.3}) | {} / {} | {:.3} | {:.3} |\n",
            p.framing,
            p.sides[0],
            p.sides[1],
            p.sides[2],
            pct(p.faces_accepted),
            pct(p.glasses_before),
            pct(p.glasses_after),
            p.auc_photos,
            p.auc_non_faces
        );
    }
    let [a, b, c] = results.render_sides;
    t += &format!(
        "\nThe first guess on 200 held-out renders (drawn at the model's own framing): {a} kept at 1×, {b} at 1.5×, {c} at 2×.\n"
    );
    t
}

fn checks(j: &photos::Judges) -> String {
    format!(
        "Face check (a small conv net trained here on 6,000 renders and reconstructions against 6,000 \
         non-faces: shuffled-tile renders, colour fields, blurred noise): {} of 500 held-out reconstructions \
         taken for faces, {} of 500 held-out non-faces refused, {} of scikit-image's 100 LFW non-face patches \
         refused. Glasses detector (as `train edits`): {} on renders, {} on reconstructions.",
        pct(j.check_faces),
        pct(j.check_non_faces),
        pct(j.check_lfw_non_faces),
        pct(j.glasses.accuracy_renders),
        pct(j.glasses.accuracy_reconstructions)
    )
}

fn report(manifest: &bundle::Manifest, tables: &str, checks: &str) -> String {
    let commit =
        git(&["rev-parse", "--short", "HEAD"]).map(|o| String::from_utf8_lossy(&o).trim().to_string());
    format!(
        "# Real photos through faces-vae\n\nTaken by `cargo run --release -p train -- photos` on commit `{}` \
         ({} epochs, β {}, {} latent dimensions). The photos are the 100 faces of scikit-image's `lfw_subset` \
         (grey 25×25 crops from Labeled Faces in the Wild, none of them trained on), each prepared as the page \
         prepares an upload (`image_input::preprocess::prepare_face`, grey copied into R, G and B) at the \
         framing named, encoded to μ and decoded. SSIM is between the grey prepared photo and the grey \
         reconstruction (7×7 windows). The OOD AUC is how well the page's rarity (`latent::ood::rarity`) ranks \
         the photos (or scikit-image's 100 non-face patches) above 200 held-out renders: 1 separates them fully. \
         Both bundles are judged by the same face check and glasses detector, trained on this bundle.\n\n\
         {tables}\n{checks}\n",
        commit.unwrap_or_default(),
        manifest.training.epochs,
        manifest.beta,
        manifest.latent_dim
    )
}

fn git(args: &[&str]) -> Result<Vec<u8>> {
    let out = Command::new("git").args(args).output()?;
    if !out.status.success() {
        return Err(format!("git {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr).trim()).into());
    }
    Ok(out.stdout)
}

/// The faces-vae bundle of `commit`, written out of git into target/photos-baseline/<commit>/.
fn bundle_at(commit: &str) -> Result<PathBuf> {
    let root = paths::target_dir().join("photos-baseline").join(commit);
    let folder = Path::new("web/models/faces-vae");
    let listing = git(&["ls-tree", "-r", "--name-only", commit, "--", "web/models/faces-vae"])?;
    let files: Vec<String> = String::from_utf8_lossy(&listing).lines().map(str::to_string).collect();
    if files.is_empty() {
        return Err(format!("commit {commit} has no faces-vae bundle").into());
    }
    for file in files {
        let bytes = git(&["show", &format!("{commit}:{file}")])?;
        let rel = Path::new(&file).strip_prefix(folder)?;
        let to = root.join("faces-vae").join(rel);
        std::fs::create_dir_all(to.parent().ok_or("a file with no folder")?)?;
        std::fs::write(to, bytes)?;
    }
    Ok(root)
}
