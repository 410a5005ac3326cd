//! The best checkpoint of each arm: saved when an epoch beats the arm's best validation accuracy,
//! and reloaded at the stage's end so the next stage learns from the best epoch, not the last.
//! (The per-epoch resume checkpoints are [`resume`](crate::session::resume)'s job.)

use std::path::Path;

use crate::error::Context as _;

use crate::error::{Error, Result};
use crate::model::Classifier;
use crate::protocol::{ArmKind, Event};
use crate::session::arm::{Arm, Source};
use crate::session::context::StageContext;
use crate::session::plan::StagePlan;
use crate::session::resume;

/// Save `model` as the best checkpoint of the `arm` arm of `stage` (at `checkpoint`), after epoch
/// `epoch` (1-based), and say so with `CheckpointSaved`.
///
/// Errors: the file cannot be written (named), or the run directory cannot be written.
pub(super) fn save_best(
    ctx: &mut StageContext,
    stage: &StagePlan,
    arm: ArmKind,
    epoch: usize,
    model: &Classifier,
    checkpoint: &Path,
) -> Result<()> {
    let provenance = crate::model::Provenance::of(ctx.data);
    resume::save_atomically(model, checkpoint, Some(&provenance)).with_context(|| {
        format!(
            "saving the best checkpoint of {} ({} arm)",
            stage.name,
            arm.as_str()
        )
    })?;
    ctx.emit(Event::CheckpointSaved {
        model: stage.name.clone(),
        arm,
        epoch,
        path: checkpoint.to_path_buf(),
    })
}

/// The primary arm's model (the first of `arms`) with its best epoch's weights, to teach the next
/// stage. The last stage teaches nobody: when it was halted before any epoch ended its model is
/// returned as it is.
///
/// Errors: a stage that teaches the next has no best checkpoint (halted in its first epoch), or
/// the checkpoint cannot be read back.
pub(super) fn best_model(
    ctx: &StageContext,
    stage: &StagePlan,
    mut arms: Vec<Arm>,
) -> Result<Box<Classifier>> {
    let primary = arms.swap_remove(0);
    let Source::Trained { model, .. } = primary.source else {
        unreachable!("the primary arm is always trained")
    };
    let mut best = model;
    let last_stage = stage.index + 1 == ctx.plan.stages.len();
    if !primary.saved && last_stage {
        // Halted before any epoch ended, and nothing learns from it: nothing to reload.
        return Ok(best);
    }
    if !primary.saved {
        return Err(Error::NoBestCheckpoint {
            model: stage.name.clone(),
        });
    }
    best.load(&primary.checkpoint)
        .with_context(|| format!("reloading the best checkpoint of {}", stage.name))?;
    Ok(best)
}
