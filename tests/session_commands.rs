//! The worker obeys commands: pause/resume, a new stop rule applied at the epoch end and echoed,
//! quit leaving an aborted (not finished) run directory. Driven through the library, as a front end would.

use mkd_tui::protocol::{Command, Event};
use mkd_tui::stop::{StopKind, StopRule};

mod session_support;
use session_support::{start, until};

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
