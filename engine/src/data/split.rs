//! Which images go to train, validation and test: seeded, reproducible, disjoint.

use std::path::Path;

use super::error::DataError;
use super::order::epoch_order;
use crate::preset::DataConfig;
use crate::seed::{self, purpose};

/// Indices of the images of each part, each list ascending (file order).
///
/// With an official test set, `train` and `val` index the official training file(s) and `test` the
/// test file(s); without one (digits), all three index the single file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitIndices {
    pub train: Vec<usize>,
    pub val: Vec<usize>,
    pub test: Vec<usize>,
}

/// Split a dataset shipped with a test set of `n_test` images.
///
/// A permutation of the `n_train` official training images (seed `derive(seed, [VALIDATION_SPLIT])`)
/// gives `val_size` images to validation and the rest to train; `train_limit` keeps the first n of
/// that rest (a reproducible random subset). `test_limit` keeps the first n test images in file order.
/// `test_size` is ignored.
///
/// Errors: [`DataError::BadSplit`] naming `dataset` when `val_size` leaves no training image or a
/// limit is 0 or larger than what is available.
pub fn split_with_test_set(
    n_train: usize,
    n_test: usize,
    cfg: &DataConfig,
    seed: u64,
    dataset: &Path,
) -> Result<SplitIndices, DataError> {
    let (train, val) = train_val((0..n_train).collect(), cfg, seed, dataset)?;
    let test = limit_test((0..n_test).collect(), cfg, dataset)?;
    Ok(SplitIndices { train, val, test })
}

/// Split a dataset shipped as one set of `n` images (digits).
///
/// First `test_size` images (default `n / 5`) go to test, chosen by a permutation seeded with
/// `derive(seed, [TEST_SPLIT])`; then the rest is split as in [`split_with_test_set`].
///
/// Errors: [`DataError::BadSplit`] naming `dataset` when `test_size` + `val_size` leave no training
/// image or a limit is 0 or larger than what is available.
pub fn split_without_test_set(
    n: usize,
    cfg: &DataConfig,
    seed: u64,
    dataset: &Path,
) -> Result<SplitIndices, DataError> {
    let test_size = cfg.test_size.unwrap_or(n / 5);
    if test_size >= n {
        return Err(DataError::BadSplit {
            setting: "test_size",
            requested: test_size,
            available: n,
            dataset: dataset.to_path_buf(),
            why: "at least 1 image must remain for training",
        });
    }
    let (mut test, mut rest) = carve(
        &(0..n).collect::<Vec<_>>(),
        test_size,
        seed::derive(seed, &[purpose::TEST_SPLIT]),
    );
    test.sort_unstable();
    // Sorted so that the validation permutation depends only on which images remain.
    rest.sort_unstable();
    let (train, val) = train_val(rest, cfg, seed, dataset)?;
    let test = limit_test(test, cfg, dataset)?;
    Ok(SplitIndices { train, val, test })
}

/// Validation and train parts (in that order of the permutation) of `pool`, then `train_limit`.
/// Returns `(train, val)`, each ascending.
fn train_val(
    pool: Vec<usize>,
    cfg: &DataConfig,
    seed: u64,
    dataset: &Path,
) -> Result<(Vec<usize>, Vec<usize>), DataError> {
    if cfg.val_size >= pool.len() {
        return Err(DataError::BadSplit {
            setting: "val_size",
            requested: cfg.val_size,
            available: pool.len(),
            dataset: dataset.to_path_buf(),
            why: "at least 1 image must remain for training",
        });
    }
    let (mut val, mut train) = carve(
        &pool,
        cfg.val_size,
        seed::derive(seed, &[purpose::VALIDATION_SPLIT]),
    );
    if let Some(limit) = cfg.train_limit {
        check_limit("train_limit", limit, train.len(), dataset)?;
        train.truncate(limit);
    }
    train.sort_unstable();
    val.sort_unstable();
    Ok((train, val))
}

/// The first `test_limit` of `test` (already in file order).
fn limit_test(
    mut test: Vec<usize>,
    cfg: &DataConfig,
    dataset: &Path,
) -> Result<Vec<usize>, DataError> {
    if let Some(limit) = cfg.test_limit {
        check_limit("test_limit", limit, test.len(), dataset)?;
        test.truncate(limit);
    }
    Ok(test)
}

fn check_limit(
    setting: &'static str,
    limit: usize,
    available: usize,
    dataset: &Path,
) -> Result<(), DataError> {
    let why = if limit == 0 {
        "a limit must be at least 1"
    } else if limit > available {
        "a limit must not exceed the images available"
    } else {
        return Ok(());
    };
    Err(DataError::BadSplit {
        setting,
        requested: limit,
        available,
        dataset: dataset.to_path_buf(),
        why,
    })
}

/// `(taken, rest)`: the first `take` elements of a seeded permutation of `pool`, and the others, both
/// in permutation order.
fn carve(pool: &[usize], take: usize, seed: u64) -> (Vec<usize>, Vec<usize>) {
    let order = epoch_order(pool.len(), seed);
    let taken = order[..take].iter().map(|&k| pool[k]).collect();
    let rest = order[take..].iter().map(|&k| pool[k]).collect();
    (taken, rest)
}
