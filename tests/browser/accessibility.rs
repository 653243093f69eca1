//! Every control reachable and named: axe-core (npm, installed by `cargo xtask test`) audits the
//! real page, in every view, on a desktop and at a phone's size, and finds nothing serious; the
//! notices are a live region and every control can be reached with Tab.

use crate::workbench::{LONG, open};
use e2e::{Page, workspace};

fn axe_source() -> String {
    let path = workspace().join(".tools/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{} ({e}): `cargo xtask test` installs axe-core", path.display()))
}

/// The serious and critical violations axe finds on the page as it is now: rule, impact, help and
/// the first elements it names.
fn serious_violations(page: &Page) -> Vec<String> {
    let found = page.eval(
        "axe.run(document, { resultTypes: ['violations'] }).then(r => r.violations
            .filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => `${v.id} (${v.impact}): ${v.help}: ${v.nodes.slice(0, 4).map(n => n.target.join(' ')).join(' | ')}`))",
    );
    found.as_array().unwrap_or_else(|| panic!("axe ran: {found}")).iter().map(|v| v.to_string()).collect()
}

fn audit_every_view(page: &Page, context: &str) -> Vec<String> {
    let mut all = Vec::new();
    let views =
        page.eval("Array.from(document.querySelectorAll('[data-testid=view-tab]')).map(t => t.dataset.view)");
    let views: Vec<String> =
        views.as_array().expect("view tabs").iter().filter_map(|v| v.as_str().map(String::from)).collect();
    assert!(views.len() >= 6, "{views:?}");
    for view in views {
        page.eval(&format!("document.querySelector('[data-testid=view-tab][data-view={view}]').click()"));
        page.wait_for(
            &format!("the {view} view"),
            &format!("document.querySelector('[data-testid=views]')?.dataset.view === '{view}'"),
            LONG,
        );
        page.wait_settled();
        all.extend(serious_violations(page).into_iter().map(|v| format!("{context}, {view}: {v}")));
    }
    all
}

#[test]
fn axe_finds_no_serious_violation_in_any_view_on_a_desktop_or_a_phone() {
    let page = open("accessibility", "faces-vae");
    page.tab.evaluate(&axe_source(), false).expect("axe-core loads in the page");
    let mut found = audit_every_view(&page, "desktop");
    page.emulate_device(390, 844, true);
    found.extend(audit_every_view(&page, "phone"));
    assert!(found.is_empty(), "axe-core {}: {found:#?}", env!("CARGO_PKG_NAME"));
    page.finish();
}

#[test]
fn every_control_is_reached_by_tab_and_notices_are_announced() {
    let page = open("keyboard", "mnist-vae");
    // Walk the page with Tab as a keyboard user does (real key presses: the browser moves the
    // focus), and collect what takes it.
    page.eval("(() => { window.reached = new Set(); window.order = []; document.activeElement?.blur(); })()");
    for _ in 0..300 {
        page.tab.press_key("Tab").expect("press Tab");
        let again = page.eval(
            "(() => { const e = document.activeElement; if (!e || e === document.body) return false;
                const seen = window.reached.has(e); window.reached.add(e);
                window.order.push((e.dataset.testid || e.tagName) + (e.dataset.dim ? e.dataset.dim : '')); return seen; })()",
        );
        if again == serde_json::Value::Bool(true) {
            break;
        }
    }
    let order = page.eval("window.order.slice(-12).join(' → ')");
    let reached = page.eval(
        "(() => {
            const controls = Array.from(document.querySelectorAll('button, input, select, textarea, [role=slider], [role=tab]'))
                .filter(x => !x.disabled && x.checkVisibility({ visibilityProperty: true, contentVisibilityAuto: true }));
            const unreachable = controls.filter(x => !window.reached.has(x)).map(x => x.outerHTML.slice(0, 120));
            return { reached: window.reached.size, unreachable };
        })()",
    );
    let unreachable = reached["unreachable"].as_array().map_or(0, Vec::len);
    assert_eq!(unreachable, 0, "the walk ended: {order}; {reached}");
    assert!(reached["reached"].as_u64().unwrap_or(0) > 40, "{reached}");
    // Every control has a name a screen reader reads out.
    let unnamed = page.eval(
        "Array.from(document.querySelectorAll('button, input, select, [role=slider]')).filter(x => {
            const label = x.getAttribute('aria-label') || x.getAttribute('aria-labelledby') || x.title
                || x.textContent.trim() || (x.id && document.querySelector(`label[for=\"${x.id}\"]`)) || x.closest('label');
            return !label;
        }).map(x => x.outerHTML.slice(0, 120))",
    );
    assert_eq!(unnamed, serde_json::json!([]), "controls without a name");
    // A notice is a live region: it is read out when it appears, without moving focus. A text
    // file handed to the image picker makes one.
    page.eval(
        "(() => { const dt = new DataTransfer(); dt.items.add(new File(['not a picture'], 'notes.png', { type: 'image/png' }));
            const i = document.querySelector('[data-testid=file-input]'); i.files = dt.files; i.dispatchEvent(new Event('change', { bubbles: true })); })()",
    );
    page.wait_for("the notice", "!!document.querySelector('[data-testid=notice]')", LONG);
    let role = page.eval("document.querySelector('[data-testid=notice]').getAttribute('role')");
    assert_eq!(role, serde_json::json!("alert"));
    page.finish();
}
