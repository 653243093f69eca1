//! Nothing leaves 127.0.0.1: a whole session of use under Chromium's network log, and the
//! Content-Security-Policy that keeps it so.

use super::robustness::{LONG, fixture, upload};
use e2e::{Mode, Page, workspace};
use std::time::Duration;

#[test]
fn a_whole_session_sends_no_request_beyond_127_0_0_1() {
    // Chromium's own network log sees every request of every thread (the worker's too), which
    // the page's DevTools session does not.
    let log = std::env::temp_dir().join(format!("latent-lab-netlog-{}.json", std::process::id()));
    let _ = std::fs::remove_file(&log);
    let flag = format!("--log-net-log={}", log.display());
    let dist = workspace().join("dist");
    let page = Page::open_site("privacy", Mode::Cpu, &dist, "?backend=cpu#m=mnist-vae", &[&flag]);
    page.wait_ready();
    upload(&page, "mine.png", &fixture("palette.png"));
    page.wait_for(
        "the upload",
        "Array.from(document.querySelectorAll('[data-testid=gallery-item]')).some(i => i.textContent.includes('mine.png'))",
        LONG,
    );
    for view in ["map", "traversal", "compare", "beta", "denoise", "workbench"] {
        page.eval(&format!("document.querySelector('[data-testid=view-tab][data-view={view}]').click()"));
        std::thread::sleep(Duration::from_millis(400));
    }
    page.eval("document.querySelector('[data-testid=export-png]').click()");
    page.eval("(() => { const s = document.querySelector('[data-testid=model-picker]'); s.value = 'faces-vae'; s.dispatchEvent(new Event('change', { bubbles: true })); })()");
    page.wait_for("faces", "document.querySelector('[data-testid=decoded]').width === 64", LONG);
    page.wait_settled();
    let origin = page.eval("location.origin").as_str().unwrap().to_string();
    assert!(origin.starts_with("http://127.0.0.1:"), "{origin}");
    // The policy that keeps it so, as served.
    let csp = page.eval("document.querySelector('meta[http-equiv=Content-Security-Policy]').content");
    assert!(
        csp.as_str()
            .is_some_and(|c| c.contains("default-src 'self'") && c.contains("connect-src 'self' blob:")),
        "{csp}"
    );
    page.finish();
    // Chromium is gone now and its log complete. The log also holds Chromium's own traffic
    // (update checks and the like, which the page cannot cause or stop); the page's and the
    // worker's requests are the ones whose initiator is the page's origin.
    let text = std::fs::read_to_string(&log).expect("Chromium wrote its network log");
    let mut by_source: std::collections::BTreeMap<u64, (bool, Vec<String>)> = Default::default();
    for line in text.lines() {
        let Ok(event) = serde_json::from_str::<serde_json::Value>(line.trim_end_matches(',')) else {
            continue;
        };
        let Some(id) = event["source"]["id"].as_u64() else { continue };
        let entry = by_source.entry(id).or_default();
        if event["params"]["initiator"].as_str() == Some(origin.as_str()) {
            entry.0 = true;
        }
        if let Some(url) = event["params"]["url"].as_str() {
            entry.1.push(url.to_string());
        }
    }
    let ours: Vec<String> =
        by_source.into_values().filter(|(mine, _)| *mine).flat_map(|(_, urls)| urls).collect();
    assert!(
        ours.iter().any(|u| u.ends_with("mnist-vae/decoder.bpk")),
        "the worker's fetches are in the log: {ours:?}"
    );
    assert!(ours.iter().any(|u| u.ends_with("faces-vae/decoder.bpk")));
    let away: Vec<&String> = ours
        .iter()
        .filter(|u| !(u.starts_with(&origin) || u.starts_with("blob:") || u.starts_with("data:")))
        .collect();
    assert!(away.is_empty(), "requests left the machine: {away:?}");
    let _ = std::fs::remove_file(&log);
}
