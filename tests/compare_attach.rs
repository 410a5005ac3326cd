//! `mkd-tui attach` on a comparison folder without a terminal (a follower for scripts), `compare
//! --detach`, and one process per comparison folder. The screen itself is tested in
//! `compare_screen.rs` (TestBackend) and `tui_tmux.rs` (a real terminal).

use std::path::Path;
use std::process::Output;

use mkd_tui::compare::{CellState, CompareTable, ComparisonProgress};

#[path = "process_support/mod.rs"]
mod process_support;

use process_support::{compare_tiny, mkd_tui, text};

fn table(out: &Path) -> CompareTable {
    serde_json::from_slice(&std::fs::read(out.join("compare.json")).unwrap()).unwrap()
}

/// The pid `compare --detach` printed (`pid 1234, log …`).
fn detached_pid(said: &str) -> i32 {
    said.split("pid ")
        .nth(1)
        .and_then(|s| s.split(',').next())
        .and_then(|p| p.trim().parse().ok())
        .unwrap_or_else(|| panic!("no pid in {said}"))
}

fn attach(out: &Path) -> Output {
    mkd_tui()
        .arg("attach")
        .arg(out)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
}

/// `label: mean ± half % (95 % CI, 2 seeds)` worked out here from two accuracies: the half-width
/// is t(0.975, 1) · sd / √2 with t(0.975, 1) = 12.7062.
fn mean_line(label: &str, a: f64, b: f64) -> String {
    let mean = (a + b) / 2.0;
    let sd = ((a - mean).powi(2) + (b - mean).powi(2)).sqrt();
    let half = 12.706_204_736 * sd / 2f64.sqrt();
    format!("{label}: {mean:.2} ± {half:.2} % (95 % CI, 2 seeds)")
}

#[test]
fn attach_on_a_finished_comparison_prints_every_run_and_each_mean() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("cmp");
    let o = compare_tiny(&out, None, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let t = table(&out);
    let acc = |label: &str, seed: u64| {
        t.runs
            .iter()
            .find(|r| r.label == label && r.seed == seed)
            .unwrap()
            .test_acc
    };

    // The folder read back agrees with compare.json, run by run.
    let p = ComparisonProgress::read(&out).unwrap();
    assert_eq!(p.seeds, vec![7, 8]);
    assert!(!p.live, "no process works on a finished comparison");
    for row in &p.rows {
        for cell in &row.cells {
            assert_eq!(
                cell.state,
                CellState::Done {
                    test_acc: acc(&row.label, cell.seed)
                }
            );
        }
    }

    let o = attach(&out);
    let err = text(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(
        err.contains(&format!(
            "[4/4 done] seed 8 kd: student test {:.2}% ({})",
            acc("kd", 8),
            out.join("seed-8/kd").display()
        )),
        "{err}"
    );
    for label in ["scratch", "kd"] {
        let line = mean_line(label, acc(label, 7), acc(label, 8));
        assert!(err.contains(&line), "{line} in {err}");
    }
    assert!(
        err.contains("the comparison has finished (4 runs)"),
        "{err}"
    );

    // `ls` lists the comparison after the runs (there are none at the top of this folder).
    let o = mkd_tui()
        .args(["ls", "--runs"])
        .arg(tmp.path())
        .output()
        .unwrap();
    let listed = text(&o);
    assert_eq!(o.status.code(), Some(0), "{listed}");
    let line = listed
        .lines()
        .find(|l| l.starts_with("cmp "))
        .unwrap_or_else(|| panic!("no comparison line in {listed}"));
    let mean = |label: &str| (acc(label, 7) + acc(label, 8)) / 2.0;
    let expected = format!("scratch {:.2} · kd {:.2}", mean("scratch"), mean("kd"));
    assert!(
        line.contains("tiny-digits") && line.contains("finished") && line.contains("4/4"),
        "{line}"
    );
    assert!(line.ends_with(&expected), "{line} ends with {expected}");
}

#[test]
fn attach_on_a_killed_comparison_says_it_is_not_running_and_how_to_continue() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("cmp");
    // The kill lands in kd's student stage of seed 7, after scratch finished.
    let o = compare_tiny(&out, Some("kill@1:1:1"), &[]);
    assert_eq!(o.status.code(), None, "{}", text(&o));
    let o = attach(&out);
    let err = text(&o);
    assert_eq!(o.status.code(), Some(130), "{err}");
    assert!(err.contains("seed 7 kd: stopped"), "{err}");
    assert!(err.contains("kd: no finished run"), "{err}");
    assert!(
        err.contains(&format!(
            "the comparison is not running (1/4 runs done); the same compare command with --out {} continues it",
            out.display()
        )),
        "{err}"
    );
}

#[test]
fn compare_detach_returns_at_once_and_attach_follows_it_to_the_end() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("cmp");
    let o = compare_tiny(&out, None, &["--detach"]);
    let said = text(&o);
    assert_eq!(o.status.code(), Some(0), "{said}");
    assert!(
        said.contains(&format!("comparison folder {}", out.display())),
        "{said}"
    );
    assert!(
        said.contains(&format!("watch it:    mkd-tui attach {}", out.display())),
        "{said}"
    );
    let o = attach(&out);
    let err = text(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(
        err.contains("the comparison has finished (4 runs)"),
        "{err}"
    );
    assert_eq!(table(&out).runs.len(), 4);
    let log = std::fs::read_to_string(out.join("compare.log")).unwrap();
    assert!(log.contains("[compare 4/4] seed 8 kd: test"), "{log}");
    assert!(
        !log.contains("continuing"),
        "the detached process does not call its own start a continuation: {log}"
    );
}

#[test]
fn a_comparison_folder_held_by_another_process_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("cmp");
    let o = compare_tiny(&out, None, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // This test process plays the comparison that still runs there.
    let _held = mkd_tui::run_dir::RunLock::acquire(&out).unwrap();
    assert!(mkd_tui::compare::progress::live(&out));
    let o = compare_tiny(&out, None, &[]);
    let err = text(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!(
            "another mkd-tui process (pid {}) is running this comparison; watch it with `mkd-tui attach {}`",
            std::process::id(),
            out.display()
        )),
        "{err}"
    );
}

#[test]
fn a_second_detach_on_a_running_comparison_is_refused_on_the_terminal() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("cmp");
    // Epochs enough that the first is still running when the second starts.
    let long = ["--detach", "--set", "training.epochs=20000"];
    let first = compare_tiny(&out, None, &long);
    let said = text(&first);
    assert_eq!(first.status.code(), Some(0), "{said}");
    let pid = detached_pid(&said);
    let second = compare_tiny(&out, None, &long);
    // SAFETY: kill on the pid the first detach printed (our own child's session).
    unsafe {
        libc::kill(pid, libc::SIGKILL);
    }
    let err = text(&second);
    assert_eq!(second.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!(
            "another mkd-tui process (pid {pid}) is running this comparison"
        )),
        "{err}"
    );
    assert!(!err.contains("comparison folder"), "{err}");
}

/// A comparison's runs serve their control socket like any run: a viewer opened from the
/// comparison (or `attach` on the run) steers it. Here: Pause over the socket is recorded in the
/// run's events and `ls` shows the run paused.
#[test]
fn a_comparisons_running_run_is_steered_over_its_socket() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("cmp");
    let o = compare_tiny(&out, None, &["--detach", "--set", "training.epochs=20000"]);
    let said = text(&o);
    assert_eq!(o.status.code(), Some(0), "{said}");
    let pid = detached_pid(&said);
    // The first run (seed 7 scratch) trains its 20000 epochs: its socket appears.
    let run = out.join("seed-7/scratch");
    let socket = run.join("control.sock");
    let started = std::time::Instant::now();
    while !socket.exists() && started.elapsed() < std::time::Duration::from_secs(60) {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let sent = mkd_tui::control_socket::send_command(&socket, &mkd_tui::protocol::Command::Pause);
    let mut paused = false;
    while sent.is_ok() && !paused && started.elapsed() < std::time::Duration::from_secs(60) {
        let events = std::fs::read_to_string(run.join("events.jsonl")).unwrap_or_default();
        paused = events.contains("\"event\":\"paused\"");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let listed = text(
        &mkd_tui()
            .args(["ls", "--runs"])
            .arg(out.join("seed-7"))
            .output()
            .unwrap(),
    );
    // SAFETY: the pid the detach printed: this test's own background comparison.
    unsafe {
        libc::kill(pid, libc::SIGKILL);
    }
    sent.unwrap();
    assert!(paused, "no pause event in the run's events.jsonl");
    assert!(
        listed
            .lines()
            .any(|l| l.starts_with("scratch ") && l.contains("paused")),
        "{listed}"
    );
}

/// `--collect` and `ls` say what they were given instead: a local comparison, a missing folder, a
/// file.
#[test]
fn collect_and_ls_name_what_they_were_given() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("cmp");
    let o = compare_tiny(&out, None, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let refused = |args: &[&std::ffi::OsStr], expected: String| {
        let o = mkd_tui().args(args).output().unwrap();
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o));
        assert!(text(&o).contains(&expected), "{expected} in {}", text(&o));
    };
    let collect = std::ffi::OsStr::new("--collect");
    refused(
        &["compare".as_ref(), collect, out.as_os_str()],
        format!(
            "--collect {}: a local comparison (no Slurm tasks): `mkd-tui attach {}` shows it",
            out.display(),
            out.display()
        ),
    );
    let missing = tmp.path().join("nope");
    refused(
        &["compare".as_ref(), collect, missing.as_os_str()],
        format!("--collect {}: no such folder", missing.display()),
    );
    let file = out.join("compare.md");
    refused(
        &["ls".as_ref(), "--runs".as_ref(), file.as_os_str()],
        format!("{}: a file, not a folder", file.display()),
    );
}
