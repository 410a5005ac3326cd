//! `mkd-tui compare` over SSH: a hangup does not stop it (its lines go on in compare.log), and a
//! comparison killed mid-way is continued by the same command with the same `--out`, keeping the
//! runs that finished. Faults land at a known batch through `MKD_TUI_FAULT`.

use std::path::Path;
use std::process::Output;

use mkd_tui::compare::CompareTable;

#[path = "process_support/mod.rs"]
mod process_support;

use process_support::compare_tiny as compare;

fn table(out: &Path) -> CompareTable {
    serde_json::from_slice(&std::fs::read(out.join("compare.json")).unwrap()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn compare_goes_on_after_sighup_with_its_lines_in_compare_log() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("cmp");
    // Every run hangs up at its first batch: the first one takes the terminal away.
    let o = compare(&out, Some("hup@0:1:1"), &[]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(
        !err.contains("[compare 4/4]"),
        "after the hangup nothing goes to the terminal: {err}"
    );
    assert_eq!(table(&out).runs.len(), 4);
    let log = std::fs::read_to_string(out.join("compare.log")).unwrap();
    assert!(log.contains("hung up"), "{log}");
    assert!(log.contains("[compare 4/4] seed 8 kd: test"), "{log}");
    assert!(log.contains("comparison in"), "{log}");
}

#[test]
fn a_killed_compare_is_continued_by_the_same_command_keeping_finished_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("cmp");
    // Scratch trains one stage; kd's second stage (the student) is where the kill lands.
    let o = compare(&out, Some("kill@1:1:1"), &[]);
    assert_eq!(o.status.code(), None, "killed by SIGKILL: {}", stderr(&o));
    let scratch = out.join("seed-7/scratch");
    assert!(scratch.join("report.json").is_file(), "{}", stderr(&o));
    let events = scratch.join("events.jsonl");
    let before = std::fs::metadata(&events).unwrap().modified().unwrap();

    let o = compare(&out, None, &[]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("seed 7 scratch: kept"), "{err}");
    let after = std::fs::metadata(&events).unwrap().modified().unwrap();
    assert_eq!(before, after, "the finished run was not redone");
    let t = table(&out);
    assert_eq!(t.runs.len(), 4);
    assert!(t.summary.iter().all(|s| s.runs == 2));

    // Another comparison in the same folder is refused, naming both.
    let o = compare(&out, None, &["--set", "training.epochs=3"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("holds a different comparison"), "{err}");
}
