//! A stage halted in its first epoch leaves non-finite numbers (a best validation accuracy of −∞):
//! every file the run writes must still be read back by every reader — `resume`, `attach`, `ls`,
//! `compare` — and no number may reach JSON as `null`.

use std::path::Path;

use mkd_tui::protocol::Event;
use mkd_tui::run_dir::Report;

mod process_support;
use process_support::{mkd_tui as bin, text, TINY};
/// The student diverges at once and its stage is halted; the run goes on to its report.
const HALT_STUDENT: [&str; 4] = [
    "--set",
    "chain.student.lr=1e30",
    "--set",
    "training.on_non_finite_loss=halt_stage",
];

fn cache(dir: &Path) -> String {
    format!(
        "distill.control_cache={}",
        dir.with_extension("cache").display()
    )
}

#[test]
fn a_run_with_a_stage_halted_in_epoch_1_is_read_back_by_every_reader() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("runs").join("halted");
    let o = bin()
        .args(["run", TINY, "--headless", "--out"])
        .arg(&dir)
        .args(HALT_STUDENT)
        .args(["--set", &cache(&dir)])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        text(&o).contains("student done: kd no epoch finished"),
        "{}",
        text(&o)
    );
    assert!(
        text(&o).contains("student: no comparison: an arm was halted"),
        "{}",
        text(&o)
    );

    // events.jsonl: every line an event, the −∞ written as a word, no number as null.
    let events = std::fs::read_to_string(dir.join("events.jsonl")).unwrap();
    for (i, line) in events.lines().enumerate() {
        serde_json::from_str::<Event>(line)
            .unwrap_or_else(|e| panic!("events.jsonl line {}: {e}: {line}", i + 1));
        assert!(!line.contains("acc\":null"), "{line}");
    }
    assert!(events.contains(r#""best_val_acc":"-inf""#), "{events}");
    let report: Report =
        serde_json::from_slice(&std::fs::read(dir.join("report.json")).unwrap()).unwrap();
    assert!(!report.models.is_empty());

    // resume: the run has finished and there is nothing to resume (exit 2), said in words.
    let o = bin().arg("resume").arg(&dir).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("the run has finished"), "{}", text(&o));

    // attach without a terminal replays every line, to the end.
    let o = bin().arg("attach").arg(&dir).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("no epoch finished"), "{}", text(&o));
    assert!(text(&o).contains("finished in"), "{}", text(&o));

    // ls lists it as finished, not skipped.
    let o = bin()
        .args(["ls", "--runs"])
        .arg(tmp.path().join("runs"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        text(&o)
            .lines()
            .any(|l| l.starts_with("halted") && l.contains("finished")),
        "{}",
        text(&o)
    );
}

#[test]
fn compare_reads_the_reports_of_runs_whose_student_was_halted() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("cmp");
    let o = bin()
        .args([
            "compare",
            TINY,
            "--seeds",
            "1",
            "--strategies",
            "scratch,kd",
            "--out",
        ])
        .arg(&out)
        .args(HALT_STUDENT)
        .args(["--set", "training.epochs=1", "--set", &cache(&out)])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let table: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("compare.json")).unwrap()).unwrap();
    assert!(table.is_object());
    assert!(out.join("compare.md").is_file());
}
