//! Handing the page files as a user's pick does: images for the gallery, a PyTorch export to open.

use super::Page;
use std::time::Duration;

impl Page {
    /// Give files the page serves (`files`: the name the user's file has, its URL on the site) to
    /// the file input `testid`, as a user's pick arrives: `model-file-input` opens a model,
    /// `file-input` adds images to the gallery.
    pub fn pick_files(&self, testid: &str, files: &[(&str, String)]) {
        let list: Vec<String> = files.iter().map(|(name, url)| format!("['{name}', '{url}']")).collect();
        self.eval(&format!(
            "(async () => {{ const dt = new DataTransfer();
                for (const [name, url] of [{}]) {{ const b = await (await fetch(url)).blob(); dt.items.add(new File([b], name)); }}
                const i = document.querySelector('[data-testid={testid}]'); i.files = dt.files; i.dispatchEvent(new Event('change', {{ bubbles: true }})); }})()",
            list.join(",")
        ));
    }

    /// Open the model `tools/export_torch.py` wrote to `folder` of the site (graph.json and
    /// weights.safetensors) through the page's "Open PyTorch model" input, and wait until it
    /// is the model shown, named `name`, with its first image drawn.
    pub fn import_model(&self, folder: &str, name: &str, timeout: Duration) {
        let url = |f: &str| format!("{folder}/{f}");
        self.pick_files(
            "model-file-input",
            &[("graph.json", url("graph.json")), ("weights.safetensors", url("weights.safetensors"))],
        );
        self.wait_for(
            &format!("{name} to open"),
            &format!("document.querySelector('.about h2')?.textContent === '{name}'"),
            timeout,
        );
        self.wait_settled();
    }
}
