//! The planner's decisions driven by a table of accuracies instead of training.

use std::collections::HashMap;

use mkd_tui::model::ModelSpec;
use mkd_tui::planner::{
    Ladder, LadderSpec, Member, PlannerConfig, PlannerOutcome, Probe, ProbeOracle, Rung, Search,
};
use mkd_tui::protocol::{Event, LadderEntry, PlannerThresholds, Verdict};

use Member::{Rung as R, Student as S, Teacher as T};

/// Accuracies by member (scratch) and by chain (distilled); a missing entry fails the test.
#[derive(Default)]
struct Table {
    scratch: HashMap<Member, f64>,
    distilled: HashMap<Vec<Member>, f64>,
    calls: usize,
    /// Thresholds "sent by the user", handed over at the first chance.
    pending: Option<PlannerThresholds>,
}

impl ProbeOracle for Table {
    fn scratch(&mut self, m: Member) -> mkd_tui::error::Result<Probe> {
        self.calls += 1;
        let acc = *self
            .scratch
            .get(&m)
            .unwrap_or_else(|| panic!("no scratch entry for {m:?}"));
        Ok(Probe::acc(acc))
    }

    fn take_thresholds(&mut self) -> mkd_tui::error::Result<Option<PlannerThresholds>> {
        Ok(self.pending.take())
    }

    fn distilled(&mut self, chain: &[Member]) -> mkd_tui::error::Result<Probe> {
        self.calls += 1;
        let acc = *self
            .distilled
            .get(chain)
            .unwrap_or_else(|| panic!("no distilled entry for {chain:?}"));
        Ok(Probe::acc(acc))
    }
}

/// Teacher 100k, student 1k parameters (100×); ladder 50k, 20k, 10k, 5k, 2k (indices 0..4).
fn ladder() -> Ladder {
    Ladder {
        rungs: [50_000u64, 20_000, 10_000, 5_000, 2_000]
            .iter()
            .map(|&p| Rung {
                spec: ModelSpec::Mlp {
                    hidden: vec![],
                    dropout: 0.0,
                },
                label: format!("m{}k", p / 1000),
                params: p,
            })
            .collect(),
        skipped: vec![],
    }
}

fn config(max_assistants: usize, budget: Option<usize>) -> PlannerConfig {
    PlannerConfig {
        ladder: LadderSpec::Archs { archs: vec![] },
        max_ratio: 8.0,
        probe_fraction: 0.2,
        min_gain: 0.3,
        max_assistants,
        probe_budget: budget,
    }
}

/// The base table: scratch T 90, S 80, m10k 86, m20k 88, m5k 84, m50k 89, m2k 82; T→S 80.5.
fn base_table() -> Table {
    let mut t = Table::default();
    for (m, a) in [
        (T, 90.0),
        (S, 80.0),
        (R(0), 89.0),
        (R(1), 88.0),
        (R(2), 86.0),
        (R(3), 84.0),
        (R(4), 82.0),
    ] {
        t.scratch.insert(m, a);
    }
    t.distilled.insert(vec![T, S], 80.5);
    t
}

fn run(
    table: &mut Table,
    max_assistants: usize,
    budget: Option<usize>,
) -> (PlannerOutcome, Vec<Event>) {
    let ladder = ladder();
    let cfg = config(max_assistants, budget);
    let search = Search {
        ladder: &ladder,
        config: &cfg,
        teacher: LadderEntry {
            label: "t".into(),
            params: 100_000,
        },
        student: LadderEntry {
            label: "s".into(),
            params: 1_000,
        },
        probe_epochs: 2,
    };
    let mut events = Vec::new();
    let outcome = search
        .run(table, &mut |e| {
            events.push(e);
            Ok(())
        })
        .unwrap();
    (outcome, events)
}

fn decisions(events: &[Event]) -> Vec<(String, Verdict)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::PlannerDecision {
                candidate, verdict, ..
            } => Some((candidate.clone(), *verdict)),
            _ => None,
        })
        .collect()
}

#[test]
fn one_assistant_near_the_middle_is_accepted() {
    let mut t = base_table();
    t.distilled.insert(vec![T, R(2), S], 82.0);
    t.distilled.insert(vec![T, R(2)], 87.0);
    let (out, events) = run(&mut t, 1, None);
    // Shortlist around √(100k·1k) = 10k: m10k, m20k, m5k; middle of 90 and 80 is 85: m10k (86) and
    // m5k (84) tie, m10k is nearer the geometric middle.
    assert_eq!(out.assistants, vec![2]);
    assert_eq!(out.reason, "max_assistants (1) reached");
    // 1 base probe + 5 scratch probes + 2 chain probes, 2 epochs each.
    assert_eq!(out.epochs, 16);
    assert_eq!(decisions(&events), vec![("m10k".into(), Verdict::Accepted)]);
    let Some(Event::PlannerDecision { gain, .. }) = events
        .iter()
        .find(|e| matches!(e, Event::PlannerDecision { .. }))
    else {
        unreachable!()
    };
    assert!((gain.unwrap() - 1.5).abs() < 1e-9);
}

#[test]
fn no_assistant_helps() {
    let mut t = base_table();
    t.distilled.insert(vec![T, R(2), S], 80.6);
    t.distilled.insert(vec![T, R(2)], 87.0);
    let (out, events) = run(&mut t, 2, None);
    assert_eq!(out.assistants, Vec::<usize>::new());
    assert!(
        out.reason.starts_with("no insertion helps"),
        "{}",
        out.reason
    );
    assert_eq!(decisions(&events), vec![("m10k".into(), Verdict::Rejected)]);
}

#[test]
fn an_assistant_worse_than_its_scratch_is_rejected() {
    let mut t = base_table();
    t.distilled.insert(vec![T, R(2), S], 82.0);
    t.distilled.insert(vec![T, R(2)], 85.0); // < scratch 86
    let (out, events) = run(&mut t, 2, None);
    assert_eq!(out.assistants, Vec::<usize>::new());
    assert_eq!(decisions(&events), vec![("m10k".into(), Verdict::Rejected)]);
}

#[test]
fn the_budget_runs_out_before_the_chain_probe() {
    let mut t = base_table();
    // 6 probes of 2 epochs fit (base + 5 scratch); the chain probe needs 4 more epochs.
    let (out, events) = run(&mut t, 2, Some(12));
    assert_eq!(out.assistants, Vec::<usize>::new());
    assert_eq!(out.epochs, 12);
    assert!(
        out.reason.starts_with("probe budget: 12 of 12"),
        "{}",
        out.reason
    );
    assert_eq!(decisions(&events), vec![("m10k".into(), Verdict::Rejected)]);
    assert_eq!(t.calls, 6);
}

#[test]
fn two_assistants_when_both_help() {
    let mut t = base_table();
    t.distilled.insert(vec![T, R(2)], 87.0);
    t.distilled.insert(vec![T, R(2), S], 82.0);
    // Next gap: T–m10k (10×, nearer the teacher than m10k–S, also 10×); middle of 90 and 86 is 88:
    // m20k (scratch 88).
    t.distilled.insert(vec![T, R(1)], 88.5);
    t.distilled.insert(vec![T, R(1), R(2)], 87.5);
    t.distilled.insert(vec![T, R(1), R(2), S], 83.0);
    let (out, events) = run(&mut t, 2, None);
    assert_eq!(out.assistants, vec![1, 2]);
    assert_eq!(
        decisions(&events),
        vec![
            ("m10k".into(), Verdict::Accepted),
            ("m20k".into(), Verdict::Accepted)
        ]
    );
}

#[test]
fn an_assistant_made_worse_by_a_new_one_above_is_dropped() {
    let mut t = base_table();
    t.distilled.insert(vec![T, R(2)], 87.0);
    t.distilled.insert(vec![T, R(2), S], 82.0);
    t.distilled.insert(vec![T, R(1)], 88.5);
    t.distilled.insert(vec![T, R(1), R(2)], 85.5); // < m10k's scratch 86
    t.distilled.insert(vec![T, R(1), R(2), S], 83.0);
    t.distilled.insert(vec![T, R(1), S], 82.8);
    // Then the gap m20k–S (20×): m5k (scratch 84 = middle of 88 and 80), no gain.
    t.distilled.insert(vec![T, R(1), R(3)], 85.0);
    t.distilled.insert(vec![T, R(1), R(3), S], 82.9);
    let (out, events) = run(&mut t, 3, None);
    assert_eq!(out.assistants, vec![1]);
    assert_eq!(
        decisions(&events),
        vec![
            ("m10k".into(), Verdict::Accepted),
            ("m20k".into(), Verdict::Accepted),
            ("m10k".into(), Verdict::Dropped),
            ("m5k".into(), Verdict::Rejected),
        ]
    );
}

#[test]
fn a_small_ratio_needs_no_probe_beyond_the_base() {
    let ladder = ladder();
    let cfg = config(2, None);
    let search = Search {
        ladder: &ladder,
        config: &cfg,
        teacher: LadderEntry {
            label: "t".into(),
            params: 6_000,
        },
        student: LadderEntry {
            label: "s".into(),
            params: 1_000,
        },
        probe_epochs: 1,
    };
    let mut t = base_table();
    let out = search.run(&mut t, &mut |_| Ok(())).unwrap();
    assert_eq!(out.assistants, Vec::<usize>::new());
    assert_eq!(out.epochs, 1);
    assert!(out.reason.starts_with("every gap"), "{}", out.reason);
}

#[test]
fn the_same_table_gives_the_same_events() {
    let mut a = base_table();
    a.distilled.insert(vec![T, R(2), S], 82.0);
    a.distilled.insert(vec![T, R(2)], 87.0);
    let mut b = base_table();
    b.distilled = a.distilled.clone();
    assert_eq!(run(&mut a, 1, None).1, run(&mut b, 1, None).1);
}

#[test]
fn thresholds_changed_by_the_user_act_on_the_next_decision() {
    let mut t = base_table();
    // +0.1 pp: rejected at min_gain 0.3 (see no_assistant_helps), accepted at 0.05.
    t.distilled.insert(vec![T, R(2), S], 80.6);
    t.distilled.insert(vec![T, R(2)], 87.0);
    t.pending = Some(PlannerThresholds {
        max_ratio: 8.0,
        probe_fraction: 0.9, // not applied: the probe length is fixed
        min_gain: 0.05,
        max_assistants: 1,
        probe_budget: None,
    });
    let (out, events) = run(&mut t, 2, None);
    assert_eq!(out.assistants, vec![2]);
    assert_eq!(out.reason, "max_assistants (1) reached");
    let applied = events
        .iter()
        .find_map(|e| match e {
            Event::PlannerThresholdsApplied { thresholds } => Some(thresholds.clone()),
            _ => None,
        })
        .expect("the change is echoed");
    assert_eq!(applied.probe_fraction, 0.2);
    assert_eq!(applied.min_gain, 0.05);
}
