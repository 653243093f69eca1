//! Imported models: they join the picker only once built, a failure changes nothing, the
//! sliders of a model without KL follow the measured output change, and removing one forgets it.

use super::*;

fn imported(name: &str, dim: usize) -> Manifest {
    let json = std::fs::read_to_string(paths::root().join("tests/fixtures/torch/graph.json")).unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    doc["name"] = name.into();
    doc["kl_per_dim"] = serde_json::json!([]);
    let m = bundle::exported::Exported::parse(&doc.to_string()).unwrap().into_manifest();
    assert_eq!(m.latent_dim, dim);
    m
}

fn loaded_ok(s: &mut State, scores: Vec<f32>) {
    let l = s.loading.clone().expect("a load in progress");
    s.apply(Action::Worker(FromWorker::Loaded {
        id: l.id,
        name: l.manifest.name.clone(),
        backend: Backend::Cpu,
        note: Some("all 12 weight tensors applied".into()),
        dim_scores: scores,
    }));
}

#[test]
fn an_import_joins_the_picker_marked_once_loaded_and_its_sliders_follow_the_output_change() {
    let mut s = loaded("mnist-vae", 4);
    s.apply(Action::ImportModel(Box::new(imported("mine", 6))));
    assert!(s.models.iter().all(|m| m.name != "mine"), "not before the worker built it");
    assert_eq!(s.model_name(), Some("mnist-vae"));
    loaded_ok(&mut s, vec![0.1, 0.5, 0.0, 0.3, 0.2, 0.05]);
    assert_eq!(s.model_name(), Some("mine"));
    assert!(s.current_is_imported());
    let entry = s.models.iter().find(|m| m.name == "mine").expect("in the picker");
    assert!(entry.imported && entry.latent_dim == 6);
    assert_eq!(s.imports.last, Some(ImportEvent::Keep("mine".into())));
    let m = s.model.clone().unwrap();
    assert_eq!(m.dims_by_kl(), vec![1, 3, 4, 0, 5, 2]);
    assert!(s.backend_note.as_deref().unwrap_or_default().contains("weight tensors applied"));
    let notice = s.notice.clone().unwrap().text;
    assert!(
        notice.contains("Opened mine")
            && notice.contains("all 12 weight tensors applied")
            && notice.contains("moves the picture"),
        "{notice}"
    );
}

#[test]
fn an_import_the_worker_refuses_changes_nothing() {
    let mut s = loaded("mnist-vae", 4);
    s.apply(Action::SetLatent { dim: 1, value: 0.7 });
    let before = (s.models.clone(), s.z.clone(), s.imports.clone());
    s.apply(Action::ImportModel(Box::new(imported("broken", 6))));
    let id = s.loading.as_ref().unwrap().id;
    s.apply(Action::Worker(FromWorker::Failed {
        id: Some(id),
        message: "decoder: node up1 (conv2d) takes 8 channels but got 4".into(),
    }));
    assert_eq!((s.models.clone(), s.z.clone(), s.imports.clone()), before);
    assert_eq!(s.model_name(), Some("mnist-vae"));
    assert!(s.notice.as_ref().unwrap().text.contains("takes 8 channels"));
}

#[test]
fn reloading_an_imported_model_does_not_store_it_again_and_removing_forgets_it_and_its_items() {
    let mut s = loaded("mnist-vae", 4);
    let bundled =
        IndexEntry { name: "mnist-vae".into(), description: String::new(), latent_dim: 4, imported: false };
    s.apply(Action::IndexLoaded(vec![bundled]));
    s.apply(Action::ImportModel(Box::new(imported("mine", 6))));
    loaded_ok(&mut s, vec![0.1; 6]);
    let rev = s.imports.rev;
    s.apply(Action::ChooseBackend(BackendChoice::Cpu));
    loaded_ok(&mut s, vec![0.1; 6]);
    assert_eq!(s.imports.rev, rev, "a reload is not a new import");
    s.apply(Action::RemoveImported("mnist-vae".into()));
    assert!(s.models.iter().any(|m| m.name == "mnist-vae"), "a bundled model cannot be removed");
    s.apply(Action::RemoveImported("mine".into()));
    assert!(s.models.iter().all(|m| m.name != "mine"));
    assert_eq!(s.imports.last, Some(ImportEvent::Forget("mine".into())));
}

#[test]
fn restored_imports_join_the_picker_once() {
    let mut s = loaded("mnist-vae", 4);
    let e = IndexEntry { name: "mine".into(), description: "d".into(), latent_dim: 6, imported: true };
    s.apply(Action::ImportsRestored(vec![e.clone()]));
    s.apply(Action::ImportsRestored(vec![e]));
    assert_eq!(s.models.iter().filter(|m| m.name == "mine").count(), 1);
}

#[test]
fn a_model_without_a_map_maps_the_gallery_s_codes_once_there_are_three() {
    let mut m = imported("mine", 6);
    m.map = None;
    let mut s = State::new(BackendChoice::Auto);
    s.apply(Action::ImportModel(Box::new(m)));
    loaded_ok(&mut s, vec![0.1; 6]);
    let encode = |s: &mut State, mu: [f32; 6]| {
        s.apply(Action::Encode {
            name: "x.png".into(),
            input: vec![0; 256],
            pixels: vec![0.0; 256],
            example: false,
        });
        let id = s.encoding.last().unwrap().id;
        s.apply(Action::Worker(FromWorker::Encoded {
            id,
            mu: mu.to_vec(),
            logvar: vec![0.0; 6],
            recon: vec![0; 256],
        }));
    };
    encode(&mut s, [1.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
    encode(&mut s, [0.0, 2.0, 0.0, 0.0, 0.0, 0.0]);
    assert!(s.map().is_none(), "two codes make no plane worth drawing");
    encode(&mut s, [0.0, 0.0, 3.0, 0.0, 0.0, 0.0]);
    let map = s.map().expect("three codes are mapped").clone();
    assert_eq!(map.points.len(), 3);
    // The map's plane is the codes' own: each code lands where its projection says.
    for (p, item) in map.points.iter().zip(s.items()) {
        let [x, y] = map.projection.project(&item.mu);
        assert!((p[0] - x).abs() < 1e-5 && (p[1] - y).abs() < 1e-5);
    }
    // Clicking the map moves z onto that plane.
    s.apply(Action::MapClick([0.5, -0.5]));
    let back = map.projection.project(&s.z);
    assert!((back[0] - 0.5).abs() < 1e-3 && (back[1] + 0.5).abs() < 1e-3, "{back:?}");
}
