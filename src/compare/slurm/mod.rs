//! `compare --executor slurm`: every (seed, strategy) run of a comparison as one task of a Slurm
//! job array on a shared file system, each running `mkd-tui run <its preset> --headless --out
//! <comparison>/seed-<s>/<strategy>`. A seed's teacher is trained by one task and loaded by the
//! others, which wait for it (`--dependency=afterok`). The comparison's process, or a later
//! `compare --collect`, polls the run directories and Slurm and rewrites the table.
//!
//! Files under `<comparison>/slurm/`: `tasks.json` (the tasks and their latest submissions),
//! `presets/` (each task's preset), `scripts/` (the batch scripts as submitted), `logs/` (each
//! task's output, `<array job>_<task>.log`), `exit/` (each task's exit code).

pub mod poll;
pub mod submit;
pub mod tasks;
pub mod watch;

pub use poll::TaskStatus;
pub use submit::{submit, SubmitOptions};
pub use tasks::{plan, Header, JobRef, Task, TaskFile};
pub use watch::{statuses, wait, write_table, WaitEnd};
