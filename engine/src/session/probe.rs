//! The planner's real oracle: short training runs on the train/validation split.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::ControlFlow;
use std::time::Instant;

use candle_core::Device;

use super::control::Control;
use super::emitter::Emitter;
use super::epoch_inputs::EpochInputs;
use super::plan::Plan;
use crate::data::{self, Dataset};
use crate::error::{Context as _, Error, Result};
use crate::model::{Classifier, ModelSpec};
use crate::planner::{Ladder, Member, Probe, ProbeOracle};
use crate::preset::OptimizerConfig;
use crate::seed::{self, purpose};
use crate::train::{self, EpochOutcome, KdTarget, LogitCache};

/// Images per evaluation batch.
const EVAL_BATCH: usize = 1000;

/// Trains each probed model for `epochs` epochs (the schedule compressed to those epochs) and
/// reports its best validation accuracy. Every probe of a model starts from the same seeded
/// weights and all probes share one seeded data order, so scratch and distilled probes of a model
/// differ only in their teacher. Distilled models are kept to teach the next prefix.
pub struct TrainingOracle<'a> {
    pub plan: &'a Plan,
    pub data: &'a Dataset,
    pub device: &'a Device,
    /// The fully trained teacher (best checkpoint).
    pub teacher: &'a Classifier,
    pub ladder: &'a Ladder,
    pub epochs: usize,
    pub control: &'a mut Control,
    /// Shared with the planner's event observer (never borrowed by both at once).
    pub emitter: &'a RefCell<&'a mut Emitter>,
    /// Distilled probe models by chain prefix.
    pub models: HashMap<Vec<Member>, Classifier>,
    /// Teacher logits over the training split by the teacher's chain prefix (`[Teacher]` for the
    /// teacher), filled on first use when the preset caches logits and does not augment: a
    /// teacher that teaches several probes runs once over the data instead of every batch.
    pub logit_caches: HashMap<Vec<Member>, LogitCache>,
}

impl TrainingOracle<'_> {
    fn spec(&self, m: Member) -> (&ModelSpec, OptimizerConfig) {
        let first = &self.plan.stages[0];
        let last = self.plan.stages.last().expect("a student");
        match m {
            Member::Teacher => (&first.spec, first.optimizer.clone()),
            Member::Student => (&last.spec, last.optimizer.clone()),
            Member::Rung(i) => (
                &self.ladder.rungs[i].spec,
                self.plan.preset.training.optimizer.clone(),
            ),
        }
    }

    fn member_id(m: Member) -> u64 {
        match m {
            Member::Teacher => 0,
            Member::Student => 1,
            Member::Rung(i) => 2 + i as u64,
        }
    }
}

/// Train one probe model; `teacher` distils into it.
#[allow(clippy::too_many_arguments)]
fn train_probe(
    plan: &Plan,
    data: &Dataset,
    device: &Device,
    spec: &ModelSpec,
    optimizer: &OptimizerConfig,
    init_seed: u64,
    epochs: usize,
    teacher: Option<(&Classifier, Option<&LogitCache>)>,
    control: &mut Control,
    emitter: &RefCell<&mut Emitter>,
) -> Result<(Classifier, Probe)> {
    let preset = &plan.preset;
    let started = Instant::now();
    let model = Classifier::new(spec, plan.input, plan.num_classes, init_seed, device)
        .with_context(|| format!("building the probe {}", spec.label()))?;
    let mut opt = train::build_optimizer(optimizer, model.trainable_vars())?;
    let kd = teacher.map(|(t, cache)| KdTarget {
        teacher: t,
        temperature: preset.distill.temperature,
        alpha: preset.distill.alpha,
        reduction: preset.distill.kl_reduction,
        cache,
    });
    let mut best = f64::NEG_INFINITY;
    let mut images = 0u64;
    for epoch in 0..epochs {
        opt.set_learning_rate(train::learning_rate(
            &preset.training.schedule,
            optimizer.lr(),
            epoch,
            epochs,
        ));
        let order = data::epoch_order(
            data.train.len(),
            seed::derive(preset.seed, &[purpose::PROBE_ORDER, epoch as u64]),
        );
        // Probe slot u64::MAX: probes draw their own masks and shifts, shared by every probe.
        let inputs = EpochInputs::prepare(&model, preset, data, u64::MAX, epoch);
        let train_data = inputs.source();
        let mut channel_error = None;
        let mut on_batch = |_| match control.poll(&mut emitter.borrow_mut()) {
            Ok(flow) => flow,
            Err(e) => {
                channel_error = Some(e);
                ControlFlow::Break(())
            }
        };
        let outcome = train::train_epoch(
            &model,
            opt.as_mut(),
            train_data,
            &order,
            preset.training.batch_size,
            kd.as_ref(),
            &mut on_batch,
        )
        .with_context(|| format!("probe {}, epoch {}", spec.label(), epoch + 1))?;
        if let Some(e) = channel_error {
            return Err(e);
        }
        if outcome == EpochOutcome::Interrupted {
            return Err(Error::Interrupted);
        }
        images += order.len() as u64;
        best = best.max(train::evaluate(&model, &data.val, EVAL_BATCH)?);
    }
    let probe = Probe {
        val_acc: best,
        images,
        seconds: started.elapsed().as_secs_f64(),
    };
    Ok((model, probe))
}

impl ProbeOracle for TrainingOracle<'_> {
    fn take_thresholds(&mut self) -> Result<Option<crate::protocol::PlannerThresholds>> {
        // Commands sent while no probe trains are read here.
        if self
            .control
            .poll(&mut self.emitter.borrow_mut())?
            .is_break()
        {
            return Err(Error::Interrupted);
        }
        Ok(self.control.take_pending_planner())
    }

    fn scratch(&mut self, member: Member) -> Result<Probe> {
        let (spec, opt) = self.spec(member);
        let spec = spec.clone();
        let seed = seed::derive(
            self.plan.preset.seed,
            &[purpose::PROBE_INIT, Self::member_id(member)],
        );
        let (_, probe) = train_probe(
            self.plan,
            self.data,
            self.device,
            &spec,
            &opt,
            seed,
            self.epochs,
            None,
            self.control,
            self.emitter,
        )?;
        Ok(probe)
    }

    fn distilled(&mut self, chain: &[Member]) -> Result<Probe> {
        let n = chain.len();
        if n < 2 {
            return Err(Error::PlannerProbe(
                "a distilled probe needs a teacher and a model",
            ));
        }
        let member = chain[n - 1];
        let (spec, opt) = self.spec(member);
        let spec = spec.clone();
        let seed = seed::derive(
            self.plan.preset.seed,
            &[purpose::PROBE_INIT, Self::member_id(member)],
        );
        let teacher = if n == 2 {
            self.teacher
        } else {
            self.models.get(&chain[..n - 1]).ok_or(Error::PlannerProbe(
                "a planner probe asked before its teacher's prefix was probed",
            ))?
        };
        let distill = &self.plan.preset;
        let key = if n == 2 {
            vec![Member::Teacher]
        } else {
            chain[..n - 1].to_vec()
        };
        if distill.distill.logit_cache
            && !distill.data.augment.is_on()
            && !self.logit_caches.contains_key(&key)
        {
            let cache = LogitCache::build(teacher, &self.data.train, EVAL_BATCH)?;
            self.logit_caches.insert(key.clone(), cache);
        }
        let cache = self.logit_caches.get(&key);
        let (model, probe) = train_probe(
            self.plan,
            self.data,
            self.device,
            &spec,
            &opt,
            seed,
            self.epochs,
            Some((teacher, cache)),
            self.control,
            self.emitter,
        )?;
        if member != Member::Student {
            self.models.insert(chain.to_vec(), model);
        }
        Ok(probe)
    }
}
