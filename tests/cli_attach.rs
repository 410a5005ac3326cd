//! `attach` without a terminal (a script, CI) exits with the code of the run it followed: 0
//! finished, 1 failed, 130 stopped or interrupted — not 0 whatever happened.

use std::path::Path;
use std::process::Output;

mod process_support;
use process_support::mkd_tui as bin;

/// The tiny preset headless, 2 epochs a stage, its own control cache, `extra` overrides and `fault`.
fn run_tiny(dir: &Path, extra: &[&str], fault: Option<&str>) -> Output {
    let mut sets = vec!["training.epochs=2"];
    sets.extend_from_slice(extra);
    process_support::run_tiny(dir, &dir.with_extension("cache"), &sets, fault)
}

/// `attach DIR` with its output captured (so no terminal): exit code and stderr.
fn attach(dir: &Path) -> (Option<i32>, String) {
    let o = bin().arg("attach").arg(dir).output().unwrap();
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn attach_exits_with_the_code_of_the_run_it_followed() {
    let tmp = tempfile::tempdir().unwrap();

    let finished = tmp.path().join("finished");
    assert_eq!(run_tiny(&finished, &[], None).status.code(), Some(0));
    let (code, err) = attach(&finished);
    assert_eq!(code, Some(0), "{err}");

    let failed = tmp.path().join("failed");
    let o = run_tiny(&failed, &["chain.student.lr=1e30"], None);
    assert_eq!(o.status.code(), Some(1));
    let (code, err) = attach(&failed);
    assert_eq!(code, Some(1), "a failed run attached to exits 1: {err}");

    let interrupted = tmp.path().join("interrupted");
    let o = run_tiny(&interrupted, &[], Some("term@1:1:1"));
    assert_eq!(o.status.code(), Some(130));
    let (code, err) = attach(&interrupted);
    assert_eq!(
        code,
        Some(130),
        "an interrupted run attached to exits 130: {err}"
    );
}
