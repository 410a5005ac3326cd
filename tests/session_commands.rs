//! The worker obeys commands: pause/resume, a new stop rule applied at the epoch end and echoed,
//! quit leaving an aborted (not finished) run directory. Driven through the library, as a front end would.

use std::path::Path;
use std::time::Duration;

use mkd_tui::protocol::{Command, Event, FrontEndLink};
use mkd_tui::run_dir::RunDir;
use mkd_tui::session::{self, Plan};
use mkd_tui::stop::{StopKind, StopRule};

fn start(out: &Path, overrides: &[&str]) -> (FrontEndLink, std::thread::JoinHandle<()>) {
    let preset = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny-digits.yaml");
    let overrides: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    let loaded = mkd_tui::preset::load(&preset, &overrides).unwrap();
    let dir = RunDir::create(Some(out), Path::new("unused"), "tiny", chrono::Utc::now()).unwrap();
    session::spawn(Plan::new(&loaded.preset), dir).unwrap()
}

/// Receive lifecycle events until `pred` matches one; returns everything seen, that one last.
fn until(link: &FrontEndLink, pred: impl Fn(&Event) -> bool) -> Vec<Event> {
    let mut seen = Vec::new();
    loop {
        let e = link
            .lifecycle
            .recv_timeout(Duration::from_secs(120))
            .expect("the worker keeps talking");
        let done = pred(&e);
        let terminal = e.is_terminal();
        seen.push(e);
        if done {
            return seen;
        }
        assert!(
            !terminal,
            "run ended before the expected event: {:?}",
            seen.last()
        );
    }
}

#[test]
fn stop_rule_is_applied_at_the_epoch_end_echoed_and_obeyed() {
    let tmp = tempfile::tempdir().unwrap();
    let (link, worker) = start(&tmp.path().join("run"), &["training.epochs=4"]);
    let rule = StopRule {
        max_epochs: Some(2),
        ..StopRule::default()
    };
    // Queued before the first batch, so it is read during the teacher's first epoch and applied
    // at that epoch's end — not before.
    link.commands
        .send(Command::SetStopRule(rule.clone()))
        .unwrap();
    let events = until(&link, |e| e.is_terminal());
    worker.join().unwrap();
    assert!(
        matches!(events.last(), Some(Event::RunFinished { .. })),
        "{:?}",
        events.last()
    );
    let applied = events
        .iter()
        .position(|e| *e == Event::StopRuleApplied { rule: rule.clone() })
        .expect("the new rule is echoed");
    let first_epoch_end = events
        .iter()
        .position(|e| matches!(e, Event::EpochEnd(_)))
        .unwrap();
    assert!(
        applied > first_epoch_end,
        "applied at an epoch end, not at once"
    );
    // Every stage stops after 2 of its 4 epochs, with the reason.
    let stops: Vec<(usize, String)> = events
        .iter()
        .filter_map(|e| match e {
            Event::StopDecision {
                epoch,
                reason,
                kind: StopKind::MaxEpochs,
                ..
            } => Some((*epoch, reason.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(stops.len(), 3, "{stops:?}");
    assert!(
        stops
            .iter()
            .all(|(epoch, reason)| *epoch == 2 && reason.contains("max_epochs 2")),
        "{stops:?}"
    );
    let epochs = events
        .iter()
        .filter(|e| matches!(e, Event::EpochEnd(_)))
        .count();
    assert_eq!(epochs, 2 + 2 * 2 + 2 * 2);
}

#[test]
fn pause_and_resume_are_echoed_and_quit_aborts_the_run() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    let (link, worker) = start(&out, &["training.epochs=50"]);
    until(&link, |e| matches!(e, Event::StageStarted { .. }));
    link.commands.send(Command::Pause).unwrap();
    until(&link, |e| *e == Event::Paused);
    link.commands.send(Command::Resume).unwrap();
    until(&link, |e| *e == Event::Resumed);
    link.commands.send(Command::Quit).unwrap();
    let events = until(&link, |e| e.is_terminal());
    worker.join().unwrap();
    assert!(
        matches!(events.last(), Some(Event::RunAborted { .. })),
        "{:?}",
        events.last()
    );
    let status = std::fs::read_to_string(out.join("status.json")).unwrap();
    assert!(status.contains("\"aborted\""), "{status}");
    assert!(
        !out.join("report.md").exists(),
        "an aborted run has no report passed off as complete"
    );
    // events.jsonl ends with the abort too.
    let log = std::fs::read_to_string(out.join("events.jsonl")).unwrap();
    assert!(log.lines().last().unwrap().contains("run_aborted"), "{log}");
}

#[test]
fn quit_while_paused_aborts() {
    let tmp = tempfile::tempdir().unwrap();
    let (link, worker) = start(&tmp.path().join("run"), &["training.epochs=50"]);
    until(&link, |e| matches!(e, Event::StageStarted { .. }));
    link.commands.send(Command::Pause).unwrap();
    until(&link, |e| *e == Event::Paused);
    link.commands.send(Command::Quit).unwrap();
    let events = until(&link, |e| e.is_terminal());
    worker.join().unwrap();
    assert!(matches!(events.last(), Some(Event::RunAborted { .. })));
}
