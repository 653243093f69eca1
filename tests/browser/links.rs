//! A link that cannot be followed gives a notice and the default view, never a broken page.

use e2e::{Mode, Page};

fn opens_with_notice(name: &str, hash: &str, expect: &str) {
    let page = Page::open(name, Mode::Cpu, &format!("?backend=cpu{hash}"));
    page.wait_ready();
    page.wait_settled();
    let notice = page.text("notice").expect("a notice about the link");
    assert!(notice.contains(expect), "{notice}");
    // The default model is shown and works.
    let picked = page.eval("document.querySelector('[data-testid=model-picker]').value");
    assert_eq!(picked.as_str(), Some("mnist-vae"));
    let id = page.latest();
    page.set_slider(0, 1.0);
    page.wait_new_image(id);
    page.finish();
}

#[test]
fn a_link_to_an_unknown_model_shows_the_default_model() {
    opens_with_notice("link-unknown-model", "#m=no-such-model", "not available here");
}

#[test]
fn a_malformed_link_shows_the_default_view() {
    opens_with_notice("link-malformed", "#m=mnist-vae&z=1,banana,3", "could not be read");
}
