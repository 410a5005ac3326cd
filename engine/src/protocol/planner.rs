//! What the assistant planner tells the front ends (carried by the `Planner*` events).

use serde::{Deserialize, Serialize};

/// A model the planner knows: a ladder entry, the teacher or the student.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LadderEntry {
    /// Architecture label, e.g. `mlp-128`.
    pub label: String,
    /// Trainable parameters.
    pub params: u64,
}

/// The planner's thresholds as they acted (preset `planner.*`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannerThresholds {
    pub max_ratio: f64,
    pub probe_fraction: f64,
    /// pp.
    pub min_gain: f64,
    pub max_assistants: usize,
    /// Total probe epochs allowed (`None`: unlimited).
    pub probe_budget: Option<usize>,
}

/// What a probe trained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProbeKind {
    /// The model from labels alone.
    Scratch,
    /// The model distilled from the one above it in the probed chain.
    Distilled,
}

/// The fate of a candidate assistant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Inserted into the chain.
    Accepted,
    /// Not inserted: the student gained less than `min_gain`, or the assistant learned less by
    /// distillation than from labels.
    Rejected,
    /// Removed from the chain after an insertion above it made it worse than its scratch accuracy.
    Dropped,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Accepted => "accepted",
            Verdict::Rejected => "rejected",
            Verdict::Dropped => "dropped",
        }
    }
}

impl super::Event {
    /// One line for a log, for the planner's events and `PlanChanged` (`None` for the others), so
    /// both front ends say the same thing.
    pub fn planner_line(&self) -> Option<String> {
        use super::Event;
        Some(match self {
            Event::PlannerStarted {
                teacher,
                student,
                ladder,
                thresholds: th,
                probe_epochs,
                prior_k0,
                prior,
            } => {
                let ratio = teacher.params as f64 / student.params.max(1) as f64;
                let ladder: Vec<&str> = ladder.iter().map(|e| e.label.as_str()).collect();
                format!(
                    "planner: {} → {} is {ratio:.1}× in parameters; prior k₀ = {prior_k0} ({}) with max_ratio {}; probes of {probe_epochs} epoch{}, min_gain {:.2} pp, max_assistants {}, budget {}; ladder {}",
                    teacher.label,
                    student.label,
                    if prior.is_empty() { "none".to_string() } else { prior.join(", ") },
                    th.max_ratio,
                    if *probe_epochs == 1 { "" } else { "s" },
                    th.min_gain,
                    th.max_assistants,
                    th.probe_budget.map_or("unlimited".to_string(), |b| format!("{b} epochs")),
                    ladder.join(" ")
                )
            }
            Event::PlannerCandidate {
                candidate,
                above,
                below,
                scratch_acc,
                middle_acc,
                ..
            } => format!(
                "planner: probing {candidate} between {above} and {below} (scratch {scratch_acc:.2}%, nearest the middle {middle_acc:.2}%)"
            ),
            Event::PlannerProbe {
                chain,
                kind,
                val_acc,
                epochs,
                seconds,
                ..
            } => format!(
                "planner: probe {} {}: val {val_acc:.2}% after {epochs} epoch{} ({seconds:.1}s)",
                match kind {
                    ProbeKind::Scratch => "scratch",
                    ProbeKind::Distilled => "kd",
                },
                chain.join(" → "),
                if *epochs == 1 { "" } else { "s" },
            ),
            Event::PlannerDecision {
                candidate,
                verdict,
                reason,
                ..
            } => format!("planner: {candidate} {}: {reason}", verdict.as_str()),
            Event::PlannerFinished {
                assistants,
                reason,
                probe_epochs,
                probe_images,
                probe_seconds,
            } => format!(
                "planner: chose {} ({reason}); probes {probe_epochs} epochs, {probe_images} images, {probe_seconds:.1}s",
                if assistants.is_empty() {
                    "no assistant".to_string()
                } else {
                    assistants.join(", ")
                }
            ),
            Event::PlannerThresholdsApplied { thresholds: t } => format!(
                "planner thresholds applied: max_ratio {} · min_gain {:.2} pp · max_assistants {} · budget {}",
                t.max_ratio,
                t.min_gain,
                t.max_assistants,
                t.probe_budget
                    .map_or("unlimited".to_string(), |b| format!("{b} epochs"))
            ),
            Event::PlanChanged { plan } => {
                let chain: Vec<String> = plan
                    .nodes
                    .iter()
                    .map(|n| format!("{} {}", n.name, n.arch))
                    .collect();
                format!("chain: {}", chain.join(" → "))
            }
            _ => return None,
        })
    }
}
