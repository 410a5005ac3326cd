//! Where each dataset's files live under the data root.

use std::path::{Path, PathBuf};

use super::cifar::Cifar;
use super::error::DataError;
use crate::preset::DatasetKind;

/// The four files of an IDX dataset (MNIST, Fashion-MNIST).
#[derive(Debug, Clone)]
pub(crate) struct IdxFiles {
    pub train_images: PathBuf,
    pub train_labels: PathBuf,
    pub test_images: PathBuf,
    pub test_labels: PathBuf,
}

/// The IDX files of `kind` under `<root>/<kind>/`, each raw or `.gz`.
pub(crate) fn idx_files(root: &Path, kind: DatasetKind) -> Result<IdxFiles, DataError> {
    let dir = root.join(kind.as_str());
    let find = |stem: &str, what: &str| {
        let raw = dir.join(stem);
        let gz = dir.join(format!("{stem}.gz"));
        // Raw first: it skips the decompression when a user has unpacked the files.
        first_existing(&format!("{} {what}", kind.as_str()), vec![raw, gz])
    };
    Ok(IdxFiles {
        train_images: find("train-images-idx3-ubyte", "training images")?,
        train_labels: find("train-labels-idx1-ubyte", "training labels")?,
        test_images: find("t10k-images-idx3-ubyte", "test images")?,
        test_labels: find("t10k-labels-idx1-ubyte", "test labels")?,
    })
}

/// `<root>/digits/digits.csv.gz` or `digits.csv`.
pub(crate) fn digits_file(root: &Path) -> Result<PathBuf, DataError> {
    let dir = root.join("digits");
    first_existing(
        "digits CSV",
        vec![dir.join("digits.csv.gz"), dir.join("digits.csv")],
    )
}

/// The CIFAR batch files: `(training files, test files)`.
///
/// The folder is the first of `<root>/cifar10`, `<root>/cifar10/cifar-10-batches-bin`,
/// `<root>/cifar-10-batches-bin` (CIFAR-100: `cifar100`, `cifar-100-binary`) that holds the test file,
/// so both our name and the official archive's folder work.
pub(crate) fn cifar_files(
    root: &Path,
    format: Cifar,
) -> Result<(Vec<PathBuf>, Vec<PathBuf>), DataError> {
    let (name, official, train, test): (&str, &str, Vec<String>, &str) = match format {
        Cifar::Ten => (
            "cifar10",
            "cifar-10-batches-bin",
            (1..=5).map(|i| format!("data_batch_{i}.bin")).collect(),
            "test_batch.bin",
        ),
        Cifar::Hundred => (
            "cifar100",
            "cifar-100-binary",
            vec!["train.bin".to_string()],
            "test.bin",
        ),
    };
    let dirs = [
        root.join(name),
        root.join(name).join(official),
        root.join(official),
    ];
    let test_path = first_existing(
        &format!("{name} test batch"),
        dirs.iter().map(|d| d.join(test)).collect(),
    )?;
    let dir = test_path.parent().unwrap_or(root).to_path_buf();
    let train = train
        .iter()
        .map(|f| first_existing(&format!("{name} training batch"), vec![dir.join(f)]))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((train, vec![test_path]))
}

/// The first of `candidates` that is a file, or [`DataError::Missing`] listing them all.
fn first_existing(what: &str, candidates: Vec<PathBuf>) -> Result<PathBuf, DataError> {
    match candidates.iter().find(|p| p.is_file()) {
        Some(p) => Ok(p.clone()),
        None => Err(DataError::Missing {
            what: what.to_string(),
            tried: candidates,
        }),
    }
}
