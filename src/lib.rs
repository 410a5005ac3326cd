//! mkd-tui: multi-assistant knowledge distillation with a live terminal front end.
//!
//! Data flows one way: preset → plan → worker → events → front ends. The training side is the
//! `mkd-engine` crate (in `engine/`), which has no terminal in its dependency tree, so the boundary
//! is the compiler's: this crate holds the front ends ([`headless`], [`tui`]), the commands
//! ([`cli`], [`compare`], [`bench`]), the signal handling they share ([`signals`]) and re-exports
//! the engine's modules under their own names.

pub use mkd_engine::{
    control_socket, data, describe, device, distill, error, export, model, planner, preset,
    protocol, run_dir, seed, session, stop, train,
};

pub mod bench;
pub mod cli;
pub mod compare;
pub mod headless;
pub mod signals;
pub mod tui;
