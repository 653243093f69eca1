//! Models trained in PyTorch, opened through the real page as a practitioner would: the files
//! `tools/export_torch.py` wrote are picked (or zipped), the worker builds them from their graph,
//! and what the page draws and encodes is PyTorch's own numbers (tests/fixtures/torch, written
//! by `tools/torch_fixture.py` with PyTorch beside them). Bad model files are refused with the
//! problem named, and nothing the user had changes.

use super::robustness::copy_dir;
use super::workbench::{input, select};
use e2e::scripts::PIXELS_OF;
use e2e::{Mode, Page, workspace};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;
use vae::weights_file::{read_safetensors, write_safetensors};

/// Building a 4M-parameter model and measuring it on two busy cores.
const IMPORT: Duration = Duration::from_secs(180);

/// The three reference architectures: fixture folder, the name the exporter gave.
const REFERENCES: [(&str, &str); 3] =
    [("mlp-vae", "mlp-vae-torch"), ("vanilla-vae", "vanilla-vae-torch"), ("beta-vae-h", "beta-vae-h-torch")];

fn fixtures() -> PathBuf {
    workspace().join("tests/fixtures/torch")
}

/// dist/ with the PyTorch fixtures under `fixtures/` and `extra` files under `fixtures/made/`,
/// so the page can fetch them and hand them over as a user's files.
fn site(test: &str, extra: &[(&str, Vec<u8>)]) -> PathBuf {
    let site = std::env::temp_dir().join(format!("latent-lab-import-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&site);
    copy_dir(&workspace().join("dist"), &site);
    copy_dir(&fixtures(), &site.join("fixtures"));
    let made = site.join("fixtures/made");
    std::fs::create_dir_all(&made).unwrap();
    for (name, bytes) in extra {
        std::fs::write(made.join(name), bytes).unwrap();
    }
    site
}

fn open(test: &str, site: &Path) -> Page {
    let page = Page::open_site(test, Mode::Cpu, site, "?backend=cpu#m=mnist-vae", &[]);
    page.wait_ready();
    page.wait_settled();
    page
}

fn pick(page: &Page, testid: &str, files: &[(&str, String)]) {
    page.pick_files(testid, files);
}

fn pick_export(page: &Page, folder: &str) {
    let url = |f: &str| format!("fixtures/{folder}/{f}");
    pick(
        page,
        "model-file-input",
        &[("graph.json", url("graph.json")), ("weights.safetensors", url("weights.safetensors"))],
    );
}

fn shown_model(page: &Page) -> String {
    page.eval("document.querySelector('.about h2')?.textContent ?? ''")
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn wait_model(page: &Page, name: &str) {
    page.wait_for(
        &format!("{name} to open"),
        &format!("document.querySelector('.about h2')?.textContent === '{name}'"),
        IMPORT,
    );
    page.wait_settled();
}

fn picker(page: &Page) -> Vec<(String, bool)> {
    let v = page.eval(
        "Array.from(document.querySelectorAll('[data-testid=model-picker] option')).map(o => [o.value, o.dataset.imported === 'true'])",
    );
    v.as_array()
        .into_iter()
        .flatten()
        .map(|p| (p[0].as_str().unwrap_or_default().to_string(), p[1] == true))
        .collect()
}

/// Largest difference, in 1/255 steps, between RGBA bytes drawn and PyTorch's pixels in [0, 1]
/// (interleaved, `channels` per pixel; a grey pixel is drawn as R = G = B).
fn max_step(rgba: &[u8], expected: &[f32], channels: usize) -> f32 {
    assert_eq!(rgba.len() / 4 * channels, expected.len(), "the canvas has the model's size");
    rgba.chunks_exact(4)
        .zip(expected.chunks_exact(channels))
        .flat_map(|(px, want)| (0..channels).map(move |c| (f32::from(px[c]) - want[c] * 255.0).abs()))
        .fold(0.0, f32::max)
}

fn gallery_canvas(page: &Page, which: &str) -> Vec<u8> {
    let v = page.eval(&format!(
        "(async () => {{ {PIXELS_OF} const c = document.querySelector('[data-testid=gallery-item] [data-testid={which}]');
            return Array.from((await pixelsOf(c)).data); }})()"
    ));
    v.as_array().expect("a canvas").iter().map(|p| p.as_u64().unwrap_or(0) as u8).collect()
}

#[test]
fn three_reference_pytorch_vaes_decode_and_encode_in_the_page_as_pytorch_does() {
    let site = site("references", &[]);
    let page = open("import-references", &site);
    for (folder, name) in REFERENCES {
        let expected =
            read_safetensors(&std::fs::read(fixtures().join(folder).join("expected.safetensors")).unwrap())
                .expect("PyTorch's own numbers beside the export");
        pick_export(&page, folder);
        wait_model(&page, name);
        let notice = page.text("notice").unwrap_or_default();
        assert!(
            notice.contains(&format!("Opened {name}")) && notice.contains("none missing"),
            "{name}: {notice}"
        );
        assert!(
            picker(&page).contains(&(name.to_string(), true)),
            "{name} is in the picker, marked imported"
        );
        // The page opens at z = 0, PyTorch's first code.
        let (shape, decoded) = &expected["decoded_pixels"];
        let per = decoded.len() / shape[0];
        let channels = per / (page.canvas_rgba().len() / 4);
        let step = max_step(&page.canvas_rgba(), &decoded[..per], channels);
        assert!(step <= 2.0, "{name}: the decode of z = 0 is {step}/255 from PyTorch's");
        // Encoding PyTorch's input image gives PyTorch's μ, and its reconstruction.
        pick(&page, "file-input", &[("input.png", format!("fixtures/{folder}/input.png"))]);
        page.wait_for(
            &format!("{name} to encode the image"),
            "document.querySelectorAll('[data-testid=gallery-item]').length === 1",
            IMPORT,
        );
        // Selecting the item sets the sliders to its μ, which the item then shows in full.
        page.eval("document.querySelector('[data-testid=gallery-item] .pair').click()");
        page.wait_for(
            "the item to be selected",
            "!!document.querySelector('[data-testid=gallery-item][data-mu]')",
            IMPORT,
        );
        let mu: Vec<f32> = page
            .eval("document.querySelector('[data-testid=gallery-item]').dataset.mu")
            .as_str()
            .unwrap_or_default()
            .split(',')
            .map(|v| v.parse().unwrap_or(f32::NAN))
            .collect();
        let want = &expected["mu"].1;
        assert_eq!(mu.len(), want.len(), "{name}: μ has the code's length");
        let d = mu.iter().zip(want).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
        assert!(d < 1e-3, "{name}: μ is {d} from PyTorch's");
        let step = max_step(&gallery_canvas(&page, "item-recon"), &expected["recon_pixels"].1, channels);
        assert!(step <= 2.0, "{name}: the reconstruction is {step}/255 from PyTorch's");
        page.screenshot(&format!("-{folder}"));
        other_views_work(&page, name);
    }
    page.finish();
}

/// Sampling, a bundled vector (one per label exported), the traversal grid and the latent map
/// on the imported model that is open.
fn other_views_work(page: &Page, name: &str) {
    let before = page.canvas_rgba();
    let id = page.latest();
    page.eval("document.querySelector('[data-testid=sample]').click()");
    page.wait_new_image(id);
    assert_ne!(page.canvas_rgba(), before, "{name}: a prior sample draws something else");
    let vectors = page.eval("Array.from(document.querySelectorAll('[data-testid=vector-choice] option')).map(o => o.value).filter(v => v)");
    let first = vectors.as_array().and_then(|v| v.first()).and_then(|v| v.as_str()).map(str::to_string);
    let first = first.unwrap_or_else(|| panic!("{name}: the labels' vectors are offered: {vectors}"));
    select(page, "vector-choice", &first);
    let (id, shown) = (page.latest(), page.canvas_rgba());
    input(page, "vector-strength", "2");
    page.wait_new_image(id);
    assert_ne!(page.canvas_rgba(), shown, "{name}: adding the {first} vector changes the picture");
    page.eval("document.querySelector('[data-testid=view-tab][data-view=traversal]').click()");
    page.wait_for(
        &format!("{name}'s traversal grid"),
        "document.querySelectorAll('[data-testid=traversal-cell]').length > 0",
        IMPORT,
    );
    page.eval("document.querySelector('[data-testid=view-tab][data-view=map]').click()");
    page.wait_for(
        &format!("{name}'s latent map"),
        "!!document.querySelector('[data-testid=map-surface]')",
        IMPORT,
    );
    page.eval("document.querySelector('[data-testid=view-tab][data-view=workbench]').click()");
}

#[test]
fn an_imported_model_is_kept_across_a_reload_until_removed() {
    let site = site("kept", &[]);
    let page = open("import-kept", &site);
    pick_export(&page, "mlp-vae");
    wait_model(&page, "mlp-vae-torch");
    // Kept in IndexedDB once loaded: a reload (with a link to it) opens it again, without the files.
    let before = page.requests().len();
    page.eval("(() => { location.hash = '#m=mlp-vae-torch'; location.reload(); })()");
    std::thread::sleep(Duration::from_millis(500));
    page.wait_ready();
    wait_model(&page, "mlp-vae-torch");
    assert!(picker(&page).contains(&("mlp-vae-torch".to_string(), true)));
    let requests = page.requests()[before..].to_vec();
    assert!(
        !requests.iter().any(|r| r.contains("fixtures/")),
        "the reload fetched nothing of the user's files: {requests:?}"
    );
    page.eval("document.querySelector('[data-testid=remove-model]').click()");
    wait_model(&page, "mnist-vae");
    assert!(picker(&page).iter().all(|(n, _)| n != "mlp-vae-torch"));
    page.eval("location.reload()");
    std::thread::sleep(Duration::from_millis(500));
    page.wait_ready();
    assert!(picker(&page).iter().all(|(n, _)| n != "mlp-vae-torch"), "removed for good");
    page.finish();
}

/// The tiny fixture's graph (tools/torch_fixture.py), edited.
fn graph(edit: impl Fn(&mut serde_json::Value)) -> Vec<u8> {
    let mut doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fixtures().join("graph.json")).unwrap()).unwrap();
    edit(&mut doc);
    doc.to_string().into_bytes()
}

/// The tiny fixture's weights, edited.
fn weights(edit: impl Fn(&mut vae::weights_file::Tensors)) -> Vec<u8> {
    let mut all = read_safetensors(&std::fs::read(fixtures().join("weights.safetensors")).unwrap()).unwrap();
    edit(&mut all);
    write_safetensors(&all)
}

fn zip_of(entries: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    let mut z = zip::ZipWriter::new(&mut out);
    for (name, bytes) in entries {
        z.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
        z.write_all(bytes).unwrap();
    }
    z.finish().unwrap();
    out.into_inner()
}

/// What a bad case is called, its files (name, bytes) and what the notice must say.
type BadCase = (&'static str, Vec<(&'static str, Vec<u8>)>, &'static [&'static str]);

#[test]
fn bad_model_files_are_refused_naming_the_problem_and_nothing_changes() {
    let good_graph = std::fs::read(fixtures().join("graph.json")).unwrap();
    let good_weights = std::fs::read(fixtures().join("weights.safetensors")).unwrap();
    let zip = zip_of(&[("graph.json", good_graph.clone()), ("weights.safetensors", good_weights.clone())]);
    let cases: Vec<BadCase> = vec![
        (
            "pickle",
            vec![("vae.pt", vec![0x80, 0x04, 0x95, 0x10, 0, 0, 0])],
            &["vae.pt is a PyTorch checkpoint (a pickle)", "never unpickles"],
        ),
        (
            "truncated zip",
            vec![("export.zip", zip[..zip.len() * 2 / 3].to_vec())],
            &["export.zip is truncated or damaged"],
        ),
        (
            "newer format",
            vec![
                ("graph.json", graph(|d| d["format_version"] = 9.into())),
                ("weights.safetensors", good_weights.clone()),
            ],
            &["format version 9"],
        ),
        (
            "unsupported op",
            vec![
                ("graph.json", graph(|d| d["encoder"]["graph"]["nodes"][2]["op"] = "max_pool2d".into())),
                ("weights.safetensors", good_weights.clone()),
            ],
            &["encoder's node elu", "\"max_pool2d\"", "does not run"],
        ),
        (
            "shapes that do not chain",
            vec![
                (
                    "graph.json",
                    graph(|d| {
                        d["decoder"]["nodes"][10]["weight"] = "out.weight".into();
                        d["decoder"]["nodes"][10]["bias"] = "out.bias".into();
                    }),
                ),
                ("weights.safetensors", good_weights.clone()),
            ],
            &["model_mix"],
        ),
        (
            "missing weights",
            vec![
                ("graph.json", good_graph.clone()),
                (
                    "weights.safetensors",
                    weights(|w| {
                        w.remove("out.weight");
                    }),
                ),
            ],
            &["lack 1 of the tensors", "out.weight"],
        ),
        (
            "a weight of the wrong shape",
            vec![
                ("graph.json", good_graph.clone()),
                (
                    "weights.safetensors",
                    weights(|w| {
                        w.insert("from_z.weight".into(), (vec![128, 5], vec![0.1; 640]));
                    }),
                ),
            ],
            &["model_from_z"],
        ),
        (
            "NaN weights",
            vec![
                ("graph.json", good_graph.clone()),
                ("weights.safetensors", weights(|w| w.get_mut("mix.weight").unwrap().1[3] = f32::NAN)),
            ],
            &["not finite numbers", "mix.weight"],
        ),
        ("only the graph", vec![("graph.json", good_graph.clone())], &["no weights.safetensors"]),
    ];
    let extra: Vec<(String, Vec<u8>)> = cases
        .iter()
        .enumerate()
        .flat_map(|(i, (_, files, _))| files.iter().map(move |(n, b)| (format!("{i}-{n}"), b.clone())))
        .collect();
    let extra: Vec<(&str, Vec<u8>)> = extra.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
    let site = site("bad", &extra);
    let page = open("import-bad", &site);
    page.set_slider(0, 1.25);
    page.wait_settled();
    let (z, models) = (page.slider_z(), picker(&page));
    for (i, (what, files, says)) in cases.iter().enumerate() {
        let urls: Vec<(&str, String)> =
            files.iter().map(|(n, _)| (*n, format!("fixtures/made/{i}-{n}"))).collect();
        pick(&page, "model-file-input", &urls);
        page.wait_for(
            &format!("the refusal of {what}"),
            "!!document.querySelector('[data-testid=notice].error') && !document.querySelector('[data-testid=loading]')",
            IMPORT,
        );
        let notice = page.text("notice").unwrap_or_default();
        assert!(says.iter().all(|s| notice.contains(s)), "{what}: {notice}");
        assert_eq!(
            (shown_model(&page), page.slider_z(), picker(&page)),
            ("mnist-vae".to_string(), z.clone(), models.clone()),
            "{what} changed something"
        );
        page.eval("document.querySelector('[data-testid=notice] button')?.click()");
    }
    // The same files, whole and zipped, open.
    std::fs::write(site.join("fixtures/made/whole.zip"), &zip).unwrap();
    pick(&page, "model-file-input", &[("export.zip", "fixtures/made/whole.zip".into())]);
    wait_model(&page, "tiny-vae");
    page.finish();
}
