//! Where a model's files are served, relative to the page: `models/index.json` lists the
//! models, and each lives in `models/<name>/`. The one place these paths are spelled.

use crate::MANIFEST_FILE;

pub const INDEX_URL: &str = "models/index.json";

/// The model shown when neither a link nor the user names one (and the one a service worker
/// saves for offline use on the first visit).
pub const DEFAULT_MODEL: &str = "mnist-vae";

/// The URLs of one model's files.
pub struct ModelFiles<'a> {
    name: &'a str,
}

impl<'a> ModelFiles<'a> {
    pub fn of(name: &'a str) -> Self {
        ModelFiles { name }
    }

    pub fn manifest(&self) -> String {
        self.file(MANIFEST_FILE)
    }

    /// Any file of the bundle, such as an example image the manifest lists.
    pub fn file(&self, file: &str) -> String {
        format!("models/{}/{file}", self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_of_a_model_sits_in_its_own_folder() {
        let files = ModelFiles::of("faces-vae");
        assert_eq!(files.manifest(), "models/faces-vae/manifest.json");
        assert_eq!(files.file("decoder.bpk"), "models/faces-vae/decoder.bpk");
        assert_eq!(files.file("examples/0.png"), "models/faces-vae/examples/0.png");
        assert!(INDEX_URL.starts_with("models/"));
    }
}
