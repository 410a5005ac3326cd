//! The control socket: every run serves `control.sock` in its run directory, so viewers
//! (`mkd-tui attach`, scripts) can send [`Command`](crate::protocol::Command)s to a run they did
//! not start. The protocol is one JSON command per line, as `protocol::Command` serialises
//! (`{"command":"pause"}`, `{"command":"set_stop_rule", …}`); the run answers nothing on the
//! socket — its answers are events, which viewers read by following `events.jsonl`.

mod follow;
mod server;

pub use follow::{follow_events, FollowEnd};
pub use server::{send_command, serve, SocketServer};
