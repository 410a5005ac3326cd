//! The preset keys of the planner and of the training strategy (`strategy:`, `planner:`).

use serde::{Deserialize, Serialize};

use super::ladder::LadderSpec;

/// How the student of a preset is trained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// The student alone, from labels (no teacher is trained).
    Scratch,
    /// Teacher straight to student (the preset's assistants are ignored).
    Kd,
    /// The fixed chain of the preset, each model taught by the one above (TAKD, Mirzadeh et al. 2020).
    #[default]
    Takd,
    /// The fixed chain of the preset, each model taught by all models above it, `distill.drop_num`
    /// of them dropped at random per batch (DGKD, Son et al. ICCV 2021).
    Dgkd,
    /// The planner chooses the assistants from `planner.ladder` (DESIGN §4.2), then the chosen chain
    /// trains in full under the stop rule.
    Dynamic,
}

impl Strategy {
    /// Name in presets, files and tables: `scratch`, `kd`, `takd`, `dgkd`, `dynamic`.
    pub fn as_str(self) -> &'static str {
        match self {
            Strategy::Scratch => "scratch",
            Strategy::Kd => "kd",
            Strategy::Takd => "takd",
            Strategy::Dgkd => "dgkd",
            Strategy::Dynamic => "dynamic",
        }
    }

    /// Parse a name as written by [`as_str`](Self::as_str).
    pub fn parse(s: &str) -> Option<Strategy> {
        [
            Strategy::Scratch,
            Strategy::Kd,
            Strategy::Takd,
            Strategy::Dgkd,
            Strategy::Dynamic,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// Thresholds of the assistant planner (DESIGN §4.2). All act on the next decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlannerConfig {
    /// Candidate assistant architectures.
    pub ladder: LadderSpec,
    /// Largest parameter ratio between neighbours of the chain that needs no assistant; sets the
    /// prior `k₀ = ⌈ln(p_T/p_S)/ln max_ratio⌉ − 1` and which gaps are probed. > 1.
    #[serde(default = "default_max_ratio")]
    pub max_ratio: f64,
    /// A probe trains each model for this fraction of the student's epochs (at least 1 epoch). (0, 1].
    #[serde(default = "default_probe_fraction")]
    pub probe_fraction: f64,
    /// pp of student validation accuracy an inserted assistant must add to be accepted.
    #[serde(default = "default_min_gain")]
    pub min_gain: f64,
    /// Most assistants the planner may choose.
    #[serde(default = "default_max_assistants")]
    pub max_assistants: usize,
    /// Total epochs all probes together may train [unlimited].
    #[serde(default)]
    pub probe_budget: Option<usize>,
}

fn default_max_ratio() -> f64 {
    8.0
}
fn default_probe_fraction() -> f64 {
    0.3
}
fn default_min_gain() -> f64 {
    0.3
}
fn default_max_assistants() -> usize {
    2
}

impl PlannerConfig {
    /// Epochs of one probe for a schedule of `epochs`: `max(1, round(probe_fraction · epochs))`.
    pub fn probe_epochs(&self, epochs: usize) -> usize {
        ((self.probe_fraction * epochs as f64).round() as usize).max(1)
    }

    /// Problems with the thresholds, as (field under `planner.`, expected).
    pub fn check(&self) -> Vec<(String, String)> {
        let mut out = check_thresholds(self.max_ratio, self.probe_fraction, self.min_gain);
        if let Err(e) = self.ladder.check() {
            out.push(("ladder".into(), e));
        }
        out
    }
}

/// The thresholds' checks, shared by the preset and the `set_planner_thresholds` command:
/// `max_ratio` > 1, `probe_fraction` in (0, 1], `min_gain` finite (pp). One `(field, message)` per
/// problem.
pub fn check_thresholds(
    max_ratio: f64,
    probe_fraction: f64,
    min_gain: f64,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if !(max_ratio.is_finite() && max_ratio > 1.0) {
        out.push((
            "max_ratio".into(),
            format!("expected a number > 1, got {max_ratio}"),
        ));
    }
    if !(probe_fraction > 0.0 && probe_fraction <= 1.0) {
        out.push((
            "probe_fraction".into(),
            format!("expected a number in (0, 1], got {probe_fraction}"),
        ));
    }
    if !min_gain.is_finite() {
        out.push((
            "min_gain".into(),
            format!("expected a number (pp), got {min_gain}"),
        ));
    }
    out
}
