//! The run directory: preset copy, `events.jsonl`, `metrics.csv`, `checkpoints/`, `status.json`,
//! `report.md` and `report.json`, TensorBoard event files under `tb/`.

pub mod atomic;
mod create;
pub mod generations;
pub mod history;
mod lock;
pub mod planner_report;
mod recorder;
pub mod report;
mod status;
pub mod tensorboard;

pub use create::{portable_preset_yaml, RunDir, RunDirError};
pub use lock::{held, LockError, RunLock};
pub use recorder::Recorder;
pub use report::{
    ArmReport, Comparison, DistillationChange, EpochSpan, ModelReport, Report, ReportBuilder,
};
pub use status::{RunState, Status};
