//! `mkd-tui stop-replay` as a process: a fixed-epoch run of the tiny digits preset, replayed under
//! rules whose stop epoch is known by hand.

use std::process::Command;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_mkd-tui"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

const TINY: &str = "tests/fixtures/tiny-digits.yaml";

#[test]
fn replays_mark_the_stop_epoch_and_refuse_other_keys() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join("run");
    // Fixed-epoch KD: a rule that never fires, 6 epochs.
    let o = bin()
        .args(["run", TINY, "--headless", "--out"])
        .arg(&run)
        .args(["--set", "training.epochs=6"])
        .args(["--set", "stop.margin=-1000", "--set", "stop.drop=1000"])
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let replay = |set: &[&str]| {
        let mut c = bin();
        c.arg("stop-replay").arg(&run);
        for s in set {
            c.args(["--set", s]);
        }
        c.output().unwrap()
    };
    // Its own rule never fires.
    let o = replay(&[]);
    assert_eq!(o.status.code(), Some(0));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("never stops in 6 epochs"), "{out}");
    // margin 1000 holds at every epoch: the first stop is at min_epochs + patience − 1 = 2 + 2 − 1.
    let o = replay(&[
        "stop.margin=1000",
        "stop.min_epochs=2",
        "stop.patience=2",
        "stop.ema=0",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let out = String::from_utf8_lossy(&o.stdout);
    let marked: Vec<&str> = out.lines().filter(|l| l.contains("◀ stop")).collect();
    assert!(!marked.is_empty(), "{out}");
    assert!(
        marked.iter().all(|l| l.trim_start().starts_with("3 ")),
        "{out}"
    );
    assert!(out.contains("stops at epoch 3 of 6"), "{out}");
    // Only thresholds of the stop rule can be replayed.
    let o = replay(&["training.epochs=3"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("only stop.*"));
    // A missing path, a folder without runs, a run without control arms.
    let o = bin()
        .args(["stop-replay"])
        .arg(tmp.path().join("nothing"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no such folder"));
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let o = bin().arg("stop-replay").arg(&empty).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no run directory"));
    let bare = tmp.path().join("bare");
    let o = bin()
        .args(["run", TINY, "--headless", "--out"])
        .arg(&bare)
        .args(["--set", "distill.controls=[]"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    let o = bin().arg("stop-replay").arg(&bare).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("nothing to replay"));
}
