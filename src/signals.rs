//! SIGHUP and SIGTERM for an in-process run, shared by both front ends and the commands: the
//! terminal went away (SSH dropped, tmux killed), the training must not. The handler only notes
//! the hangup; the TUI's input thread then reports the terminal as failed, the UI loop ends, and
//! the run goes on headless (see `cli::run::drive`), whose output stops once the terminal is gone.

use std::sync::atomic::{AtomicBool, Ordering};

static HUNG_UP: AtomicBool = AtomicBool::new(false);
static TERMINATE: AtomicBool = AtomicBool::new(false);
/// Sticky: once the terminal is seen gone it stays gone, also after [`detach_stdio`] has pointed
/// stdin at `/dev/null` (which polls as alive). Without it, dropping the input thread joined a
/// reader spinning on the dead terminal and the run hung before going headless.
static GONE: AtomicBool = AtomicBool::new(false);

extern "C" fn on_hangup(_: libc::c_int) {
    HUNG_UP.store(true, Ordering::SeqCst);
}

/// Replace SIGHUP's default action (terminate) with noting it.
pub fn install() {
    // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
    unsafe {
        libc::signal(
            libc::SIGHUP,
            on_hangup as extern "C" fn(libc::c_int) as libc::sighandler_t,
        );
    }
}

/// Whether SIGHUP has arrived since [`install`].
pub fn hung_up() -> bool {
    HUNG_UP.load(Ordering::SeqCst)
}

/// Whether the terminal is gone: SIGHUP arrived, or stdin reports a hangup. The second catches a
/// terminal closed under a process that gets no SIGHUP (a non-interactive shell in a tmux pane
/// that was killed does not pass it on).
pub fn terminal_gone() -> bool {
    if hung_up() || GONE.load(Ordering::SeqCst) {
        return true;
    }
    let mut fd = libc::pollfd {
        fd: libc::STDIN_FILENO,
        events: 0,
        revents: 0,
    };
    // SAFETY: one valid pollfd, no wait.
    let rc = unsafe { libc::poll(&mut fd, 1, 0) };
    let gone = rc > 0 && fd.revents & (libc::POLLHUP | libc::POLLNVAL) != 0;
    if gone {
        GONE.store(true, Ordering::SeqCst);
    }
    gone
}

/// Point stdin, stdout and stderr at `/dev/null`, so nothing later writes to the dead terminal
/// (`eprintln!` panics when that write fails, as in ratatui's `Terminal` drop).
pub fn detach_stdio() {
    // SAFETY: open/dup2/close on descriptors this process owns.
    unsafe {
        let null = libc::open(c"/dev/null".as_ptr(), libc::O_RDWR);
        if null >= 0 {
            for fd in [libc::STDIN_FILENO, libc::STDOUT_FILENO, libc::STDERR_FILENO] {
                libc::dup2(null, fd);
            }
            if null > libc::STDERR_FILENO {
                libc::close(null);
            }
        }
    }
}

/// A signal (SIGTERM, SIGINT) asked the program to stop: the UI loop ends at its next input poll
/// and gives the terminal back, while the worker stops after its current batch.
pub fn request_terminate() {
    TERMINATE.store(true, Ordering::SeqCst);
}

/// Whether [`request_terminate`] was called.
pub fn terminate_requested() -> bool {
    TERMINATE.load(Ordering::SeqCst)
}
