//! Long runs as processes: kill -9 and resume, SIGTERM, a corrupt checkpoint, detach → socket →
//! attach, a refused second writer. Faults land at a known batch through `MKD_TUI_FAULT`
//! (`kill@S:E:B`: the process sends itself SIGKILL when batch B of epoch E of stage S is reported).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use mkd_tui::protocol::{Command as RunCommand, Event};
use mkd_tui::stop::{AfterStop, StopRule};

const TINY: &str = "tests/fixtures/tiny-digits.yaml";

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_mkd-tui"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c.env_remove("MKD_TUI_FAULT");
    c
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `run TINY --headless --out <dir>` with 3 epochs per stage and a control cache of its own (so
/// every scratch arm is trained, not replayed), and `fault` if given.
fn run_tiny(dir: &Path, fault: Option<&str>) -> Output {
    run_tiny_with(dir, fault, &[])
}

/// The tiny preset, 3 epochs, its own control cache, `extra` as `--set` overrides.
fn run_tiny_with(dir: &Path, fault: Option<&str>, extra: &[&str]) -> Output {
    let mut c = bin();
    c.args(["run", TINY, "--headless", "--out"])
        .arg(dir)
        .args(["--set", "training.epochs=3", "--set"])
        .arg(format!(
            "distill.control_cache={}",
            dir.with_extension("cache").display()
        ));
    for set in extra {
        c.args(["--set", set]);
    }
    if let Some(f) = fault {
        c.env("MKD_TUI_FAULT", f);
    }
    c.output().unwrap()
}

fn events(dir: &Path) -> Vec<Event> {
    std::fs::read_to_string(dir.join("events.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// `(model, arm, epoch, train_loss, val, test)` of every epoch, in order.
fn epochs(dir: &Path) -> Vec<(String, String, usize, f64, f64, f64)> {
    events(dir)
        .into_iter()
        .filter_map(|e| match e {
            Event::EpochEnd(r) => Some((
                r.model,
                r.arm.as_str().to_string(),
                r.epoch,
                r.train_loss,
                r.val_acc,
                r.test_acc,
            )),
            _ => None,
        })
        .collect()
}

/// The accuracies of report.json, per model and arm (times left out: they differ by nature).
fn report_metrics(dir: &Path) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(dir.join("report.json")).unwrap();
    let report: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut out = Vec::new();
    for m in report["models"].as_array().unwrap() {
        for a in m["arms"].as_array().unwrap() {
            out.push(serde_json::json!([
                m["name"],
                a["arm"],
                a["best_epoch"],
                a["best_val_acc"],
                a["test_acc_at_best"],
                a["last_test_acc"],
                a["epochs_run"]
            ]));
        }
    }
    out.push(report["comparisons"].clone());
    out
}

/// What `mkd-tui ls --runs runs` prints.
fn ls(runs: &Path) -> String {
    let o = bin().args(["ls", "--runs"]).arg(runs).output().unwrap();
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn state(dir: &Path) -> String {
    let text = std::fs::read_to_string(dir.join("status.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["state"].as_str().unwrap().to_string()
}

#[test]
fn killed_in_the_second_stage_then_resumed_equals_an_uninterrupted_run() {
    let tmp = tempfile::tempdir().unwrap();
    let reference = tmp.path().join("reference");
    let o = run_tiny(&reference, None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));

    let crashed = tmp.path().join("crashed");
    let o = run_tiny(&crashed, Some("kill@1:2:3"));
    assert_eq!(o.status.code(), None, "killed by SIGKILL: {}", stderr(&o));
    assert_eq!(
        state(&crashed),
        "running",
        "a killed run cannot say so itself"
    );

    let listing = ls(tmp.path());
    let line = listing.lines().find(|l| l.starts_with("crashed")).unwrap();
    assert!(line.contains("interrupted"), "{listing}");
    assert!(line.contains("2/3 ta1"), "{listing}");
    let line = listing
        .lines()
        .find(|l| l.starts_with("reference"))
        .unwrap();
    assert!(
        line.contains("finished") && line.contains("100%"),
        "{listing}"
    );

    let o = bin()
        .args(["resume", "--headless"])
        .arg(&crashed)
        .output()
        .unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("resuming"), "{err}");
    assert!(err.contains("after epoch 1 of ta1"), "{err}");
    assert_eq!(state(&crashed), "finished");

    // Bit for bit: the same losses and accuracies, every epoch exactly once, the same report.
    assert_eq!(epochs(&crashed), epochs(&reference));
    assert_eq!(report_metrics(&crashed), report_metrics(&reference));
    // The resumed process filled ta1's teacher-logit cache again: one more pass over the training
    // split, counted (it is work done); every other count is the reference's.
    let forwards = |d: &Path| -> Vec<u64> {
        let text = std::fs::read_to_string(d.join("report.json")).unwrap();
        let report: serde_json::Value = serde_json::from_str(&text).unwrap();
        let mut out = Vec::new();
        for m in report["models"].as_array().unwrap() {
            for a in m["arms"].as_array().unwrap() {
                out.push(a["teacher_forwards"].as_u64().unwrap());
            }
        }
        out
    };
    let train = {
        let text = std::fs::read_to_string(reference.join("report.json")).unwrap();
        let report: serde_json::Value = serde_json::from_str(&text).unwrap();
        report["train_size"].as_u64().unwrap()
    };
    let mut expected = forwards(&reference);
    expected[1] += train; // ta1's kd arm: the resumed stage
    assert_eq!(forwards(&crashed), expected);
    let metrics = |d: &Path| -> Vec<String> {
        std::fs::read_to_string(d.join("metrics.csv"))
            .unwrap()
            .lines()
            .map(|l| l.split(',').take(6).collect::<Vec<_>>().join(","))
            .collect()
    };
    assert_eq!(metrics(&crashed), metrics(&reference));
    let finished = |d: &Path| {
        events(d)
            .iter()
            .filter(|e| matches!(e, Event::StageFinished { .. }))
            .count()
    };
    assert_eq!(finished(&crashed), 3);
    // The best checkpoints are byte for byte the uninterrupted run's.
    for entry in std::fs::read_dir(reference.join("checkpoints")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "safetensors") {
            let name = path.file_name().unwrap();
            let resumed = std::fs::read(crashed.join("checkpoints").join(name)).unwrap();
            assert!(resumed == std::fs::read(&path).unwrap(), "{name:?}");
        }
    }

    let o = bin().arg("resume").arg(&crashed).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "a finished run is not resumed");
    assert!(stderr(&o).contains("has finished"), "{}", stderr(&o));
}

#[test]
fn sigterm_interrupts_and_a_corrupt_checkpoint_falls_back_to_the_previous_one() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    let o = run_tiny(&dir, Some("term@2:3:2"));
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(130), "{err}");
    assert!(err.contains("mkd-tui resume"), "{err}");
    assert_eq!(state(&dir), "interrupted");

    // The student's epochs 1 and 2 are checkpointed, each a loadable set of safetensors files.
    let generations = dir.join("checkpoints/resume");
    let mut names: Vec<String> = std::fs::read_dir(&generations)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["s02-e0001", "s02-e0002"]);
    let newest = generations.join("s02-e0002");
    for file in [
        "arm0.safetensors",
        "arm0.optim.safetensors",
        "arm1.safetensors",
        "best0.safetensors",
    ] {
        let tensors = candle_core::safetensors::load(newest.join(file), &candle_core::Device::Cpu)
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(!tensors.is_empty(), "{file}");
    }

    // Truncate the newest: resume warns, names the file, and continues from epoch 1.
    let bad = newest.join("arm1.safetensors");
    let len = std::fs::metadata(&bad).unwrap().len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&bad)
        .unwrap()
        .set_len(len / 2)
        .unwrap();
    let o = bin()
        .args(["resume", "--headless"])
        .arg(&dir)
        .output()
        .unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.contains(&bad.display().to_string()), "{err}");
    assert!(err.contains("falling back"), "{err}");
    assert!(err.contains("after epoch 1 of student"), "{err}");
    let warned = events(&dir).iter().any(|e| {
        matches!(e, Event::Log { message, .. } if message.contains("arm1.safetensors") && message.contains("checksum"))
    });
    assert!(warned, "the warning is an event too");
    // Each epoch once, in spite of the epoch redone.
    let all = epochs(&dir);
    let mut keys: Vec<_> = all
        .iter()
        .map(|e| (e.0.clone(), e.1.clone(), e.2))
        .collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), all.len());
    assert_eq!(all.len(), 3 + 6 + 6);
}

fn wait_for(what: &str, pred: impl Fn() -> bool) {
    let start = Instant::now();
    while !pred() {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "waited too long for {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn send(socket: &Path, commands: &[RunCommand]) {
    let mut stream = connect(socket);
    for c in commands {
        writeln!(stream, "{}", serde_json::to_string(c).unwrap()).unwrap();
    }
}

#[test]
fn detach_then_steer_through_the_socket_while_viewers_come_and_go() {
    let tmp = tempfile::tempdir().unwrap();
    let runs = tmp.path().join("runs");
    let dir: PathBuf = runs.join("bg");
    let o = bin()
        .args(["run", TINY, "--detach", "--out"])
        .arg(&dir)
        .args(["--set", "training.epochs=100", "--set"])
        .arg(format!(
            "distill.control_cache={}",
            tmp.path().join("cache").display()
        ))
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(o.status.code(), Some(0), "{out}{}", stderr(&o));
    assert!(
        out.contains(&format!("run directory {}", dir.display())),
        "{out}"
    );
    assert!(out.contains("mkd-tui attach"), "{out}");

    let socket = dir.join("control.sock");
    wait_for("the control socket", || socket.exists());
    send(&socket, &[RunCommand::Pause]);
    wait_for("the pause", || {
        std::fs::read_to_string(dir.join("events.jsonl")).is_ok_and(|t| t.contains("\"paused\""))
    });

    // A detached run that waits says so in `ls`.
    let listing = ls(&runs);
    let line = listing
        .lines()
        .find(|l| l.starts_with(&*dir.file_name().unwrap().to_string_lossy()))
        .unwrap();
    assert!(line.contains(" paused "), "{listing}");

    // While it runs, nobody else may write its directory.
    let o = bin().arg("resume").arg(&dir).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("another mkd-tui process"),
        "{}",
        stderr(&o)
    );

    // Two viewers; the first leaves at once, which must not stop the run.
    let mut first = bin()
        .args(["attach", "--runs"])
        .arg(&runs)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let second = bin()
        .arg("attach")
        .arg(&dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    first.kill().unwrap();
    first.wait().unwrap();

    let rule = StopRule {
        ema: 0.0,
        min_epochs: 1,
        patience: 1,
        margin: 50.0,
        drop: 0.3,
        // Caps every stage from here on, so the rest of the run is short.
        max_epochs: Some(3),
        after_stop: AfterStop::Labels,
    };
    // A connection also receives the batch progress (which events.jsonl does not hold).
    let listener = connect(&socket);
    listener
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    send(
        &socket,
        &[RunCommand::SetStopRule(rule.clone()), RunCommand::Resume],
    );
    let progress = std::io::BufRead::lines(std::io::BufReader::new(listener))
        .map_while(Result::ok)
        .find_map(|l| match serde_json::from_str::<Event>(&l) {
            Ok(e @ Event::BatchProgress { .. }) => Some(e),
            _ => None,
        });
    assert!(progress.is_some(), "no batch progress on the socket");
    let o = second.wait_with_output().unwrap();
    let seen = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{seen}");
    assert!(seen.contains("stop rule applied: ema 0.00"), "{seen}");
    assert!(seen.contains("max_epochs 3 reached"), "{seen}");
    assert!(seen.contains("finished in"), "{seen}");
    wait_for("status finished", || state(&dir) == "finished");
    let applied = events(&dir)
        .into_iter()
        .any(|e| matches!(e, Event::StopRuleApplied { rule: r } if r == rule));
    assert!(applied);
    assert!(dir.join("report.json").is_file());
    assert!(!socket.exists(), "the socket goes with the run");
    wait_for("the end of the run in its log", || {
        std::fs::read_to_string(dir.join("run.log")).is_ok_and(|t| t.contains("finished in"))
    });
}

/// Connect to a run's socket; between its bind and listen a connection is refused, so retry.
fn connect(socket: &Path) -> std::os::unix::net::UnixStream {
    let start = Instant::now();
    loop {
        match std::os::unix::net::UnixStream::connect(socket) {
            Ok(s) => return s,
            Err(e) if start.elapsed() < Duration::from_secs(30) => {
                let _ = e;
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => panic!("{}: {e}", socket.display()),
        }
    }
}

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
