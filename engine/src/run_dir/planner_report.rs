//! The "Planner" section of the report: what the assistant planner probed and decided.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::protocol::{Event, PlannerThresholds, Verdict};

/// One decision of the planner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannerDecisionReport {
    pub candidate: String,
    pub verdict: Verdict,
    /// Student validation accuracy gained, pp.
    pub gain: Option<f64>,
    pub reason: String,
}

/// The planner's work in one run (strategy `dynamic`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PlannerReport {
    pub thresholds: Option<PlannerThresholds>,
    /// Prior from the parameter ratio: `k₀` and the ladder entries it suggested.
    pub prior_k0: usize,
    pub prior: Vec<String>,
    /// Epochs of one probe.
    pub epochs_per_probe: usize,
    /// Probes run, scratch and distilled.
    pub probes: usize,
    pub decisions: Vec<PlannerDecisionReport>,
    /// The assistants chosen, largest first, and why the search stopped.
    pub assistants: Vec<String>,
    pub reason: String,
    /// Probe compute: epochs, training images and wall time, seconds.
    pub probe_epochs: usize,
    pub probe_images: u64,
    pub probe_seconds: f64,
}

impl PlannerReport {
    /// Fold one event in; returns false for events that are not the planner's.
    pub fn observe(&mut self, event: &Event) -> bool {
        match event {
            Event::PlannerStarted {
                thresholds,
                probe_epochs,
                prior_k0,
                prior,
                ..
            } => {
                self.thresholds = Some(thresholds.clone());
                self.epochs_per_probe = *probe_epochs;
                self.prior_k0 = *prior_k0;
                self.prior = prior.clone();
            }
            Event::PlannerProbe { .. } => self.probes += 1,
            Event::PlannerDecision {
                candidate,
                verdict,
                gain,
                reason,
                ..
            } => self.decisions.push(PlannerDecisionReport {
                candidate: candidate.clone(),
                verdict: *verdict,
                gain: *gain,
                reason: reason.clone(),
            }),
            Event::PlannerFinished {
                assistants,
                reason,
                probe_epochs,
                probe_images,
                probe_seconds,
            } => {
                self.assistants = assistants.clone();
                self.reason = reason.clone();
                self.probe_epochs = *probe_epochs;
                self.probe_images = *probe_images;
                self.probe_seconds = *probe_seconds;
            }
            Event::PlannerCandidate { .. } => {}
            _ => return false,
        }
        true
    }

    /// The Markdown section.
    pub fn to_markdown(&self) -> String {
        let mut s = String::from("\n## Planner\n\n");
        if let Some(t) = &self.thresholds {
            let _ = writeln!(
                s,
                "max_ratio {} · probe_fraction {} ({} epoch{} per probe) · min_gain {:.2} pp · max_assistants {} · probe budget {}  ",
                t.max_ratio,
                t.probe_fraction,
                self.epochs_per_probe,
                if self.epochs_per_probe == 1 { "" } else { "s" },
                t.min_gain,
                t.max_assistants,
                t.probe_budget
                    .map_or("unlimited".to_string(), |b| format!("{b} epochs"))
            );
        }
        let _ = writeln!(
            s,
            "Prior: k₀ = {} ({}).  \nChosen: {} — {}.  \nProbe compute: {} probes, {} epochs, {} training images, {:.1} s.\n",
            self.prior_k0,
            if self.prior.is_empty() { "none".into() } else { self.prior.join(", ") },
            if self.assistants.is_empty() { "no assistant".into() } else { self.assistants.join(" → ") },
            self.reason,
            self.probes,
            self.probe_epochs,
            self.probe_images,
            self.probe_seconds
        );
        if !self.decisions.is_empty() {
            let _ = writeln!(s, "| candidate | verdict | gain (pp) | reason |");
            let _ = writeln!(s, "|---|---|--:|---|");
            for d in &self.decisions {
                let _ = writeln!(
                    s,
                    "| {} | {} | {} | {} |",
                    d.candidate,
                    d.verdict.as_str(),
                    d.gain.map_or("—".to_string(), |g| format!("{g:+.2}")),
                    d.reason.replace('|', "\\|")
                );
            }
        }
        s
    }
}
