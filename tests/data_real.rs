//! The real datasets shipped in `data/`: checksums and one Fashion-MNIST load.

use std::path::{Path, PathBuf};
use std::time::Instant;

use mkd_tui::data::file_bytes::read_bytes;
use mkd_tui::data::{load, BatchSource};
use mkd_tui::preset::{DataConfig, DatasetKind};
use sha2::{Digest, Sha256};

fn data_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data")
}

#[test]
fn decompressed_files_match_sha256sums() {
    let root = data_root();
    let sums = std::fs::read_to_string(root.join("SHA256SUMS")).unwrap();
    let mut checked = 0;
    for line in sums.lines().filter(|l| !l.trim().is_empty()) {
        let (want, name) = line.split_once("  ").expect("`<hex>  <name>` lines");
        let gz = root.join(format!("{name}.gz"));
        let path = if gz.is_file() { gz } else { root.join(name) };
        let bytes = read_bytes(&path).unwrap();
        let got: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(got, want, "{}", path.display());
        checked += 1;
    }
    assert_eq!(checked, 8);
}

#[test]
fn fashion_mnist_loads_with_official_sizes() {
    let cfg = DataConfig {
        dataset: DatasetKind::FashionMnist,
        root: data_root(),
        val_size: 5000,
        test_size: None,
        train_limit: None,
        test_limit: None,
        augment: Default::default(),
    };
    let start = Instant::now();
    let d = load(&cfg, 42).unwrap();
    eprintln!("fashion-mnist load: {:.2?}", start.elapsed());

    assert_eq!(
        (d.train.len(), d.val.len(), d.test.len()),
        (55_000, 5_000, 10_000)
    );
    assert_eq!(
        (
            d.shape.channels,
            d.shape.height,
            d.shape.width,
            d.num_classes
        ),
        (1, 28, 28, 10)
    );
    let mut per_class = [0usize; 10];
    for &l in d.train.labels().iter().chain(d.val.labels()) {
        per_class[l as usize] += 1;
    }
    assert_eq!(
        per_class, [6000; 10],
        "the official training set is balanced"
    );
    let mut test_per_class = [0usize; 10];
    for &l in d.test.labels() {
        test_per_class[l as usize] += 1;
    }
    assert_eq!(test_per_class, [1000; 10]);
    // Published statistics of the full training set: mean 0.2860, std 0.3530.
    assert!((d.mean[0] - 0.286).abs() < 0.005, "{:?}", d.mean);
    assert!((d.std[0] - 0.353).abs() < 0.005, "{:?}", d.std);
    // The first test image is an ankle boot (class 9).
    assert_eq!(d.test.labels()[0], 9);
    let (x, y) = d.test.gather(&[0, 1], &candle_core::Device::Cpu).unwrap();
    assert_eq!(x.dims(), &[2, 1, 28, 28]);
    assert_eq!(y.to_vec1::<u32>().unwrap(), d.test.labels()[..2].to_vec());
}
