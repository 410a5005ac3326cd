//! The dense-guidance target of a kd arm (strategy `dgkd`).

use super::plan::{Plan, StagePlan};
use crate::model::Classifier;
use crate::protocol::ArmKind;
use crate::seed::{self, purpose};
use crate::train::{CachedTeacher, DenseTarget, TeacherSource};

/// True when `arm` learns by dense guidance from `teachers` (every model above, teacher first):
/// a kd arm with more than one model above it.
pub fn applies(teachers: &[&Classifier], arm: ArmKind) -> bool {
    arm == ArmKind::Kd && teachers.len() >= 2
}

/// The DGKD target of `arm` in `stage` at `epoch` (0-based) when it [`applies`] and the arm distils
/// now (`distilling`); else `None` and the arm trains as before (one teacher, or labels).
/// `cached[j]`, when present, serves teacher `j`'s logits from its cache instead of its forward pass.
#[allow(clippy::too_many_arguments)]
pub fn target<'a>(
    plan: &Plan,
    teachers: &[&'a Classifier],
    cached: &'a [Option<CachedTeacher<'a>>],
    stage: &StagePlan,
    arm: ArmKind,
    epoch: usize,
    distilling: bool,
) -> Option<DenseTarget<'a>> {
    if !applies(teachers, arm) || !distilling {
        return None;
    }
    let preset = &plan.preset;
    Some(DenseTarget {
        teachers: teachers
            .iter()
            .enumerate()
            .map(|(j, &t)| match cached.get(j) {
                Some(Some(c)) => c as &dyn TeacherSource,
                _ => t as &dyn TeacherSource,
            })
            .collect(),
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
