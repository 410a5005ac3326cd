//! The control-curve cache: a hit replays the scratch curve instead of training it, any change of
//! an input is a miss, and a corrupt file is ignored with a warning and rewritten.

use std::path::{Path, PathBuf};

use mkd_tui::protocol::{ArmKind, Event};
use mkd_tui::session::control_cache::{CacheKey, CachedCurve, ControlCache, Lookup};
use mkd_tui::session::Plan;

mod session_support;

fn preset_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny-digits.yaml")
}

fn plan(overrides: &[&str]) -> Plan {
    let o: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    Plan::new(&mkd_tui::preset::load(&preset_path(), &o).unwrap().preset)
}

/// Run tiny-digits to the end with the cache in `cache`; all events.
/// The cache key of stage `stage` under `p`, for the data files `p` names.
fn key_of(p: &Plan, stage: usize) -> CacheKey {
    let data = mkd_tui::data::fingerprint(&p.preset.data).unwrap();
    CacheKey::new(p, &p.stages[stage], &data)
}

fn run(out: &Path, cache: &Path, overrides: &[&str]) -> Vec<Event> {
    let cache = format!("distill.control_cache={}", cache.display());
    let mut all = overrides.to_vec();
    all.push(&cache);
    session_support::run_to_end(out, &all)
}

fn scratch_curve(events: &[Event], model: &str) -> Vec<(usize, f64, f64)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::EpochEnd(r) if r.model == model && r.arm == ArmKind::Scratch => {
                Some((r.epoch, r.val_acc, r.test_acc))
            }
            _ => None,
        })
        .collect()
}

fn cached_models(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::ControlCached { model, .. } => Some(model.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn second_run_replays_the_scratch_curves_from_the_cache() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("cache");
    let first = run(&tmp.path().join("a"), &cache, &["training.epochs=2"]);
    assert!(cached_models(&first).is_empty());
    let second = run(&tmp.path().join("b"), &cache, &["training.epochs=2"]);
    assert_eq!(
        cached_models(&second),
        vec!["ta1".to_string(), "student".to_string()]
    );
    for model in ["ta1", "student"] {
        assert_eq!(
            scratch_curve(&first, model),
            scratch_curve(&second, model),
            "{model}"
        );
    }
    // The replayed arm is marked cached and wrote no checkpoint in this run.
    let cached_arm = second
        .iter()
        .find_map(|e| match e {
            Event::StageFinished { model, arms, .. } if model == "student" => {
                arms.iter().find(|a| a.arm == ArmKind::Scratch).cloned()
            }
            _ => None,
        })
        .unwrap();
    assert!(cached_arm.cached && cached_arm.checkpoint.is_none());
    // A different schedule length is a miss.
    let third = run(&tmp.path().join("c"), &cache, &["training.epochs=3"]);
    assert!(cached_models(&third).is_empty());
}

#[test]
fn every_key_input_changes_the_key() {
    let base_plan = plan(&[]);
    let base = key_of(&base_plan, 2);
    let changes: [&[&str]; 13] = [
        &["chain.student.arch.hidden=[9]"],
        &["chain.student.arch.dropout=0.2"],
        &["data.augment={pad: 1}"],
        &["data.augment={flip: true}"],
        &["data.val_size=301"],
        &["data.test_size=301"],
        &["data.train_limit=1000"],
        &["data.test_limit=200"],
        &["seed=8"],
        &["training.optimizer.lr=0.02"],
        &["training.schedule={kind: constant}"],
        &["training.epochs=3"],
        &["training.batch_size=32"],
    ];
    for change in changes {
        let p = plan(change);
        let key = key_of(&p, 2);
        assert_ne!(key.hash(), base.hash(), "{change:?} must change the key");
    }
    // Things a scratch curve does not depend on do not change it.
    for same in [
        &["distill.temperature=9"][..],
        &["distill.alpha=0.1"],
        &["distill.kl_reduction=mean"],
        &["stop.patience=5"],
        // Augmentation off written out is the same key as none (keys from before it existed).
        &["data.augment={pad: 0, jitter: 0, flip: false}"],
    ] {
        let p = plan(same);
        assert_eq!(key_of(&p, 2).hash(), base.hash(), "{same:?}");
    }
    // The same architecture at another stage has other initial weights and data order.
    assert_ne!(key_of(&base_plan, 1).hash(), base.hash());
}

#[test]
fn lookups_hit_miss_and_reject_corrupt_files() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = ControlCache::new(tmp.path(), "test-data");
    let p = plan(&[]);
    let key = key_of(&p, 1);
    assert!(matches!(cache.lookup(&key), Lookup::Miss));
    std::fs::write(cache.path(&key), b"{ not json").unwrap();
    match cache.lookup(&key) {
        Lookup::Corrupt(why) => assert!(
            why.contains(&key.hash()) && why.contains("not a cached curve"),
            "{why}"
        ),
        _ => panic!("garbage must be reported"),
    }
    // A truncated curve (fewer epochs than the key's schedule) is not used either.
    let short = CachedCurve {
        key: key.clone(),
        records: vec![],
        result: serde_json::from_value(serde_json::json!({
            "arm": "scratch", "best_epoch": 0, "best_val_acc": 0.0, "test_acc_at_best": 0.0,
            "last_test_acc": 0.0, "epochs_run": 0, "seconds": 0.0, "checkpoint": null
        }))
        .unwrap(),
    };
    cache.store(&short).unwrap();
    assert!(
        matches!(cache.lookup(&key), Lookup::Corrupt(why) if why.contains("0 epochs stored, 2 expected"))
    );
}

#[test]
fn corrupt_cache_file_is_ignored_with_a_warning_and_rewritten() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("cache");
    run(&tmp.path().join("a"), &cache, &["training.epochs=2"]);
    let p = plan(&["training.epochs=2"]);
    let file = ControlCache::new(&cache, "unused").path(&key_of(&p, 2));
    assert!(file.is_file());
    std::fs::write(&file, b"garbage").unwrap();
    let events = run(&tmp.path().join("b"), &cache, &["training.epochs=2"]);
    assert_eq!(
        cached_models(&events),
        vec!["ta1".to_string()],
        "student's scratch arm is retrained"
    );
    assert!(events.iter().any(|e| matches!(e, Event::Log { message, .. } if message.contains("ignoring the control cache") && message.contains("not a cached curve"))));
    // Rewritten: the next run hits for both.
    let events = run(&tmp.path().join("c"), &cache, &["training.epochs=2"]);
    assert_eq!(
        cached_models(&events),
        vec!["ta1".to_string(), "student".to_string()]
    );
}

/// A replaced or edited data file (same name, other bytes) is a miss: the key holds the files'
/// SHA-256, and so does a change of the numerics version.
#[test]
fn other_data_bytes_or_numerics_change_the_key() {
    let tmp = tempfile::tempdir().unwrap();
    let original = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/digits/digits.csv.gz");
    let bytes = std::fs::read(&original).unwrap();
    let mut edited = bytes.clone();
    let last = edited.len() - 1;
    edited[last] ^= 1;
    let mut sums = Vec::new();
    for (name, body) in [("a", &bytes), ("b", &edited)] {
        std::fs::create_dir_all(tmp.path().join(name).join("digits")).unwrap();
        std::fs::write(tmp.path().join(name).join("digits/digits.csv.gz"), body).unwrap();
        let mut p = plan(&[]);
        p.preset.data.root = tmp.path().join(name);
        sums.push(mkd_tui::data::fingerprint(&p.preset.data).unwrap());
    }
    assert_ne!(sums[0], sums[1]);
    let p = plan(&[]);
    assert_eq!(sums[0], mkd_tui::data::fingerprint(&p.preset.data).unwrap());
    let a = CacheKey::new(&p, &p.stages[2], &sums[0]);
    let b = CacheKey::new(&p, &p.stages[2], &sums[1]);
    assert_ne!(a.hash(), b.hash());
    let older = CacheKey {
        numerics: a.numerics - 1,
        ..a.clone()
    };
    assert_ne!(older.hash(), a.hash());
}

/// Concurrent Slurm tasks of one seed share `<comparison>/seed-S/control-cache` and may train and
/// store the same curve at once: every look-up meanwhile sees the whole curve, never half of it.
#[test]
fn writers_storing_the_same_curve_at_once_never_show_a_reader_half_a_file() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("cache");
    run(&tmp.path().join("a"), &dir, &["training.epochs=2"]);
    let p = plan(&[&format!("distill.control_cache={}", dir.display())]);
    let data = mkd_tui::data::fingerprint(&p.preset.data).unwrap();
    let cache = ControlCache::new(&dir, data);
    let key = cache.key(&p, &p.stages[1]);
    let Lookup::Hit(curve) = cache.lookup(&key) else {
        panic!("the run stored its curve");
    };
    let done = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|s| {
        let writers: Vec<_> = (0..3)
            .map(|_| {
                s.spawn(|| {
                    for _ in 0..20 {
                        cache.store(&curve).unwrap();
                    }
                })
            })
            .collect();
        let reader = s.spawn(|| {
            let mut looks = 0;
            while !done.load(std::sync::atomic::Ordering::SeqCst) {
                match cache.lookup(&key) {
                    Lookup::Hit(c) => assert_eq!(*c, *curve),
                    Lookup::Miss => panic!("the file vanished during a rename"),
                    Lookup::Corrupt(why) => panic!("a reader saw a torn file: {why}"),
                }
                looks += 1;
            }
            looks
        });
        for w in writers {
            w.join().unwrap();
        }
        done.store(true, std::sync::atomic::Ordering::SeqCst);
        assert!(reader.join().unwrap() > 0);
    });
    // No temporary file is left beside the curves.
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| n.ends_with(".json")), "{names:?}");
}
