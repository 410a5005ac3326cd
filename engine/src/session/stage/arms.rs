//! The arms of a stage, and the control cache they come from and go to: a scratch control is
//! replayed from the cache when its curve is there, and stored in it when trained in full.

use crate::error::Context as _;

use crate::error::Result;
use crate::model::Classifier;
use crate::protocol::{ArmKind, ArmResult, Event, LogLevel};
use crate::seed::{self, purpose};
use crate::session::arm::{Arm, Source};
use crate::session::context::StageContext;
use crate::session::control_cache::{CachedCurve, Lookup};
use crate::session::plan::StagePlan;
use crate::train;

/// The stage's arms, primary first; a scratch control comes from the cache when it can.
pub(super) fn build(ctx: &mut StageContext, stage: &StagePlan) -> Result<Vec<Arm>> {
    let init_seed = seed::derive(
        ctx.plan.preset.seed,
        &[purpose::WEIGHT_INIT, stage.seed_slot()],
    );
    let mut arms = Vec::new();
    for (i, &kind) in stage.arms.iter().enumerate() {
        let checkpoint = ctx.run_dir.checkpoint_path(&stage.name, kind, i == 0);
        if kind == ArmKind::Scratch && i > 0 {
            let key = ctx.cache.key(ctx.plan, stage);
            match ctx.cache.lookup(&key) {
                Lookup::Hit(curve) => {
                    ctx.emit(Event::ControlCached {
                        stage: stage.index,
                        model: stage.name.clone(),
                        arm: kind,
                        path: ctx.cache.path(&key),
                    })?;
                    arms.push(Arm::new(kind, Source::Cached(curve), checkpoint));
                    continue;
                }
                Lookup::Corrupt(why) => ctx.emit(Event::Log {
                    level: LogLevel::Warn,
                    message: format!(
                        "ignoring the control cache ({why}); training the scratch arm"
                    ),
                })?,
                Lookup::Miss => {}
            }
        }
        // Same seed for every arm: the arms share their initial weights.
        let model = Classifier::new(
            &stage.spec,
            ctx.plan.input,
            ctx.plan.num_classes,
            init_seed,
            ctx.device,
        )
        .with_context(|| format!("building {}", stage.name))?;
        let optimizer = train::build_optimizer(&stage.optimizer, model.trainable_vars())?;
        let source = Source::Trained {
            model: Box::new(model),
            optimizer,
        };
        arms.push(Arm::new(kind, source, checkpoint));
    }
    Ok(arms)
}

/// Store a scratch control trained over the whole schedule in the control-curve cache. A cache
/// that cannot be written is a warning: the next run trains the control again.
pub(super) fn store_scratch_curve(
    ctx: &mut StageContext,
    stage: &StagePlan,
    arms: &[Arm],
) -> Result<()> {
    let Some(arm) = arms
        .iter()
        .skip(1)
        .find(|a| a.kind == ArmKind::Scratch && !a.is_cached())
    else {
        return Ok(());
    };
    if arm.records.len() != stage.epochs {
        return Ok(());
    }
    let mut result: ArmResult = arm.result();
    result.checkpoint = None;
    let curve = CachedCurve {
        key: ctx.cache.key(ctx.plan, stage),
        records: arm.records.clone(),
        result,
    };
    let (level, message) = match ctx.cache.store(&curve) {
        Ok(path) => (
            LogLevel::Info,
            format!(
                "scratch curve of {} cached in {}",
                stage.name,
                path.display()
            ),
        ),
        Err(e) => (
            LogLevel::Warn,
            format!(
                "could not write the control cache in {}: {e}",
                ctx.cache.dir().display()
            ),
        ),
    };
    ctx.emit(Event::Log { level, message })
}
