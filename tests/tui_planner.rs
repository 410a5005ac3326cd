//! The planner in the front end: candidates appear in the chain diagram dimmed while probed, then
//! accepted or rejected with the gain; the log gives each decision; the new chain replaces them.

mod tui_fixture;

use std::path::PathBuf;

use mkd_tui::protocol::{
    ArmKind, Event, LadderEntry, NodeSummary, PlanSummary, PlannerThresholds, ProbeKind, Role,
    Verdict,
};
use tui_fixture::{fresh, render, rows, rule, Script};

fn node(name: &str, role: Role, arch: &str, params: u64, taught_by: Option<&str>) -> NodeSummary {
    NodeSummary {
        name: name.into(),
        role,
        arch: arch.into(),
        params,
        macs: params,
        epochs: 10,
        taught_by: taught_by.map(Into::into),
        arms: if taught_by.is_some() {
            vec![ArmKind::Kd, ArmKind::Scratch]
        } else {
            vec![ArmKind::Scratch]
        },
        weights: None,
    }
}

fn plan(assistant: bool) -> PlanSummary {
    let mut nodes = vec![node("teacher", Role::Teacher, "mlp-512-256", 535_818, None)];
    if assistant {
        nodes.push(node(
            "ta1",
            Role::Assistant,
            "mlp-128",
            101_770,
            Some("teacher"),
        ));
    }
    let above = if assistant { "ta1" } else { "teacher" };
    nodes.push(node(
        "student",
        Role::Student,
        "mlp-16",
        12_730,
        Some(above),
    ));
    PlanSummary {
        dataset: "fashion-mnist".into(),
        seed: 42,
        train_size: 10_000,
        val_size: 5_000,
        test_size: 10_000,
        batch_size: 128,
        temperature: 2.0,
        alpha: 0.5,
        augment: String::new(),
        kl_reduction: String::new(),
        device: String::new(),
        nodes,
    }
}

fn started(script: &mut Script) {
    script.send(Event::RunStarted {
        preset: "fashion-dynamic".into(),
        run_dir: PathBuf::from("runs/fashion-dynamic-x"),
        started_at: "2026-11-29T19:00:00Z".into(),
        plan: plan(false),
        stop_rule: rule(),
    });
    script.send(Event::PlannerStarted {
        teacher: LadderEntry {
            label: "mlp-512-256".into(),
            params: 535_818,
        },
        student: LadderEntry {
            label: "mlp-16".into(),
            params: 12_730,
        },
        ladder: vec![],
        thresholds: PlannerThresholds {
            max_ratio: 8.0,
            probe_fraction: 0.2,
            min_gain: 0.3,
            max_assistants: 2,
            probe_budget: Some(40),
        },
        probe_epochs: 2,
        prior_k0: 1,
        prior: vec!["mlp-128".into()],
    });
    script.send(Event::PlannerCandidate {
        candidate: "mlp-128".into(),
        params: 101_770,
        above: "teacher mlp-512-256".into(),
        below: "student mlp-16".into(),
        position: 0,
        scratch_acc: 81.5,
        middle_acc: 80.4,
    });
}

fn row_with<'a>(rows: &'a [String], needle: &str) -> &'a str {
    rows.iter()
        .find(|r| r.contains(needle))
        .unwrap_or_else(|| panic!("no row with {needle:?} in\n{}", rows.join("\n")))
}

#[test]
fn a_candidate_under_probe_sits_between_teacher_and_student() {
    let mut script = Script::new(fresh());
    started(&mut script);
    let rows = rows(&render(&script.app, 80, 24));
    let label = row_with(&rows, "[TA? mlp-128]");
    assert!(label.find("[teacher").unwrap() < label.find("[TA? mlp-128]").unwrap());
    assert!(label.find("[TA? mlp-128]").unwrap() < label.find("[student").unwrap());
    assert!(rows[0].contains("· planning ·"), "{}", rows[0]);
    row_with(&rows, "probing");
    row_with(&rows, "planner: probing mlp-128 between teacher");
    // The planner's thresholds take the stop panel's place while it works.
    assert!(row_with(&rows, "┬ planner ").contains("probing"));
    row_with(&rows, "min_gain   0.30 pp");
    row_with(&rows, "budget     40 ep");
    row_with(&rows, "spent      0 ep");
}

#[test]
fn planner_thresholds_are_edited_sent_and_shown_applied() {
    use mkd_tui::protocol::Command;
    use mkd_tui::tui::Key;
    let mut script = Script::new(fresh());
    started(&mut script);
    assert_eq!(script.app.on_key(Key::Down), None);
    assert_eq!(script.app.on_key(Key::Left), None);
    assert_eq!(script.app.on_key(Key::Left), None);
    let rows = rows(&render(&script.app, 80, 24));
    row_with(&rows, "min_gain   0.30 pp → 0.10 pp*");
    assert!(row_with(&rows, "┬ planner ").contains("enter applies"));
    let Some(Command::SetPlannerThresholds(t)) = script.app.on_key(Key::Enter) else {
        panic!("Enter sends the thresholds")
    };
    assert!((t.min_gain - 0.1).abs() < 1e-9);
    assert_eq!(t.max_assistants, 2);
    let rows = tui_fixture::rows(&render(&script.app, 80, 24));
    assert!(row_with(&rows, "┬ planner ").contains("sent"));
    script.send(Event::PlannerThresholdsApplied { thresholds: t });
    let rows = tui_fixture::rows(&render(&script.app, 80, 24));
    let row = row_with(&rows, "min_gain   0.10 pp");
    assert!(!row.contains('*'), "{row}");
    row_with(&rows, "planner thresholds applied");
}

#[test]
fn decisions_show_the_gain_and_the_new_chain_replaces_the_candidates() {
    let mut script = Script::new(fresh());
    started(&mut script);
    script.send(Event::PlannerProbe {
        chain: vec![
            "teacher mlp-512-256".into(),
            "mlp-128".into(),
            "student mlp-16".into(),
        ],
        model: "student mlp-16".into(),
        kind: ProbeKind::Distilled,
        val_acc: 78.4,
        epochs: 2,
        images: 20_000,
        seconds: 1.5,
    });
    script.send(Event::PlannerDecision {
        candidate: "mlp-128".into(),
        verdict: Verdict::Accepted,
        gain: Some(1.02),
        reason: "student 78.40% vs 77.38% without it: gain +1.02 pp ≥ min_gain 0.30 pp".into(),
        assistants: vec!["mlp-128".into()],
    });
    let rows = rows(&render(&script.app, 80, 24));
    row_with(&rows, "accepted +1.02 pp");
    row_with(&rows, "mlp-128 accepted: student 78.40%");
    script.send(Event::PlannerCandidate {
        candidate: "mlp-256".into(),
        params: 203_530,
        above: "teacher mlp-512-256".into(),
        below: "mlp-128".into(),
        position: 0,
        scratch_acc: 82.0,
        middle_acc: 82.1,
    });
    script.send(Event::PlannerDecision {
        candidate: "mlp-256".into(),
        verdict: Verdict::Rejected,
        gain: Some(-0.2),
        reason: "gain −0.20 pp < min_gain 0.30 pp".into(),
        assistants: vec!["mlp-128".into()],
    });
    let rows = tui_fixture::rows(&render(&script.app, 100, 24));
    let label = row_with(&rows, "[TA? mlp-256]");
    assert!(label.find("[TA? mlp-256]").unwrap() < label.find("[TA? mlp-128]").unwrap());
    row_with(&rows, "rejected −0.20 pp");
    script.send(Event::PlannerFinished {
        assistants: vec!["mlp-128".into()],
        reason: "every gap of the chain is ≤ max_ratio 8".into(),
        probe_epochs: 18,
        probe_images: 180_000,
        probe_seconds: 20.8,
    });
    script.send(Event::PlanChanged { plan: plan(true) });
    let rows = tui_fixture::rows(&render(&script.app, 80, 24));
    assert!(
        !rows.iter().any(|r| r.contains("TA?")),
        "{}",
        rows.join("\n")
    );
    // The stop panel is back.
    row_with(&rows, "┬ stop strategy ");
    let label = row_with(&rows, "[TA mlp-128]");
    assert!(label.contains("[teacher") && label.contains("[student"));
    row_with(
        &rows,
        "chain: teacher mlp-512-256 → ta1 mlp-128 → student mlp-16",
    );
}
