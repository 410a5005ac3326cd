//! mkd-engine: the training side of mkd-tui, with no terminal in its dependency tree.
//!
//! Data flows one way: [`preset`] → [`session::Plan`] → worker ([`session`]) → [`protocol::Event`]s
//! → front ends (in the `mkd-tui` binary crate). The front ends meet the engine only in
//! [`protocol`] (events in, commands out) and the run directory it writes ([`run_dir`]); they put
//! events and numbers into words with [`describe`], as the report does.

pub mod control_socket;
pub mod data;
pub mod describe;
pub mod device;
pub mod distill;
pub mod error;
pub mod export;
pub mod model;
pub mod planner;
pub mod preset;
pub mod protocol;
pub mod run_dir;
pub mod seed;
pub mod session;
pub mod stop;
pub mod train;
