//! Reads the real datasets fetched by set-up (`cargo xtask test` fetches them first). These are
//! not skipped when the data is missing: a missing file fails with the set-up hint.

use data::{Split, sets};

#[test]
fn mnist_test_split_is_the_canonical_10k() {
    let d = sets::mnist(Split::Test).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((d.len(), d.rows, d.cols), (10_000, 28, 28));
    // Canonical first test labels: 7 2 1 0 4.
    assert_eq!(&d.labels[..5], &[7, 2, 1, 0, 4]);
    let mut counts = [0usize; 10];
    d.labels.iter().for_each(|&l| counts[l as usize] += 1);
    assert_eq!(counts[1], 1135, "class counts {counts:?}");
    // Digits are bright strokes on black.
    let img = d.image(0);
    assert_eq!(img[0], 0);
    assert!(img.iter().filter(|&&p| p > 128).count() > 50);
}

#[test]
fn mnist_train_split_has_60k() {
    let d = sets::mnist(Split::Train).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(d.len(), 60_000);
    assert_eq!(d.images.len(), 60_000 * 784);
}

#[test]
fn fashion_test_split_reads() {
    let d = sets::fashion(Split::Test).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((d.len(), d.rows, d.cols), (10_000, 28, 28));
    assert!(d.labels.iter().all(|&l| l < 10));
    // Canonical first Fashion-MNIST test label: ankle boot (9).
    assert_eq!(d.labels[0], 9);
}
