//! Which chain a preset's `strategy` trains.

use crate::planner::Strategy;
use crate::preset::{ModelNode, Preset};

/// The models trained, teacher first, with their names: `scratch` the student alone; `kd` and
/// `dynamic` (before the planner chose) teacher and student; `takd` and `dgkd` the whole chain.
pub fn strategy_nodes(preset: &Preset) -> Vec<(String, &ModelNode)> {
    let mut nodes = preset.nodes();
    match preset.strategy {
        Strategy::Scratch => vec![nodes.pop().expect("a student")],
        Strategy::Kd | Strategy::Dynamic => {
            let student = nodes.pop().expect("a student");
            vec![nodes.swap_remove(0), student]
        }
        Strategy::Takd | Strategy::Dgkd => nodes,
    }
}

/// The chain with `assistants` (named `ta1`, `ta2`, … in order) between the preset's teacher and
/// student.
pub fn nodes_with<'a>(
    preset: &'a Preset,
    assistants: &'a [ModelNode],
) -> Vec<(String, &'a ModelNode)> {
    let mut nodes = preset.nodes();
    let student = nodes.pop().expect("a student");
    let mut out = vec![nodes.swap_remove(0)];
    out.extend(
        assistants
            .iter()
            .enumerate()
            .map(|(i, n)| (n.name.clone().unwrap_or_else(|| format!("ta{}", i + 1)), n)),
    );
    out.push(student);
    out
}

/// True when distilled models are taught by every model above them (DGKD).
pub fn is_dense(preset: &Preset) -> bool {
    preset.strategy == Strategy::Dgkd
}
