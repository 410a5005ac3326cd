//! The dense-guidance target of a kd arm (strategy `dgkd`).

use super::plan::{Plan, StagePlan};
use crate::model::Classifier;
use crate::protocol::ArmKind;
use crate::seed::{self, purpose};
use crate::train::{DenseTarget, TeacherSource};

/// The DGKD target of `arm` in `stage` at `epoch` (0-based) when `teachers` (every model above,
/// teacher first) holds more than one model and the arm distils now (`distilling`); else `None`
/// and the arm trains as before (one teacher, or labels).
pub fn target<'a>(
    plan: &Plan,
    teachers: &[&'a Classifier],
    stage: &StagePlan,
    arm: ArmKind,
    epoch: usize,
    distilling: bool,
) -> Option<DenseTarget<'a>> {
    if arm != ArmKind::Kd || !distilling || teachers.len() < 2 {
        return None;
    }
    let preset = &plan.preset;
    Some(DenseTarget {
        teachers: teachers.iter().map(|&t| t as &dyn TeacherSource).collect(),
        temperature: preset.distill.temperature,
        alpha: preset.distill.alpha,
        reduction: preset.distill.kl_reduction,
        drop_num: preset.distill.drop_num,
        drop_seed: seed::derive(
            preset.seed,
            &[purpose::DENSE_DROP, stage.index as u64, epoch as u64],
        ),
    })
}
