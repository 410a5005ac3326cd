//! The real binary in a real terminal: tmux runs the TUI on a tiny preset, the test reads the
//! screen, quits with `q`, and checks that the terminal is given back and the run is complete.
//! Skipped (with a message) where tmux is not installed.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

struct Tmux {
    socket: String,
}

impl Tmux {
    fn cmd(&self) -> Command {
        let mut c = Command::new("tmux");
        c.args(["-L", &self.socket]);
        c
    }

    fn screen(&self) -> String {
        let o = self
            .cmd()
            .args(["capture-pane", "-p", "-t", "mkd"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&o.stdout).into_owned()
    }

    /// Poll the screen until `pred` holds; panics with the last screen after `limit`.
    fn wait_for(&self, what: &str, limit: Duration, pred: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if pred(&s) {
                return s;
            }
            if start.elapsed() > limit || (what != "the program to exit" && s.contains("EXIT=")) {
                panic!("waited {limit:?} for {what}; screen:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Tmux {
    /// A 100×30 session `mkd` running `script` in the project root's shell.
    fn start(&self, script: &str) {
        let status = self
            .cmd()
            .args(["new-session", "-d", "-s", "mkd", "-x", "100", "-y", "30"])
            .arg(script)
            .env("TERM", "xterm-256color")
            .status()
            .unwrap();
        assert!(status.success());
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd().arg("kill-server").output();
    }
}

#[test]
fn tui_trains_to_the_end_in_tmux_and_restores_the_terminal() {
    if !tmux_available("tmux smoke test") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    let tmux = Tmux {
        socket: format!("mkd-test-{}", std::process::id()),
    };
    let script = format!(
        "cd {} && {} run tests/fixtures/tiny-digits.yaml --out {}; echo EXIT=$?; sleep 600",
        env!("CARGO_MANIFEST_DIR"),
        env!("CARGO_BIN_EXE_mkd-tui"),
        out.display()
    );
    tmux.start(&script);

    let screen = tmux.wait_for("the run to finish", Duration::from_secs(180), |s| {
        s.contains("finished in")
    });
    for needle in ["mkd-tui", "teacher", "student", "q quit"] {
        assert!(screen.contains(needle), "missing {needle:?}:\n{screen}");
    }
    assert!(screen.contains("student kd"), "{screen}");

    tmux.cmd()
        .args(["send-keys", "-t", "mkd", "q"])
        .status()
        .unwrap();
    let screen = tmux.wait_for("the program to exit", Duration::from_secs(30), |s| {
        s.contains("EXIT=")
    });
    assert!(screen.contains("EXIT=0"), "{screen}");
    // Back on the normal screen: the UI's frame is gone and the run directory was printed.
    assert!(!screen.contains("q quit"), "{screen}");
    assert!(screen.contains("run directory"), "{screen}");
    // ... and the outcome: the student's distilled-vs-scratch line and the report's path.
    assert!(
        screen.contains("student: distilled ") && screen.contains(" vs scratch "),
        "{screen}"
    );
    assert!(
        screen.contains(&format!("report: {}", out.join("report.md").display())),
        "{screen}"
    );
    assert!(Path::new(&out.join("report.json")).is_file());
    let status = std::fs::read_to_string(out.join("status.json")).unwrap();
    assert!(status.contains("\"finished\""), "{status}");
}

/// The TUI on the tiny preset with 100 epochs per stage (long enough to act on mid-run), in a
/// 100×30 tmux session `mkd`; the shell prints `EXIT=<code>` when it ends.
fn start_long_tui_run(tmux: &Tmux, out: &Path, cache: &Path) {
    let script = format!(
        "cd {} && {} run tests/fixtures/tiny-digits.yaml --out {} --set training.epochs=100 \
         --set distill.control_cache={}; echo EXIT=$?; sleep 600",
        env!("CARGO_MANIFEST_DIR"),
        env!("CARGO_BIN_EXE_mkd-tui"),
        out.display(),
        cache.display()
    );
    tmux.start(&script);
}

fn send(socket: &Path, commands: &[mkd_tui::protocol::Command]) {
    use std::io::Write as _;
    let mut stream = connect(socket);
    for c in commands {
        writeln!(stream, "{}", serde_json::to_string(c).unwrap()).unwrap();
    }
}

fn wait_until(what: &str, pred: impl Fn() -> bool) {
    let start = Instant::now();
    while !pred() {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "waited too long for {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The terminal goes away mid-run (the tmux server is killed: the pane's terminal hangs up and the
/// process gets SIGHUP): the run goes on without a screen, finishes and writes its report.
#[test]
fn tui_run_outlives_its_terminal() {
    use mkd_tui::protocol::Command as RunCommand;
    if !tmux_available("SIGHUP test") {
        return;
    }
    // Held paused while its terminal goes, so the hangup surely lands mid-run.
    let (_tmp, out) = paused_tui_run_whose_terminal_died("mkd-hup");

    let socket = out.join("control.sock");
    let log = out.join("run.log");
    let rule = mkd_tui::stop::StopRule {
        max_epochs: Some(2),
        ..Default::default()
    };
    send(
        &socket,
        &[RunCommand::SetStopRule(rule), RunCommand::Resume],
    );
    wait_until("the end of the run in its log", || {
        std::fs::read_to_string(&log).is_ok_and(|t| t.contains("finished in"))
    });
    assert!(out.join("report.json").is_file());
    let status = std::fs::read_to_string(out.join("status.json")).unwrap();
    assert!(status.contains("\"finished\""), "{status}");
    // The log goes on as if it had been there from the start: the plan and the epochs per stage
    // are known (from events.jsonl), so later stages and epochs are counted right.
    let log = std::fs::read_to_string(&log).unwrap();
    assert!(log.contains("stage 2/3: ta1 (TA "), "{log}");
    assert!(log.contains("/100 "), "{log}");
}

/// A run paused from its TUI stays paused when the terminal dies: run.log and `ls` say so and how
/// to resume, and a resume over the control socket (what `attach` then `p` sends) finishes it.
#[test]
fn a_paused_tui_run_stays_paused_when_its_terminal_dies_until_resumed_over_the_socket() {
    use mkd_tui::protocol::Command as RunCommand;
    if !tmux_available("paused SIGHUP test") {
        return;
    }
    let (tmp, out) = paused_tui_run_whose_terminal_died("mkd-phup");

    let socket = out.join("control.sock");
    let log = out.join("run.log");
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("paused"), "{text}");
    assert!(
        text.contains(&format!("mkd-tui attach {}", out.display())),
        "{text}"
    );
    let ls = Command::new(env!("CARGO_BIN_EXE_mkd-tui"))
        .args(["ls", "--runs"])
        .arg(tmp.path())
        .output()
        .unwrap();
    let ls = String::from_utf8_lossy(&ls.stdout);
    assert!(ls.contains("paused"), "{ls}");
    let rule = mkd_tui::stop::StopRule {
        max_epochs: Some(1),
        ..Default::default()
    };
    send(
        &socket,
        &[RunCommand::SetStopRule(rule), RunCommand::Resume],
    );
    wait_until("the end of the run in its log", || {
        std::fs::read_to_string(&log).is_ok_and(|t| t.contains("finished in"))
    });
    let status = std::fs::read_to_string(out.join("status.json")).unwrap();
    assert!(status.contains("\"finished\""), "{status}");
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

/// `kill -TERM` to a TUI run (a shutdown, a job scheduler): the terminal is given back at once, the
/// run is `interrupted` with exit code 130 and has a checkpoint to resume from.
#[test]
fn sigterm_to_a_tui_run_restores_the_terminal_and_leaves_it_resumable() {
    if !tmux_available("SIGTERM test") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    let tmux = Tmux {
        socket: format!("mkd-term-{}", std::process::id()),
    };
    start_long_tui_run(&tmux, &out, &tmp.path().join("cache"));
    // Past the first per-epoch checkpoint (written after the epoch's events), so there is one to
    // resume from.
    let generations = || {
        std::fs::read_dir(out.join("checkpoints/resume")).map_or(0, |d| {
            d.filter_map(|e| e.ok())
                .filter(|e| e.file_name().to_string_lossy().starts_with("s0"))
                .count()
        })
    };
    wait_until("the first checkpoint", || generations() >= 1);
    let status: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("status.json")).unwrap()).unwrap();
    let pid = status["pid"].as_u64().expect("status.json has the pid");
    let killed = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let screen = tmux.wait_for("the program to exit", Duration::from_secs(60), |s| {
        s.contains("EXIT=")
    });
    assert!(screen.contains("EXIT=130"), "{screen}");
    assert!(
        !screen.contains("q quit"),
        "the UI's frame is gone:\n{screen}"
    );
    assert!(screen.contains("mkd-tui resume"), "{screen}");
    let status = std::fs::read_to_string(out.join("status.json")).unwrap();
    assert!(status.contains("\"interrupted\""), "{status}");

    // The last per-epoch checkpoint is where `mkd-tui resume` continues (tested in long_runs.rs).
    assert!(generations() >= 1, "no resume checkpoint");
}

/// Whether tmux is here. Outside CI a missing tmux skips `test` with a line saying so; under
/// `CI=true` it fails the test, so a machine without tmux cannot count a test that ran nothing
/// (`.ci/run` installs tmux).
fn tmux_available(test: &str) -> bool {
    if Command::new("tmux").arg("-V").output().is_ok() {
        return true;
    }
    assert!(
        std::env::var("CI").map_or(true, |v| v.is_empty() || v == "false"),
        "tmux is not installed and CI is set: the {test} cannot run (.ci/run installs tmux)"
    );
    eprintln!("tmux not installed: skipping the {test}");
    false
}

/// A TUI run on the tiny preset in tmux (server `name`), paused over its socket, whose terminal
/// then dies (the tmux server is killed); returns once `run.log` says it went on without a screen.
fn paused_tui_run_whose_terminal_died(name: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    let tmux = Tmux {
        socket: format!("{name}-{}", std::process::id()),
    };
    start_long_tui_run(&tmux, &out, &tmp.path().join("cache"));
    let socket = out.join("control.sock");
    wait_until("the control socket", || socket.exists());
    send(&socket, &[mkd_tui::protocol::Command::Pause]);
    let events = out.join("events.jsonl");
    wait_until("the pause", || {
        std::fs::read_to_string(&events).is_ok_and(|t| t.contains("\"paused\""))
    });
    tmux.cmd().arg("kill-server").output().unwrap();
    let log = out.join("run.log");
    wait_until("the headless switch", || {
        std::fs::read_to_string(&log).is_ok_and(|t| t.contains("without a screen"))
    });
    (tmp, out)
}

/// Kills the comparison whose folder is `0` when dropped (its pid is in `run.lock`): a comparison
/// outlives its terminal by design, so a failed test would leave it training.
struct KillComparison(PathBuf);

impl Drop for KillComparison {
    fn drop(&mut self) {
        let pid = std::fs::read_to_string(self.0.join("run.lock")).unwrap_or_default();
        if let Ok(pid) = pid.trim().parse::<i32>() {
            if mkd_tui::run_dir::held(&self.0) {
                // SAFETY: a signal to the pid that holds this test's own comparison folder.
                unsafe {
                    libc::kill(pid, libc::SIGKILL);
                }
            }
        }
    }
}

/// `compare` of the tiny preset (`scratch,kd` × 2 seeds, `epochs` per stage) in a 100×30 tmux
/// session `mkd` on its own server `socket`, its screen on; the shell prints `EXIT=<code>` when it
/// ends. Dropped in field order: the tmux server, then the comparison, then its folder.
struct TuiCompare {
    tmux: Tmux,
    _kill: KillComparison,
    _tmp: tempfile::TempDir,
}

fn start_tui_compare(socket: &str, epochs: usize) -> TuiCompare {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("cmp");
    let tmux = Tmux {
        socket: format!("{socket}-{}", std::process::id()),
    };
    let script = format!(
        "cd {} && {} compare tests/fixtures/tiny-digits.yaml --strategies scratch,kd --seeds 2 \
         --out {} --set training.epochs={epochs} --set distill.control_cache={}; echo EXIT=$?; \
         sleep 600",
        env!("CARGO_MANIFEST_DIR"),
        env!("CARGO_BIN_EXE_mkd-tui"),
        out.display(),
        out.with_extension("cache").display()
    );
    tmux.start(&script);
    TuiCompare {
        tmux,
        _kill: KillComparison(out),
        _tmp: tmp,
    }
}

fn send_key(tmux: &Tmux, key: &str) {
    tmux.cmd()
        .args(["send-keys", "-t", "mkd", key])
        .status()
        .unwrap();
}

/// The comparison's screen in a real terminal: the table fills in, Enter opens the selected run's
/// usual screen, Esc comes back to the table, q leaves and the table is printed on the terminal.
#[test]
fn compare_in_tmux_shows_the_table_opens_a_run_and_comes_back() {
    if !tmux_available("comparison screen test") {
        return;
    }
    let session = start_tui_compare("mkd-cmp", 2);
    let tmux = &session.tmux;
    let screen = tmux.wait_for("the comparison to finish", Duration::from_secs(180), |s| {
        s.contains("compare tiny-digits · cmp · finished")
    });
    for needle in ["seed 7", "seed 8", "mean ± 95 % CI", "q quit"] {
        assert!(screen.contains(needle), "missing {needle:?}:\n{screen}");
    }
    for label in ["scratch", "kd"] {
        let row = screen
            .lines()
            .find(|l| l.starts_with(&format!("│{label} ")))
            .unwrap_or_else(|| panic!("no {label} row:\n{screen}"));
        assert!(row.contains("(n 2)"), "{row}");
    }

    // Down, Right: kd of seed 8.
    send_key(tmux, "Down");
    send_key(tmux, "Right");
    send_key(tmux, "Enter");
    let screen = tmux.wait_for("the run's screen", Duration::from_secs(30), |s| {
        s.contains("mkd-tui · tiny-digits") && s.contains("q back")
    });
    assert!(screen.contains("seed-8/kd/report.md"), "{screen}");
    // The finished run's result box hides on Esc, as anywhere; q goes back to the table.
    send_key(tmux, "Escape");
    tmux.wait_for("the run's chart", Duration::from_secs(30), |s| {
        !s.contains("esc: chart") && s.contains("val acc") && s.contains("q back")
    });
    send_key(tmux, "q");
    tmux.wait_for("the table again", Duration::from_secs(30), |s| {
        s.contains("compare tiny-digits · cmp")
    });
    send_key(tmux, "q");
    let screen = tmux.wait_for("the program to exit", Duration::from_secs(30), |s| {
        s.contains("EXIT=")
    });
    assert!(screen.contains("EXIT=0"), "{screen}");
    assert!(
        screen.contains("| kd | scratch |"),
        "the table is printed: {screen}"
    );
}

/// q on the comparison's screen asks, and y stops the comparison the way Ctrl-C does: the
/// running run stops after its batch, the terminal is given back, and the way to continue is said.
#[test]
fn compare_in_tmux_stops_on_q_y_and_says_how_to_continue() {
    if !tmux_available("comparison stop test") {
        return;
    }
    // Epochs enough that the comparison is still in its first runs when it is stopped.
    let session = start_tui_compare("mkd-cmpstop", 20_000);
    let tmux = &session.tmux;
    tmux.wait_for("a run to be training", Duration::from_secs(120), |s| {
        s.contains("/20000")
    });
    send_key(tmux, "q");
    tmux.wait_for("the stop dialog", Duration::from_secs(30), |s| {
        s.contains("Stop the comparison?")
    });
    send_key(tmux, "y");
    let screen = tmux.wait_for("the comparison to stop", Duration::from_secs(60), |s| {
        s.contains("compare tiny-digits · cmp · stopped")
    });
    assert!(screen.contains("stopped"), "{screen}");
    send_key(tmux, "q");
    let screen = tmux.wait_for("the program to exit", Duration::from_secs(30), |s| {
        s.contains("EXIT=")
    });
    assert!(screen.contains("EXIT=130"), "{screen}");
    assert!(
        screen.contains("the comparison stopped with") && screen.contains("continues it"),
        "{screen}"
    );
}
