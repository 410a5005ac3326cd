//! The planner's events in the front end: log lines, and the chain replaced when the planner chose.

use crate::protocol::{Command, Event, PlanSummary, PlannerThresholds};

use crate::protocol::{NodeSummary, Role, Verdict};

use super::super::nodes::{NodeState, PlannerMark};
use super::*;

/// What the panel shows while the planner works: its thresholds and the probe epochs spent.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannerPanel {
    pub thresholds: PlannerThresholds,
    /// Epochs of one probe, and of all probes so far.
    pub probe_epochs: usize,
    pub spent: usize,
    /// Candidates accepted so far.
    pub accepted: usize,
    /// Thresholds being edited (`←→`), sent with Enter; equal to `thresholds` when not edited.
    pub pending: PlannerThresholds,
    /// Row selected with `↑↓` (see [`PLANNER_ROWS`]).
    pub selected: usize,
    /// Sent and not yet applied.
    pub sent: bool,
    /// The planner has chosen (the panel goes back to the stop rule).
    pub done: bool,
}

impl App {
    /// The planner's panel while it works; `None` before it starts and after it chose.
    pub fn planner_panel(&self) -> Option<&PlannerPanel> {
        self.planner.as_ref().filter(|p| !p.done)
    }

    /// Folds a `Planner*` or `PlanChanged` event into the state.
    pub(super) fn on_planner(&mut self, event: &Event) {
        if let Some(line) = crate::describe::planner_line(event) {
            self.info(line);
        }
        match event {
            Event::PlannerStarted {
                thresholds,
                probe_epochs,
                ..
            } => {
                self.planner = Some(PlannerPanel {
                    pending: thresholds.clone(),
                    selected: 0,
                    sent: false,
                    thresholds: thresholds.clone(),
                    probe_epochs: *probe_epochs,
                    spent: 0,
                    accepted: 0,
                    done: false,
                })
            }
            Event::PlannerThresholdsApplied { thresholds } => {
                if let Some(p) = &mut self.planner {
                    p.thresholds = thresholds.clone();
                    p.pending = thresholds.clone();
                    p.sent = false;
                }
            }
            Event::PlannerProbe { epochs, .. } => {
                if let Some(p) = &mut self.planner {
                    p.spent += epochs;
                }
            }
            Event::PlannerFinished { probe_epochs, .. } => {
                if let Some(p) = &mut self.planner {
                    p.spent = *probe_epochs;
                    p.done = true;
                }
            }
            Event::PlanChanged { plan } => self.replace_plan(plan),
            Event::PlannerCandidate {
                candidate,
                params,
                position,
                ..
            } => self.show_candidate(candidate, *params, *position),
            Event::PlannerDecision {
                candidate,
                verdict,
                gain,
                ..
            } => {
                let Some(i) = self
                    .nodes
                    .iter()
                    .rposition(|n| n.planner.is_some() && &n.summary.arch == candidate)
                else {
                    return;
                };
                if let Some(p) = &mut self.planner {
                    match verdict {
                        Verdict::Accepted => p.accepted += 1,
                        Verdict::Dropped => p.accepted = p.accepted.saturating_sub(1),
                        Verdict::Rejected => {}
                    }
                }
                match verdict {
                    Verdict::Accepted => self.nodes[i].planner = Some(PlannerMark::Accepted(*gain)),
                    Verdict::Rejected => self.nodes[i].planner = Some(PlannerMark::Rejected(*gain)),
                    Verdict::Dropped => {
                        self.nodes.remove(i);
                    }
                }
            }
            _ => {}
        }
    }

    /// The candidate enters the diagram (dimmed, "probing") at its place among the accepted ones;
    /// the last rejected one leaves.
    fn show_candidate(&mut self, label: &str, params: u64, position: usize) {
        self.nodes
            .retain(|n| !matches!(n.planner, Some(PlannerMark::Rejected(_))));
        let at = (1 + position)
            .min(self.nodes.len().saturating_sub(1))
            .max(1);
        let above = self.nodes[at - 1].summary.name.clone();
        let mut node = NodeState::new(NodeSummary {
            name: format!("candidate {label}"),
            role: Role::Assistant,
            arch: label.to_string(),
            params,
            macs: 0,
            epochs: 0,
            taught_by: Some(above),
            arms: vec![],
            weights: None,
        });
        node.planner = Some(PlannerMark::Probing);
        self.nodes.insert(at, node);
    }

    /// The new chain keeps what is known of the models it shares (by name) with the old one.
    fn replace_plan(&mut self, plan: &PlanSummary) {
        let mut old = std::mem::take(&mut self.nodes);
        self.nodes = plan
            .nodes
            .iter()
            .map(
                |n| match old.iter().position(|o| o.summary.name == n.name) {
                    Some(i) => {
                        let mut kept = old.swap_remove(i);
                        kept.summary = n.clone();
                        kept
                    }
                    None => NodeState::new(n.clone()),
                },
            )
            .collect();
        if let Some(run) = &mut self.run {
            run.plan = plan.clone();
        }
    }
}

/// The planner thresholds that can be changed while it works, in panel order.
pub const PLANNER_ROWS: [&str; 4] = ["max_ratio", "min_gain", "max_TAs", "budget"];

impl PlannerPanel {
    /// The value of row `row` of `t`, as shown.
    pub fn value(&self, row: usize, t: &PlannerThresholds) -> String {
        match row {
            0 => format!("{}×", t.max_ratio),
            1 => format!("{:.2} pp", t.min_gain),
            2 => t.max_assistants.to_string(),
            _ => t
                .probe_budget
                .map_or("no cap".to_string(), |b| format!("{b} ep")),
        }
    }

    /// Step the selected threshold down (`-1`) or up (`+1`): max_ratio by 1 (≥ 2), min_gain by
    /// 0.1 pp, max_assistants by 1, the budget by one probe's epochs (at least one probe).
    fn adjust(&mut self, dir: i32) {
        let t = &mut self.pending;
        let pe = self.probe_epochs.max(1);
        match self.selected {
            0 => t.max_ratio = (t.max_ratio + dir as f64).max(2.0),
            1 => t.min_gain = ((t.min_gain + 0.1 * dir as f64) * 100.0).round() / 100.0,
            2 => t.max_assistants = (t.max_assistants as i64 + dir as i64).max(0) as usize,
            _ => {
                t.probe_budget = Some(match t.probe_budget {
                    Some(b) if dir < 0 => b.saturating_sub(pe).max(pe),
                    Some(b) => b + pe,
                    None => self.spent + 4 * pe,
                })
            }
        }
    }
}

impl App {
    /// Keys of the planner panel while the planner works: `↑↓` select, `←→` adjust, Enter sends.
    /// `None` when the key is not the panel's.
    pub(super) fn on_planner_key(&mut self, key: Key) -> Option<Option<Command>> {
        let running = self.outcome.is_none();
        let p = self.planner.as_mut().filter(|p| !p.done)?;
        match key {
            Key::Up => p.selected = p.selected.saturating_sub(1),
            Key::Down => p.selected = (p.selected + 1).min(PLANNER_ROWS.len() - 1),
            Key::Left | Key::Right if running => p.adjust(if key == Key::Left { -1 } else { 1 }),
            Key::Enter if running => {
                if p.pending == p.thresholds {
                    return Some(None);
                }
                p.sent = true;
                let t = p.pending.clone();
                self.info("planner thresholds sent; they apply before its next decision".into());
                return Some(Some(Command::SetPlannerThresholds(t)));
            }
            _ => return None,
        }
        Some(None)
    }
}
