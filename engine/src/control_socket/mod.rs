//! The control socket: every run serves `control.sock` in its run directory, so viewers
//! (`mkd-tui attach`, scripts) can send [`Command`](crate::protocol::Command)s to a run they did
//! not start. The protocol is one JSON command per line, as `protocol::Command` serialises
//! (`{"command":"pause"}`, `{"command":"set_stop_rule", …}`). The run's answers are events, which
//! viewers read by following `events.jsonl`; the socket sends each connection the batch progress
//! events (not recorded in the file), one JSON line each.

mod follow;
mod server;

pub use follow::{follow_events, FollowEnd};
pub use server::{send_command, serve, serve_for, SocketServer, Viewers, MAX_LINE_BYTES};
