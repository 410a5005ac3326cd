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
    #[serde(with = "crate::protocol::float")]
    pub max_ratio: f64,
    #[serde(with = "crate::protocol::float")]
    pub probe_fraction: f64,
    /// pp.
    #[serde(with = "crate::protocol::float")]
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
