//! mkd-tui: multi-assistant knowledge distillation with a live terminal front end.
//!
//! Data flows one way: [`preset`] → [`session::Plan`] → worker ([`session`]) → [`protocol::Event`]s →
//! front ends ([`headless`], [`tui`]). The engine modules (`data`, `model`, `train`, `distill`, `stop`,
//! `session`, `run_dir`) know nothing of the terminal; the `tui` module never touches candle tensors.
//! The two sides meet only in [`protocol`].

pub mod bench;
pub mod cli;
pub mod compare;
pub mod control_socket;
pub mod data;
pub mod distill;
pub mod headless;
pub mod model;
pub mod planner;
pub mod preset;
pub mod protocol;
pub mod run_dir;
pub mod seed;
pub mod session;
pub mod stop;
pub mod train;
pub mod tui;
