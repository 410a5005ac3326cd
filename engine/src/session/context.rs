//! What a stage shares with the worker: the plan, the data, the run directory, the way out
//! (events) and in (commands), the live stop rule and the checkpoints.

use candle_core::Device;

use super::checkpointer::Checkpointer;
use super::control::Control;
use super::control_cache::ControlCache;
use super::emitter::Emitter;
use super::plan::Plan;
use crate::data::Dataset;
use crate::error::Result;
use crate::model::Classifier;
use crate::protocol::Event;
use crate::run_dir::RunDir;
use crate::stop::StopRule;

/// What a stage and the worker share.
pub struct StageContext<'a> {
    pub plan: &'a Plan,
    pub data: &'a Dataset,
    pub run_dir: &'a RunDir,
    pub emitter: &'a mut Emitter,
    pub control: &'a mut Control,
    /// The stop rule in force; changed by `SetStopRule` at epoch ends.
    pub rule: &'a mut StopRule,
    pub device: &'a Device,
    pub cache: &'a ControlCache,
    /// Dense guidance (DGKD): every model above the one in training, teacher first; the kd arm
    /// learns from all of them while it distils. Empty for chain guidance.
    pub dense_teachers: Vec<&'a Classifier>,
    /// Per-epoch checkpoints, and where a resumed run continues.
    pub checkpoints: &'a mut Checkpointer,
}

impl StageContext<'_> {
    /// Record and send `event` (see [`Emitter::emit`]).
    pub fn emit(&mut self, event: Event) -> Result<()> {
        self.emitter.emit(event)
    }
}
