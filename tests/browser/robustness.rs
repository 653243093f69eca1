//! Bad input of every kind through the real page: the files in `tests/fixtures/bad/`, broken
//! model bundles, hostile links. Each gets a notice that says what was wrong, no panic, and
//! the user's gallery, vectors and z exactly as before.

use e2e::scripts::PIXELS_OF;
use e2e::{Mode, Page, native, workspace};
use std::path::{Path, PathBuf};
use std::time::Duration;

pub(super) const LONG: Duration = Duration::from_secs(90);

/// What the user has: gallery item keys, saved vectors, and z as the sliders show it.
#[derive(Debug, PartialEq)]
struct Held {
    items: Vec<String>,
    vectors: Vec<String>,
    z: Vec<f32>,
}

fn held(page: &Page) -> Held {
    let list = |js: &str| -> Vec<String> {
        page.eval(js)
            .as_array()
            .map(|a| a.iter().filter_map(|v| v.as_str().map(String::from)).collect())
            .unwrap_or_default()
    };
    Held {
        items: list(
            "Array.from(document.querySelectorAll('[data-testid=gallery-item]')).map(i => i.dataset.key)",
        ),
        vectors: list(
            "Array.from(document.querySelectorAll('[data-testid=custom-vector]')).map(v => v.textContent)",
        ),
        z: page.slider_z(),
    }
}

fn notice(page: &Page) -> String {
    page.text("notice").unwrap_or_default()
}

fn dismiss(page: &Page) {
    page.eval("document.querySelector('[data-testid=notice] button')?.click()");
    page.wait_for("the notice to go", "!document.querySelector('[data-testid=notice]')", LONG);
}

/// A page with the examples encoded, z moved off the origin and a user vector saved: state
/// worth losing.
fn open_with_things(name: &str, site: Option<&Path>) -> Page {
    let dist = workspace().join("dist");
    let page = Page::open_site(name, Mode::Cpu, site.unwrap_or(&dist), "?backend=cpu#m=mnist-vae", &[]);
    page.wait_ready();
    let examples = native::manifest("mnist-vae").examples.len();
    page.wait_for(
        "the examples",
        &format!("document.querySelectorAll('[data-testid=gallery-item]').length >= {examples}"),
        LONG,
    );
    page.eval("(() => { const items = document.querySelectorAll('[data-testid=gallery-item] [data-testid=item-mark]');
        for (const [i, v] of [[0, 'with'], [1, 'without']]) { items[i].value = v; items[i].dispatchEvent(new Event('change', { bubbles: true })); } })()");
    page.eval("(() => { const n = document.querySelector('[data-testid=vector-name]'); n.value = 'mine'; document.querySelector('[data-testid=vector-save]').click(); })()");
    page.wait_for(
        "the vector",
        "document.querySelectorAll('[data-testid=custom-vector]').length === 1",
        LONG,
    );
    let id = page.latest();
    page.set_slider(native::manifest("mnist-vae").dims_by_kl()[0], 1.7);
    page.wait_new_image(id);
    page
}

fn mime(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("png") => "image/png",
        Some("jpg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("svg") => "image/svg+xml",
        Some("tif") => "image/tiff",
        Some("bmp") => "image/bmp",
        _ => "application/octet-stream",
    }
}

/// Hand `bytes` to the file input as the file `name`.
pub(super) fn upload(page: &Page, name: &str, bytes: &[u8]) {
    let list: Vec<String> = bytes.iter().map(u8::to_string).collect();
    page.eval(&format!(
        "(() => {{ const dt = new DataTransfer(); dt.items.add(new File([new Uint8Array([{}])], '{name}', {{ type: '{}' }}));
            const i = document.querySelector('[data-testid=file-input]'); i.files = dt.files; i.dispatchEvent(new Event('change', {{ bubbles: true }})); }})()",
        list.join(","),
        mime(name)
    ));
}

pub(super) fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(workspace().join("tests/fixtures/bad").join(name)).expect("fixture")
}

/// Files that must be refused, with a word the notice must contain.
const REFUSED: [(&str, &str); 23] = [
    ("empty.png", "empty"),
    ("text-renamed.png", "text"),
    ("html-renamed.jpg", "web page"),
    ("pdf-renamed.png", "PDF"),
    ("zip-renamed.png", "ZIP"),
    ("random-bytes.png", "not an image"),
    ("truncated.png", "cut off"),
    ("truncated.jpg", "cut off"),
    ("png-signature-only.png", "cut off"),
    ("bomb-30000x30000.png", "megapixels"),
    ("huge-dimensions-small-file.png", "megapixels"),
    ("zero-width.png", "no pixels"),
    ("script.svg", "SVG"),
    ("tiff.tif", "TIFF"),
    ("blank-white.png", "blank"),
    ("transparent.png", "blank"),
    ("1x1.png", "blank"),
    ("truncated.gif", "cut off"),
    ("truncated.webp", "cut off"),
    ("truncated.bmp", "cut off"),
    ("bomb-30000x30000.gif", "megapixels"),
    ("exe-renamed.png", "program"),
    // Passes the header checks; the browser's decoder is what refuses it.
    ("corrupt-pixels.png", "could not be decoded"),
];

/// Odd files that are images all the same: each must become a gallery item.
const ACCEPTED: [&str; 12] = [
    "16-bit.png",
    "cmyk.jpg",
    "animated.gif",
    "image.webp",
    "grey-alpha.png",
    "palette.png",
    "bmp.bmp",
    "exif-rotated.jpg",
    "10000x10.png",
    "10x10000.png",
    "progressive.jpg",
    "trailing-bytes.png",
];

#[test]
fn every_bad_file_gets_a_notice_and_changes_nothing() {
    let page = open_with_things("bad-files", None);
    let mut all: Vec<(String, Vec<u8>, &str)> =
        REFUSED.iter().map(|(n, says)| (n.to_string(), fixture(n), *says)).collect();
    // Over the 20 MB limit: made here rather than committed.
    all.push(("over-the-limit.png".into(), vec![0u8; 20 * 1024 * 1024 + 1], "MB"));
    for (name, bytes, says) in &all {
        let before = held(&page);
        upload(&page, name, bytes);
        page.wait_for(
            &format!("a notice about {name}"),
            "!!document.querySelector('[data-testid=notice]')",
            LONG,
        );
        let text = notice(&page);
        assert!(text.contains(name.as_str()) && text.contains(says), "{name}: {text}");
        // Nothing pending, nothing changed.
        std::thread::sleep(Duration::from_millis(200));
        assert_eq!(held(&page), before, "{name} changed what the user had");
        dismiss(&page);
    }
    page.finish();
}

#[test]
fn odd_but_valid_files_become_gallery_items() {
    let page = open_with_things("odd-files", None);
    for name in ACCEPTED {
        let before = held(&page);
        upload(&page, name, &fixture(name));
        page.wait_for(
            &format!("{name} in the gallery"),
            &format!("Array.from(document.querySelectorAll('[data-testid=gallery-item]')).some(i => i.textContent.includes('{name}')) || !!document.querySelector('[data-testid=notice]')"),
            LONG,
        );
        // Accepted, never refused. A squashed drawing may be called unlike what the model learned
        // (10000x10.png's "7" becomes a thin bar: the out-of-distribution notice is right), and
        // is added all the same.
        let said = page.text("notice");
        assert!(
            said.as_deref().is_none_or(|t| t.contains("is unlike the handwritten digits")),
            "{name}: {}",
            notice(&page)
        );
        if said.is_some() {
            dismiss(&page);
        }
        let after = held(&page);
        assert_eq!(
            (after.items.len(), &after.vectors, &after.z),
            (before.items.len() + 1, &before.vectors, &before.z)
        );
    }
    // EXIF orientation is respected: the rotated file prepares like the upright one.
    let input = |name: &str| -> Vec<u8> {
        let v = page.eval(&format!(
            "(async () => {{ {PIXELS_OF} const it = Array.from(document.querySelectorAll('[data-testid=gallery-item]')).find(i => i.textContent.includes('{name}'));
                const c = it.querySelector('[data-testid=item-input]'); return Array.from((await pixelsOf(c)).data).filter((_, i) => i % 4 === 0); }})()"
        ));
        v.as_array().expect("pixels").iter().map(|p| p.as_u64().unwrap_or(0) as u8).collect()
    };
    let (upright, rotated) = (input("palette.png"), input("exif-rotated.jpg"));
    let diff = upright.iter().zip(&rotated).map(|(a, b)| f64::from(a.abs_diff(*b))).sum::<f64>() / 784.0;
    assert!(diff < 20.0, "the EXIF-rotated 7 differs from the upright one by {diff:.1} per pixel");
    page.finish();
}

/// A bundle to write: its name, its manifest (none: left out) and its weights.
type Bundle = (&'static str, Option<serde_json::Value>, Option<Vec<u8>>);

/// A copy of dist/ with broken bundles beside the real ones, all listed in the index.
fn site_with_broken_bundles() -> PathBuf {
    let site = std::env::temp_dir().join(format!("latent-lab-broken-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&site);
    copy_dir(&workspace().join("dist"), &site);
    let good = workspace().join("web/models/mnist-vae");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(good.join("manifest.json")).unwrap()).unwrap();
    // The file the first image needs: the decoder's (compact bundles) or the only one.
    let weights_file = manifest["weights"]["decoder"].as_str().unwrap_or("weights.bpk").to_string();
    let weights = std::fs::read(good.join(&weights_file)).unwrap();
    let mut bundles: Vec<Bundle> = Vec::new();
    let edit = |name: &str, f: &dyn Fn(&mut serde_json::Value)| {
        let mut m = manifest.clone();
        m["name"] = name.into();
        f(&mut m);
        Some(m)
    };
    bundles.push(("bad-no-manifest", None, Some(weights.clone())));
    bundles.push((
        "bad-dim-mismatch",
        edit("bad-dim-mismatch", &|m| {
            m["latent_dim"] = 16.into();
            m["architecture"]["latent_dim"] = 16.into();
            m["kl_per_dim"] = serde_json::json!(vec![0.5; 16]);
            m["label_means"] = serde_json::json!([]);
            m["map"] = serde_json::Value::Null;
            m["examples"] = serde_json::json!([]);
            // Without the learned prior, whose 32 dimensions would be refused first.
            m["prior"] = serde_json::Value::Null;
        }),
        Some(weights.clone()),
    ));
    bundles.push((
        "bad-prior",
        edit("bad-prior", &|m| m["prior"]["weights"][0] = 5.0.into()),
        Some(weights.clone()),
    ));
    bundles.push((
        "bad-truncated-weights",
        edit("bad-truncated-weights", &|_| {}),
        Some(weights[..weights.len() / 2].to_vec()),
    ));
    // Every byte after the header 0xFF: every float NaN.
    let mut nan = weights.clone();
    let start = nan.len() / 10;
    nan[start..].fill(0xFF);
    bundles.push(("bad-nan-weights", edit("bad-nan-weights", &|_| {}), Some(nan)));
    bundles.push((
        "bad-format-version",
        edit("bad-format-version", &|m| m["format_version"] = 99.into()),
        Some(weights.clone()),
    ));
    bundles.push((
        "bad-absurd-sizes",
        edit("bad-absurd-sizes", &|m| {
            m["architecture"]["hidden"] = serde_json::json!([1u64 << 20]);
        }),
        Some(weights.clone()),
    ));
    bundles.push(("bad-not-json", None, Some(weights.clone())));
    // A real manifest in the wrong folder: it must not load another model's weights.
    bundles.push(("bad-wrong-name", edit("mnist-vae", &|_| {}), Some(weights.clone())));
    let models = site.join("models");
    let mut index: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(models.join("index.json")).unwrap()).unwrap();
    for (name, m, w) in &bundles {
        let dir = models.join(name);
        std::fs::create_dir_all(&dir).unwrap();
        if let Some(m) = m {
            std::fs::write(dir.join("manifest.json"), serde_json::to_string(m).unwrap()).unwrap();
        } else if *name == "bad-not-json" {
            std::fs::write(dir.join("manifest.json"), "{\"format_version\": 1, \"name\": ").unwrap();
        }
        if let Some(w) = w {
            std::fs::write(dir.join(&weights_file), w).unwrap();
        }
        index.push(serde_json::json!({ "name": name, "description": "broken on purpose", "latent_dim": 32 }));
    }
    std::fs::write(models.join("index.json"), serde_json::to_string(&index).unwrap()).unwrap();
    site
}

pub(super) fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else if std::fs::hard_link(entry.path(), &target).is_err() {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A full storage quota: saving fails with a notice that says so and what to do, and what the
/// user has stays on the page (the failed save must not empty the gallery).
#[test]
fn a_full_storage_quota_is_a_notice_and_the_gallery_stays() {
    let page = open_with_things("quota", None);
    page.eval(
        "IDBObjectStore.prototype.put = function () { throw new DOMException('The quota has been exceeded.', 'QuotaExceededError'); }",
    );
    let before = held(&page);
    upload(&page, "palette.png", &fixture("palette.png"));
    page.wait_for("the save to fail", "!!document.querySelector('[data-testid=notice]')", LONG);
    let text = notice(&page);
    assert!(text.contains("storage") && text.contains("full") && text.contains("export"), "{text}");
    let after = held(&page);
    assert_eq!(
        (after.items.len(), &after.vectors, &after.z),
        (before.items.len() + 1, &before.vectors, &before.z)
    );
    assert!(after.items.starts_with(&before.items), "the items before the failed save are gone");
    page.finish();
}

#[test]
fn broken_model_bundles_are_refused_and_the_current_model_stays() {
    let site = site_with_broken_bundles();
    let page = open_with_things("bad-bundles", Some(&site));
    for (name, says) in [
        ("bad-no-manifest", "404"),
        ("bad-dim-mismatch", "weights"),
        ("bad-prior", "sum to"),
        ("bad-truncated-weights", "weights"),
        ("bad-nan-weights", "NaN"),
        ("bad-format-version", "version 99"),
        ("bad-absurd-sizes", "hidden width"),
        ("bad-not-json", "not valid"),
        ("bad-wrong-name", "says it is"),
    ] {
        let before = held(&page);
        page.eval(&format!("(() => {{ const s = document.querySelector('[data-testid=model-picker]'); s.value = '{name}'; s.dispatchEvent(new Event('change', {{ bubbles: true }})); }})()"));
        page.wait_for(
            &format!("a notice about {name}"),
            "!!document.querySelector('[data-testid=notice]')",
            LONG,
        );
        page.wait_for("no load in progress", "!document.querySelector('[data-testid=loading]')", LONG);
        let text = notice(&page);
        assert!(text.contains(says), "{name}: {text}");
        assert_eq!(
            page.eval("document.querySelector('[data-testid=model-picker]').value").as_str(),
            Some("mnist-vae"),
            "{name}"
        );
        assert_eq!(held(&page), before, "{name} changed what the user had");
        // The current model still decodes.
        let id = page.latest();
        page.set_slider(0, if before.z[0] > 0.0 { -0.5 } else { 0.5 });
        page.wait_new_image(id);
        dismiss(&page);
    }
    // The missing manifest's 404 is the one console error this test causes on purpose.
    page.finish_allowing(&["404 (Not Found)"]);
    let _ = std::fs::remove_dir_all(&site);
}

#[test]
fn hostile_links_get_a_notice_and_change_nothing() {
    let page = open_with_things("bad-links", None);
    let many = vec!["0"; 600].join(",");
    for (hash, says) in [
        ("m=mnist-vae&z=banana", "not a number"),
        ("m=mnist-vae&z=NaN,0", "outside"),
        ("m=mnist-vae&z=Infinity", "outside"),
        ("m=mnist-vae&z=1e308", "outside"),
        (&format!("m=mnist-vae&z={many}") as &str, "at most 512"),
        ("m=..%2F..%2Fetc", "not a valid model name"),
        ("m=mnist-vae&v=%zz", "valid name"),
        ("m=mnist-vae&s=1e99&vec=x", "strength"),
        ("%00%ff&&&==", "could not be read"),
    ] {
        let before = held(&page);
        page.eval(&format!("location.hash = {:?}", format!("#{hash}")));
        page.wait_for(
            &format!("a notice about #{hash}"),
            "!!document.querySelector('[data-testid=notice]')",
            LONG,
        );
        let text = notice(&page);
        assert!(text.contains(says) || text.contains("could not be read"), "#{hash}: {text}");
        assert_eq!(held(&page), before, "#{hash} changed what the user had");
        dismiss(&page);
    }
    page.finish();
}
