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

/// Commands arrive over the socket from anyone's script: a stop rule the preset would refuse
/// (tried: `ema 2, patience 0, max_epochs 0`, which cut a run short) is refused with a warning
/// naming the field, changes nothing, and is not echoed as applied; a valid one after it is.
#[test]
fn an_invalid_stop_rule_is_refused_with_the_field_and_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let (link, worker) = start(&tmp.path().join("run"), &["training.epochs=3"]);
    let bad = StopRule {
        ema: 2.0,
        patience: 0,
        max_epochs: Some(0),
        ..StopRule::default()
    };
    link.commands
        .send(Command::SetStopRule(bad.clone()))
        .unwrap();
    let events = until(&link, |e| e.is_terminal());
    worker.join().unwrap();
    assert!(matches!(events.last(), Some(Event::RunFinished { .. })));
    let warning = events.iter().find_map(|e| match e {
        Event::Log { message, .. } if message.contains("refused") => Some(message.clone()),
        _ => None,
    });
    let warning = warning.expect("a warning for the refused rule");
    assert!(warning.contains("set_stop_rule"), "{warning}");
    assert!(warning.contains("stop.ema"), "{warning}");
    assert!(!events.contains(&Event::StopRuleApplied { rule: bad }));
    // Nothing was cut short: every stage ran its 3 epochs (teacher 1 arm, TA and student 2).
    let epochs = events
        .iter()
        .filter(|e| matches!(e, Event::EpochEnd(_)))
        .count();
    assert_eq!(epochs, 3 + 2 * 3 + 2 * 3);
}

#[test]
fn invalid_planner_thresholds_are_refused_with_the_field() {
    use mkd_tui::protocol::PlannerThresholds;
    let tmp = tempfile::tempdir().unwrap();
    let (link, worker) = start(&tmp.path().join("run"), &["training.epochs=1"]);
    link.commands
        .send(Command::SetPlannerThresholds(PlannerThresholds {
            max_ratio: 0.5,
            probe_fraction: 0.5,
            min_gain: 0.0,
            max_assistants: 2,
            probe_budget: None,
        }))
        .unwrap();
    let events = until(&link, |e| e.is_terminal());
    worker.join().unwrap();
    let warning = events
        .iter()
        .find_map(|e| match e {
            Event::Log { message, .. } if message.contains("refused") => Some(message.clone()),
            _ => None,
        })
        .expect("a warning for the refused thresholds");
    assert!(
        warning.contains("planner.max_ratio: expected a number > 1, got 0.5"),
        "{warning}"
    );
}
