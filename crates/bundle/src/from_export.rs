//! An exported PyTorch model (`graph.json`) as the manifest every view of the page reads, so an
//! imported model goes through the same sliders, gallery, vectors and map as our own bundles.

use crate::exported::{Exported, OutputRange};
use crate::{Architecture, FORMAT_VERSION, ImageShape, Manifest, SliderOrder, Training};

/// `training.dataset` of an imported model: the page prepares its inputs plainly
/// (`image_input::preprocess::InputKind::Plain`), knowing nothing of its data.
pub const IMPORTED_DATASET: &str = "imported";

impl Exported {
    /// The manifest of this model: the graphs become its architecture, the panels' data (labels,
    /// vectors, map, KL) its own fields. Without a KL per dimension the sliders are ordered by how
    /// much each dimension moves the picture, measured by the worker on loading (placeholder
    /// zeros until then).
    pub fn into_manifest(self) -> Manifest {
        let d = self.model.latent_dim;
        let image = ImageShape {
            width: self.model.image.width,
            height: self.model.image.height,
            channels: self.model.image.channels,
        };
        let (kl_per_dim, slider_order) = if self.kl_per_dim.len() == d {
            (self.kl_per_dim, SliderOrder::Kl)
        } else {
            (vec![0.0; d], SliderOrder::OutputChange)
        };
        let encoder = if self.model.encoder.is_some() { "with its encoder" } else { "decoder only" };
        let likelihood = match self.model.output {
            OutputRange::Logits => "bernoulli",
            OutputRange::Sigmoid | OutputRange::Tanh => "unknown",
        };
        let description = format!(
            "Imported from PyTorch ({encoder}; {}×{}×{}, {d}-D code). It runs only in this browser and never leaves it.",
            image.width, image.height, image.channels
        );
        Manifest {
            format_version: FORMAT_VERSION,
            name: self.name,
            description,
            latent_dim: d,
            image,
            likelihood: likelihood.into(),
            beta: 1.0,
            training: Training {
                dataset: IMPORTED_DATASET.into(),
                epochs: 0,
                batch_size: 0,
                learning_rate: 0.0,
                learning_rate_schedule: String::new(),
                seed: 0,
                seconds: 0.0,
                backend: "PyTorch".into(),
                samples_per_second: 0.0,
                input_mask: 0.0,
                sparsity: 0.0,
                greedy_epochs: 0,
            },
            kl_per_dim,
            label_names: self.label_names,
            label_means: Vec::new(),
            vectors: self.vectors,
            map: self.map,
            metrics: Default::default(),
            examples: Vec::new(),
            weights: None,
            ood: None,
            architecture: Architecture::Imported(Box::new(self.model)),
            slider_order,
            codes: None,
            prior: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::exported::Exported;
    use crate::{Manifest, SliderOrder};

    fn tiny() -> String {
        std::fs::read_to_string(paths::root().join("tests/fixtures/torch/graph.json")).expect("the fixture")
    }

    #[test]
    fn an_exported_model_becomes_a_manifest_that_parses_and_keeps_its_panels() {
        let exported = Exported::parse(&tiny()).unwrap();
        let vectors = exported.vectors.len();
        let m = exported.into_manifest();
        assert!(m.architecture.is_imported());
        assert_eq!((m.latent_dim, m.image.len(), m.vectors.len()), (6, 256, vectors));
        assert_eq!(m.slider_order, SliderOrder::Kl, "the fixture was exported with labels, so with KL");
        // What the page sends the worker reads back as the same manifest.
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(Manifest::parse(&json).unwrap(), m);
    }

    #[test]
    fn without_kl_the_sliders_wait_for_the_measured_output_change() {
        let mut doc: serde_json::Value = serde_json::from_str(&tiny()).unwrap();
        doc["kl_per_dim"] = serde_json::json!([]);
        let m = Exported::parse(&doc.to_string()).unwrap().into_manifest();
        assert_eq!((m.slider_order, m.kl_per_dim), (SliderOrder::OutputChange, vec![0.0; 6]));
    }

    #[test]
    fn a_newer_format_or_a_file_of_something_else_is_refused_in_words() {
        let mut doc: serde_json::Value = serde_json::from_str(&tiny()).unwrap();
        doc["format_version"] = 7.into();
        let e = Exported::parse(&doc.to_string()).unwrap_err();
        assert!(e.contains("format version 7") && e.contains("newer"), "{e}");
        let e = Exported::parse(r#"{"hello": 1}"#).unwrap_err();
        assert!(e.contains("not a model exported by tools/export_torch.py"), "{e}");
        doc["format_version"] = 1.into();
        let mut pooled = doc.clone();
        pooled["encoder"]["graph"]["nodes"][1]["op"] = "max_pool2d".into();
        let e = Exported::parse(&pooled.to_string()).unwrap_err();
        assert!(
            e.contains("encoder's node") && e.contains("\"max_pool2d\"") && e.contains("does not run"),
            "{e}"
        );
        doc["decoder"]["input"] = serde_json::json!([5]);
        assert!(Exported::parse(&doc.to_string()).unwrap_err().contains("not a code of 6"));
    }
}
