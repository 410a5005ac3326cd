//! Strategy `dynamic`: after the teacher, the planner chooses the assistants and the plan grows.

use std::cell::RefCell;
use std::collections::HashMap;

use anyhow::Context as _;
use candle_core::Device;

use super::control::Control;
use super::emitter::Emitter;
use super::plan::Plan;
use super::probe::TrainingOracle;
use super::strategy::nodes_with;
use crate::data::Dataset;
use crate::model::Classifier;
use crate::planner::{Ladder, Search};
use crate::preset::ModelNode;
use crate::protocol::{Event, LadderEntry, LogLevel};

/// Run the planner for `plan` (teacher → student, the teacher trained) and return the plan of the
/// chosen chain. `sizes` are the split sizes for the new plan's summary, sent as `PlanChanged`.
///
/// Errors: the preset has no `planner` section; a probe failed; the user quit during a probe
/// ([`Interrupted`](super::probe::Interrupted) inside the error).
pub fn choose_assistants(
    plan: &Plan,
    data: &Dataset,
    device: &Device,
    teacher: &Classifier,
    emitter: &mut Emitter,
    control: &mut Control,
    sizes: (usize, usize, usize),
) -> anyhow::Result<Plan> {
    let preset = &plan.preset;
    let cfg = preset
        .planner
        .as_ref()
        .context("strategy `dynamic` needs a `planner:` section")?;
    let ladder = Ladder::build(&cfg.ladder, plan.input, plan.num_classes);
    for (label, why) in &ladder.skipped {
        emitter
            .emit(Event::Log {
                level: LogLevel::Warn,
                message: format!("planner: ladder entry {label} left out: {why}"),
            })
            .map_err(anyhow::Error::msg)?;
    }
    let first = &plan.stages[0];
    let last = plan.stages.last().expect("a student");
    let entry = |s: &super::plan::StagePlan| LadderEntry {
        label: s.spec.label(),
        params: s.params,
    };
    let search = Search {
        ladder: &ladder,
        config: cfg,
        teacher: entry(first),
        student: entry(last),
        probe_epochs: cfg.probe_epochs(last.epochs),
    };
    let emitter = RefCell::new(emitter);
    let mut oracle = TrainingOracle {
        plan,
        data,
        device,
        teacher,
        ladder: &ladder,
        epochs: search.probe_epochs,
        control,
        emitter: &emitter,
        models: HashMap::new(),
    };
    let mut observer = |e: Event| emitter.borrow_mut().emit(e).map_err(anyhow::Error::msg);
    let outcome = search.run(&mut oracle, &mut observer)?;
    let assistants: Vec<ModelNode> = outcome
        .assistants
        .iter()
        .map(|&i| ModelNode {
            name: None,
            arch: ladder.rungs[i].spec.clone(),
            weights: None,
            epochs: None,
            lr: None,
        })
        .collect();
    let new_plan = Plan::from_nodes(preset, nodes_with(preset, &assistants));
    emitter
        .borrow_mut()
        .emit(Event::PlanChanged {
            plan: new_plan.summary(sizes),
        })
        .map_err(anyhow::Error::msg)?;
    Ok(new_plan)
}
