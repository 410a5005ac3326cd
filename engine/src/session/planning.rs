//! Strategy `dynamic`: after the teacher, the planner chooses the assistants and the plan grows.

use std::cell::RefCell;
use std::collections::HashMap;

use crate::error::Context as _;
use candle_core::Device;

use super::control::Control;
use super::emitter::Emitter;
use super::plan::Plan;
use super::probe::TrainingOracle;
use super::strategy::nodes_with;
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::model::Classifier;
use crate::planner::{Ladder, Search};
use crate::preset::{ModelNode, Preset};
use crate::protocol::{Event, LadderEntry, LogLevel};
use crate::run_dir::RunDir;

/// Run the planner for `plan` (teacher → student, the teacher trained) and return the plan of the
/// chosen chain and its assistants (largest first). `sizes` are the split sizes for the new plan's
/// summary, sent as `PlanChanged`.
///
/// Errors: the preset has no `planner` section ([`Error::NoPlannerSection`]); a probe failed; the
/// user quit during a probe ([`Error::Interrupted`]).
pub fn choose_assistants(
    plan: &Plan,
    data: &Dataset,
    device: &Device,
    teacher: &Classifier,
    emitter: &mut Emitter,
    control: &mut Control,
    sizes: (usize, usize, usize),
) -> Result<(Plan, Vec<ModelNode>)> {
    let preset = &plan.preset;
    let cfg = preset.planner.as_ref().ok_or(Error::NoPlannerSection)?;
    let ladder = Ladder::build(&cfg.ladder, plan.input, plan.num_classes);
    for (label, why) in &ladder.skipped {
        emitter.emit(Event::Log {
            level: LogLevel::Warn,
            message: format!("planner: ladder entry {label} left out: {why}"),
        })?;
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
        logit_caches: HashMap::new(),
    };
    let mut observer = |e: Event| emitter.borrow_mut().emit(e);
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
    emitter.borrow_mut().emit(Event::PlanChanged {
        plan: new_plan.summary(sizes),
    })?;
    Ok((new_plan, assistants))
}

/// File of the run directory that keeps the assistants the planner chose, so that a resumed run
/// trains the same chain without probing again.
pub const CHOSEN_FILE: &str = "planned-assistants.json";

/// Write the chosen assistants (largest first) atomically: a temporary file, then a rename.
///
/// Errors: the run directory is not writable.
pub fn save_chosen(run_dir: &RunDir, assistants: &[ModelNode]) -> Result<()> {
    let path = run_dir.path().join(CHOSEN_FILE);
    let bytes = serde_json::to_vec_pretty(assistants)?;
    crate::run_dir::atomic::write_atomic(&path, &bytes, "writing the planned assistants")?;
    Ok(())
}

/// The plan with the assistants chosen before an interruption; `None` when the planner had not
/// finished.
///
/// Errors: the file exists but is not a list of models (names the file).
pub fn load_chosen(run_dir: &RunDir, preset: &Preset) -> Result<Option<Plan>> {
    let path = run_dir.path().join(CHOSEN_FILE);
    let Ok(bytes) = std::fs::read(&path) else {
        return Ok(None);
    };
    let assistants: Vec<ModelNode> = serde_json::from_slice(&bytes)
        .with_context(|| format!("{}: expected a list of models", path.display()))?;
    Ok(Some(Plan::from_nodes(
        preset,
        nodes_with(preset, &assistants),
    )))
}
