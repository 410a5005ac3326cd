//! The planner's events in the front end: log lines, and the chain replaced when the planner chose.

use crate::protocol::{Event, PlanSummary, PlannerThresholds};

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
        if let Some(line) = event.planner_line() {
            self.info(line);
        }
        match event {
            Event::PlannerStarted {
                thresholds,
                probe_epochs,
                ..
            } => {
                self.planner = Some(PlannerPanel {
                    thresholds: thresholds.clone(),
                    probe_epochs: *probe_epochs,
                    spent: 0,
                    accepted: 0,
                    done: false,
                })
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
