//! End to end: a tiny preset trained headless as a process, and its run directory checked.

use std::path::Path;
use std::process::{Command, Output};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_mkd-tui"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const TINY: &str = "tests/fixtures/tiny-digits.yaml";

#[test]
fn tiny_chain_runs_headless_and_writes_a_complete_run_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    let o = bin()
        .args(["run", TINY, "--headless", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    // One progress line per epoch per arm: teacher 2×1, ta 2×2, student 2×2.
    assert_eq!(
        err.lines().filter(|l| l.contains(" ep ")).count(),
        10,
        "{err}"
    );
    assert!(err.contains("student: distilled"), "{err}");

    for f in [
        "preset.yaml",
        "events.jsonl",
        "metrics.csv",
        "report.md",
        "report.json",
        "status.json",
    ] {
        assert!(out.join(f).is_file(), "missing {f}");
    }
    for f in [
        "teacher.safetensors",
        "ta1.safetensors",
        "ta1-scratch.safetensors",
        "student.safetensors",
        "student-scratch.safetensors",
    ] {
        assert!(
            out.join("checkpoints").join(f).is_file(),
            "missing checkpoint {f}"
        );
    }

    // Every line of events.jsonl is a JSON event; the run starts and finishes exactly once.
    let events: Vec<serde_json::Value> = std::fs::read_to_string(out.join("events.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    let kinds: Vec<&str> = events
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.first(), Some(&"log"));
    assert_eq!(kinds.iter().filter(|k| **k == "run_started").count(), 1);
    assert_eq!(kinds.last(), Some(&"run_finished"));
    assert_eq!(kinds.iter().filter(|k| **k == "epoch_end").count(), 10);
    assert_eq!(kinds.iter().filter(|k| **k == "stage_finished").count(), 3);

    // metrics.csv: header plus one row per epoch per arm, with the documented columns.
    let metrics = std::fs::read_to_string(out.join("metrics.csv")).unwrap();
    let mut lines = metrics.lines();
    assert_eq!(
        lines.next(),
        Some("model,arm,epoch,train_loss,val_acc,test_acc,lr,seconds,images_per_s,distilled")
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 10);
    assert!(rows.iter().all(|r| r.len() == 10));
    assert_eq!(
        rows.iter()
            .filter(|r| r[0] == "student" && r[1] == "kd")
            .count(),
        2
    );

    // report.json: every model, both student arms, accuracies well above chance (10 %).
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    let models = report["models"].as_array().unwrap();
    assert_eq!(models.len(), 3);
    let teacher = &models[0];
    assert_eq!(teacher["name"], "teacher");
    assert!(
        teacher["arms"][0]["test_acc_at_best"].as_f64().unwrap() > 50.0,
        "{teacher}"
    );
    let student = &models[2];
    for arm in student["arms"].as_array().unwrap() {
        for key in [
            "best_val_acc",
            "best_epoch",
            "test_acc_at_best",
            "last_test_acc",
            "epochs_run",
            "seconds",
        ] {
            assert!(!arm[key].is_null(), "student arm lacks {key}: {arm}");
        }
        assert!(arm["test_acc_at_best"].as_f64().unwrap() > 20.0, "{arm}");
    }
    let cmp = report["comparisons"].as_array().unwrap();
    let student_cmp = cmp.iter().find(|c| c["model"] == "student").unwrap();
    let delta = student_cmp["kd_test_acc"].as_f64().unwrap()
        - student_cmp["scratch_test_acc"].as_f64().unwrap();
    assert!((student_cmp["delta_pp"].as_f64().unwrap() - delta).abs() < 1e-6);

    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("## Student: distilled vs scratch"), "{md}");
    assert!(md.contains("| student | student |"), "{md}");
    let status: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("status.json")).unwrap()).unwrap();
    assert_eq!(status["state"], "finished");

    // An existing run is never overwritten.
    let o = bin()
        .args(["run", TINY, "--headless", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("refusing to write into a non-empty directory"),
        "{err}"
    );
}

#[test]
fn same_seed_gives_the_same_metrics() {
    let tmp = tempfile::tempdir().unwrap();
    let run = |name: &str| {
        let out = tmp.path().join(name);
        let o = bin()
            .args(["run", TINY, "--set", "training.epochs=1", "--out"])
            .arg(&out)
            .output()
            .unwrap();
        // stdout is a pipe here, so the run is headless without --headless.
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let csv = std::fs::read_to_string(out.join("metrics.csv")).unwrap();
        // Drop the timing columns (seconds, images/s), keep the numbers that must repeat.
        csv.lines()
            .map(|l| l.split(',').take(7).collect::<Vec<_>>().join(","))
            .collect::<Vec<_>>()
    };
    assert_eq!(run("a"), run("b"));
}

#[test]
fn missing_data_fails_with_the_path() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    let o = bin()
        .args([
            "run",
            TINY,
            "--headless",
            "--set",
            "data.root=/nonexistent-data",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("/nonexistent-data"), "{err}");
    let status = std::fs::read_to_string(out.join("status.json")).unwrap();
    assert!(status.contains("\"failed\""), "{status}");
    assert!(
        !Path::new(&out.join("report.md")).exists(),
        "a failed run has no report"
    );
}

#[test]
fn teacher_loaded_from_a_checkpoint_of_an_earlier_run() {
    let tmp = tempfile::tempdir().unwrap();
    let first = tmp.path().join("first");
    let o = bin()
        .args([
            "run",
            TINY,
            "--headless",
            "--set",
            "training.epochs=1",
            "--out",
        ])
        .arg(&first)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let weights = first.join("checkpoints/teacher.safetensors");
    let second = tmp.path().join("second");
    let o = bin()
        .args([
            "run",
            TINY,
            "--headless",
            "--set",
            "training.epochs=1",
            "--set",
        ])
        .arg(format!("chain.teacher.weights={}", weights.display()))
        .arg("--out")
        .arg(&second)
        .output()
        .unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("loading weights"), "{err}");
    let report = |dir: &Path| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap()
    };
    let (a, b) = (report(&first), report(&second));
    // Same weights, same validation split: the loaded teacher scores what it scored when trained.
    assert_eq!(
        a["models"][0]["arms"][0]["best_val_acc"],
        b["models"][0]["arms"][0]["best_val_acc"]
    );
    assert_eq!(b["models"][0]["arms"][0]["epochs_run"], 0);
    assert!(std::fs::read_to_string(second.join("report.md"))
        .unwrap()
        .contains("loaded"));
    // Wrong architecture for those weights: a clear error naming the file, exit 1.
    let third = tmp.path().join("third");
    let o = bin()
        .args([
            "run",
            TINY,
            "--headless",
            "--set",
            "chain.teacher.arch.hidden=[64]",
            "--set",
        ])
        .arg(format!("chain.teacher.weights={}", weights.display()))
        .arg("--out")
        .arg(&third)
        .output()
        .unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("teacher.safetensors"), "{err}");
}

/// Two runs of one preset started together without `--out` (a script launching seeds in a loop):
/// each claims a folder of its own (`<preset>-<time>` and `-2`), and both finish complete.
#[test]
fn two_runs_started_together_get_two_folders_and_both_finish() {
    let tmp = tempfile::tempdir().unwrap();
    let preset = Path::new(env!("CARGO_MANIFEST_DIR")).join(TINY);
    let cache = tmp.path().join("cache");
    let start = || {
        Command::new(env!("CARGO_BIN_EXE_mkd-tui"))
            .current_dir(tmp.path())
            .arg("run")
            .arg(&preset)
            .args(["--headless", "--set", "training.epochs=1", "--set"])
            .arg(format!("distill.control_cache={}", cache.display()))
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let children = [start(), start(), start()];
    for child in children {
        let o = child.wait_with_output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    let mut dirs: Vec<_> = std::fs::read_dir(tmp.path().join("runs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    dirs.sort();
    assert_eq!(dirs.len(), 3, "{dirs:?}");
    for dir in &dirs {
        let status = std::fs::read_to_string(dir.join("status.json")).unwrap();
        assert!(
            status.contains("\"finished\""),
            "{}: {status}",
            dir.display()
        );
        assert!(dir.join("report.json").is_file(), "{}", dir.display());
    }
}

/// Two processes given the same new `--out`: one runs, the other is refused and writes nothing.
#[test]
fn two_runs_given_one_out_folder_one_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("same");
    let start = || {
        bin()
            .args([
                "run",
                TINY,
                "--headless",
                "--set",
                "training.epochs=1",
                "--out",
            ])
            .arg(&out)
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let children = [start(), start()];
    let outputs: Vec<Output> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    let codes: Vec<Option<i32>> = outputs.iter().map(|o| o.status.code()).collect();
    assert!(codes.contains(&Some(0)), "{codes:?}");
    let refused = outputs
        .iter()
        .find(|o| o.status.code() != Some(0))
        .expect("one of the two is refused");
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(refused));
    assert!(
        stderr(refused).contains("refusing to write into a non-empty directory"),
        "{}",
        stderr(refused)
    );
    let status = std::fs::read_to_string(out.join("status.json")).unwrap();
    assert!(status.contains("\"finished\""), "{status}");
}

/// With `stop.enabled: false` a margin that stops every distilled model at epoch 3 with the rule
/// on (Δ ≤ 100 pp always holds) stops none: fixed-epoch KD, and the report says the rule was off.
#[test]
fn a_stop_rule_switched_off_never_stops_distillation() {
    let tmp = tempfile::tempdir().unwrap();
    let run = |name: &str, enabled: &str| {
        let out = tmp.path().join(name);
        let o = bin()
            .args(["run", TINY, "--headless", "--out"])
            .arg(&out)
            .args(["--set", "training.epochs=4", "--set", "stop.margin=100"])
            .args(["--set", &format!("stop.enabled={enabled}")])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let events = std::fs::read_to_string(out.join("events.jsonl")).unwrap();
        let stops = events
            .lines()
            .filter(|l| l.contains("\"event\":\"stop_decision\""))
            .count();
        (
            stops,
            std::fs::read_to_string(out.join("report.md")).unwrap(),
        )
    };
    let (stops_on, _) = run("on", "true");
    assert_eq!(stops_on, 2, "with the rule on, ta1 and the student stop");
    let (stops_off, md) = run("off", "false");
    assert_eq!(stops_off, 0, "{md}");
    assert!(
        md.contains("stop rule at the end: off (enabled: false)"),
        "{md}"
    );
    assert!(!md.contains("## Distillation stops"), "{md}");
}

/// `ls` on a run still running (its lock held, here by the test) shows the best test accuracy of
/// each model finished so far; with nobody holding the lock it is `interrupted`.
#[test]
fn ls_shows_finished_models_of_a_running_run() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    let o = bin()
        .args(["run", TINY, "--headless", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // Back to the moment the student's stage started: the teacher and ta1 are done.
    let events = std::fs::read_to_string(out.join("events.jsonl")).unwrap();
    let cut: Vec<&str> = events
        .lines()
        .take_while(|l| !(l.contains("\"stage_started\"") && l.contains("\"student\"")))
        .collect();
    std::fs::write(out.join("events.jsonl"), cut.join("\n") + "\n").unwrap();
    let report: mkd_tui::run_dir::Report =
        serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
    let best = |name: &str| {
        let m = report.models.iter().find(|m| m.name == name).unwrap();
        format!("{name} {:.2}", m.arms[0].result.test_acc_at_best)
    };
    mkd_tui::run_dir::Status::now(mkd_tui::run_dir::RunState::Running, None)
        .write(&out.join("status.json"))
        .unwrap();
    let ls = || {
        let o = bin()
            .args(["ls", "--runs"])
            .arg(tmp.path())
            .output()
            .unwrap();
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let lock = mkd_tui::run_dir::RunLock::acquire(&out).unwrap();
    let listing = ls();
    let line = listing.lines().find(|l| l.contains("tiny-digits")).unwrap();
    assert!(line.contains(" running "), "{listing}");
    assert!(
        line.ends_with(&format!("{} · {}", best("teacher"), best("ta1"))),
        "{listing}"
    );
    drop(lock);
    assert!(ls().contains(" interrupted "), "nobody holds the lock");
}

/// A run's files are readable by others under umask 022 (0644, as `File::create` gives), not
/// tempfile's private 0600: colleagues read the reports on a shared cluster file system.
#[test]
fn a_runs_report_and_status_follow_the_umask() {
    use std::os::unix::fs::PermissionsExt as _;
    use std::os::unix::process::CommandExt as _;
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    let mut c = bin();
    c.args(["run", TINY, "--headless", "--out"])
        .arg(&out)
        .args(["--set", "chain.assistants=[]", "--set"])
        .arg(format!(
            "distill.control_cache={}",
            tmp.path().join("cache").display()
        ));
    // SAFETY: umask(2) only, between fork and exec; it allocates nothing.
    unsafe {
        c.pre_exec(|| {
            libc::umask(0o022);
            Ok(())
        });
    }
    let o = c.output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for name in ["report.md", "status.json", "preset.yaml", "report.json"] {
        let mode = std::fs::metadata(out.join(name))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o644, "{name}: {:o}", mode & 0o777);
    }
}

/// A folder given as the preset says so, and names `resume`/`attach` when it is a run directory.
#[test]
fn a_folder_as_preset_says_a_yaml_file_is_expected() {
    let tmp = tempfile::tempdir().unwrap();
    let o = bin()
        .args(["run", "--headless"])
        .arg(tmp.path())
        .output()
        .unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!(
            "{}: is a folder; expected a preset YAML file",
            tmp.path().display()
        )),
        "{err}"
    );
    assert!(!err.contains("os error"), "{err}");
    std::fs::copy(TINY, tmp.path().join("preset.yaml")).unwrap();
    let o = bin()
        .args(["run", "--headless"])
        .arg(tmp.path())
        .output()
        .unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!("mkd-tui resume {}", tmp.path().display()))
            && err.contains(&format!("mkd-tui attach {}", tmp.path().display())),
        "{err}"
    );
}
