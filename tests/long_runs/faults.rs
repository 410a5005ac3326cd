use super::*;

#[test]
fn a_diverging_stage_is_halted_and_the_preset_says_whether_the_run_goes_on() {
    let tmp = tempfile::tempdir().unwrap();
    let run = |name: &str, extra: &[&str]| {
        let dir = tmp.path().join(name);
        let o = bin()
            .args(["run", TINY, "--headless", "--out"])
            .arg(&dir)
            .args(["--set", "chain.student.lr=1e30", "--set"])
            .arg(format!(
                "distill.control_cache={}",
                tmp.path().join("cache").display()
            ))
            .args(extra)
            .output()
            .unwrap();
        (dir, o)
    };
    let (dir, o) = run("stops", &[]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("student kd arm: training loss"), "{err}");
    assert!(err.contains("at epoch 1, batch"), "{err}");
    assert!(err.contains("the run stops"), "{err}");
    let halted = events(&dir).into_iter().find_map(|e| match e {
        Event::StageHalted {
            model,
            epoch,
            run_goes_on,
            ..
        } => Some((model, epoch, run_goes_on)),
        _ => None,
    });
    assert_eq!(halted, Some(("student".to_string(), 1, false)));
    assert_eq!(state(&dir), "failed");

    let (dir, o) = run(
        "goes-on",
        &["--set", "training.on_non_finite_loss=halt_stage"],
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    let report = std::fs::read_to_string(dir.join("report.md")).unwrap();
    assert!(report.contains("## Halted stages"), "{report}");
    assert!(report.contains("student kd arm: training loss"), "{report}");
}

#[test]
fn a_headless_run_goes_on_after_sighup_with_its_lines_in_run_log() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    let o = run_tiny(&dir, Some("hup@1:2:3"));
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(
        !err.contains("finished in"),
        "after the hangup nothing goes to the terminal: {err}"
    );
    assert_eq!(state(&dir), "finished");
    let log = std::fs::read_to_string(dir.join("run.log")).unwrap();
    assert!(log.contains("hung up"), "{log}");
    assert!(log.contains("student kd      ep  3/3"), "{log}");
    assert!(log.contains("finished in"), "{log}");
}

/// A dynamic run killed after the planner chose its chain resumes on that chain without probing
/// again, and ends as the uninterrupted run did.
#[test]
fn a_dynamic_run_resumed_after_the_planner_trains_the_chosen_chain() {
    let tmp = tempfile::tempdir().unwrap();
    let planner = "planner={ladder: {kind: mlp, widths: [64, 32, 16]}, max_ratio: 2, probe_fraction: 0.5, min_gain: -100, max_assistants: 1}";
    let run = |dir: &Path, fault| run_tiny_with(dir, fault, &["strategy=dynamic", planner]);
    let reference = tmp.path().join("reference");
    let o = run(&reference, None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let crashed = tmp.path().join("crashed");
    let o = run(&crashed, Some("kill@1:2:3"));
    assert_eq!(o.status.code(), None, "killed by SIGKILL: {}", stderr(&o));
    assert!(crashed.join("planned-assistants.json").exists());

    let o = bin()
        .args(["resume", "--headless"])
        .arg(&crashed)
        .output()
        .unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert_eq!(epochs(&crashed), epochs(&reference));
    assert_eq!(report_metrics(&crashed), report_metrics(&reference));
    let planner_events = |d: &Path| {
        events(d)
            .into_iter()
            .filter(|e| matches!(e, Event::PlannerDecision { .. } | Event::PlanChanged { .. }))
            .count()
    };
    assert_eq!(planner_events(&crashed), planner_events(&reference));
}

/// A run that fails before it starts (no data) is listed under its preset's name as failed, and
/// `resume` of a folder that does not exist says so.
#[test]
fn a_failed_run_is_listed_by_name_and_resume_names_a_missing_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("no-data");
    let o = run_tiny_with(&dir, None, &["data.root=/nonexistent/mkd-data"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("data.root = /nonexistent/mkd-data"),
        "{}",
        stderr(&o)
    );
    let listing = ls(tmp.path());
    let line = listing.lines().find(|l| l.starts_with("no-data")).unwrap();
    assert!(
        line.contains("tiny-digits") && line.contains("failed"),
        "{listing}"
    );

    let o = bin()
        .args(["resume", "--headless"])
        .arg(tmp.path().join("missing"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no such directory"), "{}", stderr(&o));
}

/// SIGTERM after the terminal went away (SIGHUP, then stderr a closed pipe, as after an SSH drop):
/// the stop must not be lost to a write on the dead terminal. The run ends `interrupted` (130),
/// its last words in run.log.
#[test]
fn sigterm_to_a_headless_run_whose_terminal_is_gone_interrupts_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    let mut child = bin()
        .args(["run", TINY, "--headless", "--out"])
        .arg(&dir)
        .args(["--set", "training.epochs=100", "--set"])
        .arg(format!(
            "distill.control_cache={}",
            tmp.path().join("cache").display()
        ))
        .env("MKD_TUI_FAULT", "hup@0:1:1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The terminal is gone: every write to it fails (EPIPE).
    drop(child.stderr.take());
    let log = dir.join("run.log");
    wait_for("the hangup in run.log", || {
        std::fs::read_to_string(&log).is_ok_and(|t| t.contains("hung up"))
    });
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let start = Instant::now();
    let code = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status.code();
        }
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("the run did not stop after SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(code, Some(130));
    assert_eq!(state(&dir), "interrupted");
    let log = std::fs::read_to_string(&log).unwrap();
    assert!(log.contains("stopping after the current batch"), "{log}");
    assert!(log.contains("mkd-tui resume"), "{log}");
}
