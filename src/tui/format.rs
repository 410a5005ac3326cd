//! The TUI's numbers are the engine's ([`crate::describe`]): one clock and one parameter count for
//! the screens, the headless lines and the report.
//!
//! Only `view/chain_diagram.rs` still names `params` through here; it is re-exported rather than
//! moved so that file's import can change with its next edit.

pub(super) use crate::describe::params;
