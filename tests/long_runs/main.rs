//! Long runs as processes: kill -9 and resume, SIGTERM, a corrupt checkpoint, detach → socket →
//! attach, a refused second writer. Faults land at a known batch through `MKD_TUI_FAULT`
//! (`kill@S:E:B`: the process sends itself SIGKILL when batch B of epoch E of stage S is reported).

mod event_growth;
mod faults;
mod kd_record;
mod resume;
mod steering;

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
