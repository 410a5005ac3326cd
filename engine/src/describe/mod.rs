//! Events and numbers in words: the one place where the engine's output is put into text for people.
//!
//! Every front end and the report take their words from here, so the same event reads the same
//! wherever it is shown and one clock, one parameter count and one hex encoding serve them all:
//!
//! - [`numbers`]: [`clock`] (`00:33`, `1:02:05`), [`params`] (`25.4k`), [`thousands`], [`pct`],
//!   [`hex`];
//! - [`Transcript`]: the headless register, one full time-stamped line per event;
//! - [`log`]: the TUI log's register, terse lines for a narrow pane;
//! - [`halted_line`] and [`planner_line`]: the sentences both registers and `report.md` share.

mod halted;
pub mod log;
pub mod numbers;
mod planner;
mod stop_reason;
mod transcript;

pub use halted::halted_line;
pub use numbers::{clock, clock_of, hex, params, pct, thousands};
pub use planner::planner_line;
pub use stop_reason::stop_reason;
pub use transcript::Transcript;
