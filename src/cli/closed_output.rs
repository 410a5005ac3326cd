//! A closed standard output (`mkd-tui ls | head -1`) ends the commands that only print, quietly,
//! as it ends `cat`: the Rust runtime ignores SIGPIPE, so without this the next `println!` panics
//! (exit 101, "failed printing to stdout").
//!
//! Only for commands that own no run and no socket: a run writes to the Unix sockets of its
//! viewers (the control socket), and a SIGPIPE there, when a viewer leaves, would kill training.
//! So SIGPIPE is never reset for the whole process, only at the start of such a command.

/// Let a write to a closed pipe end the process with SIGPIPE, as in most Unix tools.
pub fn end_quietly_on_closed_output() {
    // SAFETY: signal(2) with SIG_DFL installs no handler and touches no Rust state; the process is
    // still on its main thread, before the command starts any other.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
