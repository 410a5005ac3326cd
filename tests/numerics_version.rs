//! The control-curve cache replays curves keyed by `NUMERICS_VERSION`: this test pins the numbers
//! to it. When a change to a kernel, the initialisation, `rand`'s streams, the batch order or the
//! loss moves the first epoch's training loss of the tiny preset's teacher (an MLP on the shipped
//! digits), this test fails: raise `NUMERICS_VERSION` in engine/src/session/control_cache.rs and
//! put the new loss here, so cached curves of the old numbers are not replayed.

mod process_support;

use mkd_tui::protocol::Event;
use mkd_tui::session::control_cache::NUMERICS_VERSION;

/// `(NUMERICS_VERSION, first-epoch training loss)` as last measured (Intel Xeon, AVX-512).
const PINNED: (u32, f64) = (1, 0.861_561_068_578_770_2);

/// Across CPUs the vector width changes the order of float sums in the last bits only; a change of
/// numerics moves the loss by far more.
const TOLERANCE: f64 = 1e-4;

#[test]
fn the_first_epoch_loss_is_the_one_pinned_to_the_numerics_version() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    let o = process_support::run_tiny(
        &out,
        &tmp.path().join("cache"),
        &["training.epochs=1"],
        None,
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let events = std::fs::read_to_string(out.join("events.jsonl")).unwrap();
    let loss = events
        .lines()
        .map(|l| serde_json::from_str::<Event>(l).unwrap())
        .find_map(|e| match e {
            Event::EpochEnd(r) if r.stage == 0 && r.epoch == 1 => Some(r.train_loss),
            _ => None,
        })
        .expect("the teacher's first epoch");
    assert!(
        (loss - PINNED.1).abs() < TOLERANCE,
        "the first-epoch loss is {loss}, pinned {} for NUMERICS_VERSION {}: if the numbers changed \
         on purpose, raise NUMERICS_VERSION and pin the new loss",
        PINNED.1,
        PINNED.0
    );
    assert_eq!(
        NUMERICS_VERSION, PINNED.0,
        "NUMERICS_VERSION changed: pin the loss measured with it"
    );
}
