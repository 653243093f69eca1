//! A lecture hall's wifi drops: after one visit the page, its worker, the models opened and the
//! gallery all come back without a network, a model never opened says so, and a newer build
//! deployed meanwhile is offered as a reload (`web/sw.js`, `state/offline.rs`).

use crate::workbench::{LONG, UPLOAD_SEVEN, open, select};
use e2e::{Mode, Page, workspace};
use std::time::Duration;

const HAS_SEVEN: &str = "Array.from(document.querySelectorAll('[data-testid=gallery-item]')).some(i => i.textContent.includes('seven.png'))";

fn wait_available(page: &Page, model: &str) {
    page.wait_for(
        &format!("{model} saved for offline use"),
        &format!(
            "document.querySelector('[data-testid=offline-status]')?.textContent === 'Available offline'
             && document.querySelector('[data-testid=model-picker] option[value=\"{model}\"]')?.dataset.offline === 'true'"
        ),
        LONG,
    );
}

#[test]
fn after_one_visit_a_reload_without_network_opens_the_app_decodes_and_keeps_the_gallery() {
    let mut page = open("offline-reload", "mnist-vae");
    page.eval(UPLOAD_SEVEN);
    page.wait_for("the upload", HAS_SEVEN, LONG);
    wait_available(&page, "mnist-vae");
    // A second model, opened once: the service worker keeps all of it, the encoder too, which
    // the page itself fetches only when something is encoded.
    select(&page, "model-picker", "fashion-vae");
    wait_available(&page, "fashion-vae");
    page.wait_settled();
    let before = page.canvas_rgba();

    page.cut_network();
    page.wait_for("the page to see it is offline", "navigator.onLine === false", LONG);
    page.reload();
    page.wait_settled();
    assert_eq!(page.eval("location.hash.includes('m=fashion-vae')"), serde_json::Value::Bool(true));
    assert_eq!(page.canvas_rgba(), before, "the same code decodes to the same image offline");
    assert_eq!(page.text("offline-status").as_deref(), Some("Offline"));
    // The worker decodes: a slider still moves the picture.
    let id = page.latest();
    page.set_slider(0, 2.0);
    page.wait_new_image(id);
    assert_ne!(page.canvas_rgba(), before);
    // Encoding works offline too.
    page.eval(UPLOAD_SEVEN);
    page.wait_for("the upload to be encoded offline", HAS_SEVEN, LONG);
    // The first model and its gallery (IndexedDB) are there as they were.
    select(&page, "model-picker", "mnist-vae");
    page.wait_for("mnist-vae to open offline", "location.hash.includes('m=mnist-vae')", LONG);
    page.wait_for("mnist-vae's gallery", HAS_SEVEN, LONG);
    page.wait_settled();

    // A model never opened says so, and the open one stays. The service worker tells the page
    // which models it keeps as soon as the page asks, at start.
    page.wait_for(
        "the saved models to be known",
        "document.querySelector('[data-testid=model-picker] option[value=\"fashion-vae\"]')?.dataset.offline === 'true'",
        Duration::from_secs(5),
    );
    let picker = page.text("model-picker").unwrap_or_default();
    assert!(picker.contains("faces-vae (32-D, not saved offline)"), "{picker}");
    assert!(!picker.contains("fashion-vae (32-D, not saved offline)"), "{picker}");
    select(&page, "model-picker", "faces-vae");
    page.wait_for(
        "the offline notice",
        "document.querySelector('[data-testid=notice]')?.textContent.includes('faces-vae is not saved for offline use')",
        LONG,
    );
    let notice = page.text("notice").unwrap_or_default();
    assert!(notice.contains("mnist-vae stays open"), "{notice}");
    assert!(notice.contains("Saved on this device: fashion-vae, mnist-vae."), "{notice}");
    page.wait_settled();
    assert_eq!(page.eval("location.hash.includes('m=mnist-vae')"), serde_json::Value::Bool(true));
    // The one request that fails is the faces-vae manifest, asked for on purpose.
    page.finish_allowing(&["net::ERR_FAILED"]);
}

/// A copy of dist/ whose service worker can be redeployed: every file linked, sw.js copied.
fn site(name: &str) -> std::path::PathBuf {
    let dist = workspace().join("dist");
    let site = std::env::temp_dir().join(format!("latent-lab-site-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&site);
    std::fs::create_dir_all(&site).unwrap();
    for entry in std::fs::read_dir(&dist).unwrap() {
        let path = entry.unwrap().path();
        let file = path.file_name().unwrap().to_owned();
        if file.to_string_lossy().starts_with("sw.js") {
            continue;
        }
        std::os::unix::fs::symlink(&path, site.join(file)).unwrap();
    }
    std::fs::copy(dist.join("sw.js"), site.join("sw.js")).unwrap();
    site
}

#[test]
fn a_newer_build_deployed_during_a_visit_is_offered_as_a_reload() {
    let site = site("update");
    let page = Page::open_site("offline-update", Mode::Cpu, &site, "?backend=cpu#m=mnist-vae", &[]);
    page.wait_ready();
    wait_available(&page, "mnist-vae");
    assert_eq!(
        page.eval("!!document.querySelector('[data-testid=update-ready]')"),
        serde_json::Value::Bool(false)
    );
    let build =
        |page: &Page| page.eval("caches.keys().then(k => k.filter(n => n.startsWith('latent-lab-')))");
    let first = build(&page);

    // Deploy: the service worker is a new file (a new build's stamp), as `cargo xtask dist` writes it.
    let worker = std::fs::read_to_string(site.join("sw.js")).unwrap();
    let stamp =
        worker.split("const BUILD = \"").nth(1).and_then(|r| r.split('"').next()).unwrap().to_string();
    std::fs::write(site.join("sw.js"), worker.replace(&stamp, &format!("{stamp}-next"))).unwrap();
    // The lecturer's students reload (or come back online): the browser checks for a new worker.
    page.reload();
    page.wait_for("the update prompt", "!!document.querySelector('[data-testid=update-ready]')", LONG);
    assert_eq!(
        page.text("update-ready").as_deref(),
        Some("A new version of Latent Lab is ready.Reload to update")
    );
    // Nothing changed under the user until they ask: the old build still runs.
    let both = build(&page);
    assert!(
        both.as_array().is_some_and(|b| b.contains(&first[0]) && b.len() == 2),
        "the new build is installed beside the old one, which still runs: {both}"
    );

    let id = page.latest();
    page.set_slider(0, 1.5);
    page.wait_new_image(id);
    page.eval("document.querySelector('[data-testid=update-reload]').click()");
    page.wait_for(
        "the new build to take over",
        &format!("caches.keys().then(k => k.includes('latent-lab-{stamp}-next') && !k.includes('latent-lab-{stamp}'))"),
        LONG,
    );
    std::thread::sleep(Duration::from_millis(500));
    page.wait_ready();
    page.wait_settled();
    assert_eq!(
        page.eval("!!document.querySelector('[data-testid=update-ready]')"),
        serde_json::Value::Bool(false)
    );
    let z = page.slider_z();
    assert!((z[0] - 1.5).abs() < 0.01, "the view came back from the link: {z:?}");
    // The model saved under the old build was saved anew under the new one.
    wait_available(&page, "mnist-vae");
    page.finish();
    let _ = std::fs::remove_dir_all(&site);
}
