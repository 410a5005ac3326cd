//! Seeded permutations and split indices.

use std::collections::HashSet;
use std::path::Path;

use mkd_tui::data::epoch_order;
use mkd_tui::data::split::{split_with_test_set, split_without_test_set};
use mkd_tui::data::DataError;
use mkd_tui::preset::{DataConfig, DatasetKind};

fn cfg(val_size: usize) -> DataConfig {
    DataConfig {
        dataset: DatasetKind::FashionMnist,
        root: "unused".into(),
        val_size,
        test_size: None,
        train_limit: None,
        test_limit: None,
        augment: Default::default(),
    }
}

#[test]
fn epoch_order_is_a_seeded_permutation() {
    let a = epoch_order(1000, 5);
    let mut sorted = a.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, (0..1000).collect::<Vec<_>>());
    assert_eq!(a, epoch_order(1000, 5));
    assert_ne!(a, epoch_order(1000, 6));
    assert_ne!(a, sorted, "shuffled");
    assert!(epoch_order(0, 1).is_empty());
    assert_eq!(epoch_order(1, 1), vec![0]);
}

#[test]
fn official_test_set_split() {
    let dir = Path::new("ds");
    let s = split_with_test_set(1000, 300, &cfg(100), 42, dir).unwrap();
    assert_eq!((s.train.len(), s.val.len(), s.test.len()), (900, 100, 300));
    let train: HashSet<_> = s.train.iter().collect();
    let val: HashSet<_> = s.val.iter().collect();
    assert!(train.is_disjoint(&val));
    assert_eq!(train.union(&val).count(), 1000);
    assert!(s.train.windows(2).all(|w| w[0] < w[1]), "file order");
    assert!(s.val.windows(2).all(|w| w[0] < w[1]), "file order");
    assert_eq!(s.test, (0..300).collect::<Vec<_>>());

    assert_eq!(
        s,
        split_with_test_set(1000, 300, &cfg(100), 42, dir).unwrap()
    );
    let other = split_with_test_set(1000, 300, &cfg(100), 43, dir).unwrap();
    assert_ne!(s.val, other.val);
    // The validation set is a random sample, not a block of the file.
    assert!(*s.val.last().unwrap() - s.val[0] > 500);
}

#[test]
fn train_limit_takes_a_reproducible_subset_of_the_train_part() {
    let dir = Path::new("ds");
    let full = split_with_test_set(1000, 10, &cfg(100), 1, dir).unwrap();
    let mut c = cfg(100);
    c.train_limit = Some(50);
    c.test_limit = Some(3);
    let limited = split_with_test_set(1000, 10, &c, 1, dir).unwrap();
    assert_eq!(limited.val, full.val);
    assert_eq!(limited.train.len(), 50);
    assert_eq!(limited.test, vec![0, 1, 2]);
    let full_train: HashSet<_> = full.train.iter().collect();
    assert!(limited.train.iter().all(|i| full_train.contains(i)));
    assert_ne!(limited.train, full.train[..50], "random, not the first 50");
    assert_eq!(limited, split_with_test_set(1000, 10, &c, 1, dir).unwrap());
}

#[test]
fn single_set_split_carves_test_first() {
    let dir = Path::new("digits.csv");
    let s = split_without_test_set(100, &cfg(10), 9, dir).unwrap();
    assert_eq!((s.test.len(), s.val.len(), s.train.len()), (20, 10, 70));
    let all: HashSet<_> = s.test.iter().chain(&s.val).chain(&s.train).collect();
    assert_eq!(all.len(), 100);
    let mut c = cfg(10);
    c.test_size = Some(30);
    let s30 = split_without_test_set(100, &c, 9, dir).unwrap();
    assert_eq!(
        (s30.test.len(), s30.val.len(), s30.train.len()),
        (30, 10, 60)
    );
    assert_ne!(
        s.test,
        split_without_test_set(100, &cfg(10), 10, dir).unwrap().test
    );
}

#[test]
fn settings_that_do_not_fit_are_errors() {
    let dir = Path::new("some/dataset");
    let err = split_with_test_set(10, 5, &cfg(10), 0, dir).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("val_size = 10") && text.contains("10 images available"),
        "{text}"
    );
    assert!(text.contains("some/dataset"), "{text}");

    let mut c = cfg(2);
    c.train_limit = Some(0);
    let err = split_with_test_set(10, 5, &c, 0, dir).unwrap_err();
    assert!(
        matches!(
            err,
            DataError::BadSplit {
                setting: "train_limit",
                ..
            }
        ),
        "{err}"
    );

    let mut c = cfg(0);
    c.test_size = Some(10);
    let err = split_without_test_set(10, &c, 0, dir).unwrap_err();
    assert!(
        matches!(
            err,
            DataError::BadSplit {
                setting: "test_size",
                requested: 10,
                available: 10,
                ..
            }
        ),
        "{err}"
    );
}
