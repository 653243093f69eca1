//! The kernels' layer timings (crates/kernels/examples/layer_bench.rs) in headless Chromium,
//! the engine the page runs them in (node's V8 is older). A tool for bench/OPTIMISATION.md, run
//! by hand: `cargo run -p e2e --bin layer_bench -- path/to/layer_bench.wasm`.

use e2e::{Mode, Page};

fn main() {
    let wasm = std::env::args().nth(1).expect("the path of layer_bench.wasm");
    let site = std::env::temp_dir().join(format!("latent-lab-layer-bench-{}", std::process::id()));
    std::fs::create_dir_all(&site).expect("make the page's folder");
    std::fs::copy(&wasm, site.join("layer_bench.wasm")).expect("copy the wasm module");
    let js = e2e::workspace().join("crates/kernels/examples/layer_bench.js");
    std::fs::copy(js, site.join("layer_bench.js")).expect("copy the runner");
    std::fs::write(
        site.join("index.html"),
        "<!doctype html><title>layer bench</title><script type=module>\
         import { run } from './layer_bench.js';\
         window.result = fetch('layer_bench.wasm').then(r => r.arrayBuffer())\
           .then(b => run(b, () => performance.now()));</script>",
    )
    .expect("write the page");
    let page = Page::open_site("layer-bench", Mode::Cpu, &site, "", &[]);
    page.wait_for("the module", "window.result !== undefined", std::time::Duration::from_secs(30));
    let text = page.eval("window.result");
    println!("{}", text.as_str().unwrap_or("(no result)"));
    let _ = std::fs::remove_dir_all(&site);
}
