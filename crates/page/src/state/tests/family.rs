//! The autoencoder family: the units view's requests and figures, and the AE vs VAE view's table
//! of the family's manifests.

use super::*;
use bundle::{Codes, CodesFile, LabelKind};

fn sparse(dim: usize) -> Manifest {
    let mut m = manifest("mnist-sae", dim);
    m.architecture = bundle::Architecture::Mlp {
        input: 784,
        hidden: vec![16],
        latent_dim: dim,
        variational: false,
        relu_code: true,
    };
    m.codes = Some(CodesFile { file: "codes.bin".into(), count: 3, labels: LabelKind::Class });
    m
}

fn plain_ae(dim: usize) -> bundle::Architecture {
    bundle::Architecture::Mlp {
        input: 784,
        hidden: vec![16],
        latent_dim: dim,
        variational: false,
        relu_code: false,
    }
}

#[test]
fn the_units_view_draws_each_unit_alone_at_its_typical_value_once_the_test_codes_are_in() {
    let mut s = loaded_with(sparse(3));
    assert_eq!(s.units.id, 0, "nothing asked before the view opens");
    s.apply(Action::SetView(View::Units));
    let first = s.units.id;
    assert!(first > 0);
    assert_eq!(s.unit_codes(), Some(vec![vec![1.0, 0.0, 0.0], vec![0.0, 1.0, 0.0], vec![0.0, 0.0, 1.0]]));
    assert!(s.test_codes_wanted().is_some(), "the view wants the test codes");
    let codes = Codes {
        mu: vec![vec![2.0, 0.0, 0.0], vec![4.0, 0.5, 0.0], vec![0.0, 0.5, 0.0]],
        logvar: vec![vec![-20.0; 3]; 3],
        labels: vec![0, 1, 2],
    };
    s.apply(Action::TestCodes { model: "mnist-sae".into(), codes: Rc::new(codes) });
    let stats = s.unit_stats().unwrap();
    assert!(stats.relu);
    assert_eq!(stats.typical, vec![3.0, 0.5, 1.0]);
    assert!((stats.mean_on.unwrap() - 4.0 / 3.0).abs() < 1e-6, "{:?}", stats.mean_on);
    let second = s.units.id;
    assert!(second > first, "new typical values, new pictures");
    // Only the newest batch, of one picture per unit, is kept.
    let pictures = |n: usize| vec![vec![9u8; 784]; n];
    s.apply(Action::Worker(FromWorker::DecodedMany {
        micros: 0,
        id: first,
        lane: Lane::Units,
        images: pictures(3),
    }));
    assert!(s.units.pictures.is_none());
    s.apply(Action::Worker(FromWorker::DecodedMany {
        micros: 0,
        id: second,
        lane: Lane::Units,
        images: pictures(2),
    }));
    assert!(s.units.pictures.is_none(), "a batch of the wrong size is dropped");
    s.apply(Action::Worker(FromWorker::DecodedMany {
        micros: 0,
        id: second,
        lane: Lane::Units,
        images: pictures(3),
    }));
    assert_eq!(s.units.pictures.as_ref().map(|p| p.len()), Some(3));
    assert_eq!(s.link().view.as_deref(), Some("units"), "the view is in the link");
}

#[test]
fn the_family_table_takes_the_shipped_members_once_in_order() {
    let mut s = loaded("mnist-vae", 2);
    s.models = FAMILY
        .iter()
        .map(|n| IndexEntry {
            name: n.to_string(),
            description: String::new(),
            latent_dim: 32,
            imported: false,
        })
        .collect();
    assert!(s.family_wanted().is_empty(), "nothing before the view opens");
    s.apply(Action::SetView(View::Compare));
    assert_eq!(s.family_wanted().len(), FAMILY.len());
    let mut stacked = manifest("mnist-stacked", 32);
    stacked.architecture = plain_ae(32);
    stacked.training.greedy_epochs = 4;
    stacked.metrics.insert("greedy_stage_1_recon_mse".into(), 0.02);
    stacked.metrics.insert("greedy_stage_2_recon_mse".into(), 0.03);
    stacked.metrics.insert("test_recon_mse".into(), 0.01);
    s.apply(Action::FamilyManifest(Box::new(stacked.clone())));
    s.apply(Action::FamilyManifest(Box::new(manifest("mnist-ae", 32))));
    s.apply(Action::FamilyManifest(Box::new(stacked)));
    s.apply(Action::FamilyManifest(Box::new(manifest("faces-vae", 32))));
    let names: Vec<&str> = s.compare.family.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, vec!["mnist-ae", "mnist-stacked"], "in the family's order, once each, members only");
    assert_eq!(stage_errors(&s.compare.family[1]), vec![0.02, 0.03, 0.01]);
    assert_eq!(family_kind(&s.compare.family[1]), "stacked AE");
    assert_eq!(family_kind(&sparse(4)), "sparse AE");
    let mut dae = manifest("mnist-dae", 32);
    dae.architecture = plain_ae(32);
    dae.training.input_mask = 0.5;
    assert_eq!(family_kind(&dae), "denoising AE");
    let mut learned = manifest("mnist-vae", 2);
    assert_eq!(family_kind(&learned), "VAE");
    learned.prior = Some(latent::prior::Mixture {
        weights: vec![1.0],
        means: vec![vec![0.0, 0.0]],
        log_vars: vec![vec![0.0, 0.0]],
    });
    assert_eq!(family_kind(&learned), "VAE (learned prior)");
    assert!(stage_errors(&dae).is_empty());
}
