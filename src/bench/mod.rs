//! `mkd-tui bench`: training and inference images/s and peak memory of the models we train, on random
//! images, one model per child process (so each peak is that model's own).
//!
//! The cases are the three models of the PyTorch comparison (issue 6: `mlp`, `cnn`, `kd`) and every
//! model of the shipped presets. `benches/pytorch_reference.py` runs the same cases in PyTorch and
//! prints the same JSON lines; `benches/compare_pytorch.py` runs both alternately and prints ratios.

#![warn(missing_docs)]

mod case;
mod cpu;
mod fma_peak;
mod measure;
mod peak_memory;
mod random_images;

pub use case::{cifar_resnet_cases, preset_cases, reference_cases, BenchCase, KdSpec};
pub use cpu::Cpu;
pub use fma_peak::{clock_ghz, FmaPeak};
pub use measure::{measure, BenchResult};
pub use peak_memory::peak_rss_mib;
pub use random_images::RandomImages;
