//! A NaN or infinite training loss: the stage is halted, and the run fails or goes on as
//! `training.on_non_finite_loss` says.

use super::context::StageContext;
use super::plan::StagePlan;
use crate::error::{Error, Result};
use crate::preset::OnNonFiniteLoss;
use crate::protocol::{ArmKind, Event};
use crate::train::TrainError;

/// When `error` is a non-finite loss: emit `StageHalted` and return `Ok` if the run goes on
/// (the caller ends the stage), the error again if it stops. Any other error is returned as is.
pub(super) fn on_train_error(
    ctx: &mut StageContext,
    stage: &StagePlan,
    arm: ArmKind,
    epoch: usize,
    error: Error,
) -> Result<()> {
    let Some(&TrainError::NonFiniteLoss { batch, loss }) = error.train_error() else {
        return Err(error);
    };
    let goes_on = ctx.plan.preset.training.on_non_finite_loss == OnNonFiniteLoss::HaltStage;
    ctx.emitter.emit(Event::StageHalted {
        stage: stage.index,
        model: stage.name.clone(),
        arm,
        epoch,
        batch,
        loss: loss.to_string(),
        run_goes_on: goes_on,
    })?;
    if goes_on {
        Ok(())
    } else {
        Err(error.context(
            "the run stops (training.on_non_finite_loss: stop_run; halt_stage would go on)",
        ))
    }
}
