//! `mkd-tui compare`: the same student trained by several strategies over several seeds, and the
//! table that compares them (the seed paper's control group of students).

pub mod arms;
pub mod charts;
pub mod folder;
pub mod grid;
pub mod paired;
pub mod progress;
pub mod settings;
pub mod slurm;
pub mod table;
pub mod unfinished;
pub mod write;

pub use arms::{arms, parse_entries, Arm, Entry};
pub use paired::{PairedDiff, Verdict};
pub use progress::{is_comparison, Cell, CellState, ComparisonProgress, StrategyRow};
pub use settings::Settings;
pub use table::{ArchAcc, CompareTable, Exhaustive, ModelAcc, RunRow, Summary};
pub use unfinished::UnfinishedTask;
