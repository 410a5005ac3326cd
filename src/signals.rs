//! SIGHUP, SIGTERM and SIGINT for an in-process run, shared by both front ends and the commands:
//! the terminal went away (SSH dropped, tmux killed), the training must not; a `kill` stops it
//! after the current batch.
//!
//! The signals are caught by `signal-hook` and handed, as [`Signal`]s on a channel, to a thread of
//! ours that is no signal handler: nothing runs in the handler but setting a flag and waking that
//! thread. The front end's loop selects on the channel (the headless loop directly, the TUI
//! through its input watchdog), so a signal is an event like a key. Nothing on a signal path
//! prints to the terminal: it may be the thing that is gone, and `eprintln!` panics on it.
//!
//! What stayed hand-written, because no library here covers it: `poll` on stdin, which sees a
//! hung-up terminal under a process that got no SIGHUP, and `dup2` onto `/dev/null`, which keeps
//! later writes (the screen restoring itself on drop) off the dead terminal.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock};

use crossbeam_channel::{unbounded, Receiver};
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};

/// Set by the SIGHUP handler itself (`signal_hook::flag`), so a hangup counts from the moment it
/// arrives, not from when a thread gets to it.
static HUNG_UP: LazyLock<Arc<AtomicBool>> = LazyLock::new(|| Arc::new(AtomicBool::new(false)));
static TERMINATE: AtomicBool = AtomicBool::new(false);
/// Sticky: once the terminal is seen gone it stays gone, also after [`detach_stdio`] has pointed
/// stdin at `/dev/null` (which polls as alive). Without it, dropping the input thread joined a
/// reader spinning on the dead terminal and the run hung before going headless.
static GONE: AtomicBool = AtomicBool::new(false);
/// SIGTERM/SIGINT received so far; the second one leaves at once.
static TERMINATIONS: AtomicUsize = AtomicUsize::new(0);

/// A signal, as the front end's loop receives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// SIGTERM or SIGINT (the first): stop after the current batch.
    Terminate,
    /// SIGHUP: the terminal went away; the run goes on (lines to `run.log`).
    HangUp,
}

/// Catch SIGHUP, SIGTERM and SIGINT from now on and deliver them on the returned channel.
///
/// SIGHUP's default action (terminate) is replaced by noting it ([`hung_up`]). The first
/// SIGTERM/SIGINT sets [`terminate_requested`] and is sent as [`Signal::Terminate`]; a second one
/// calls `leave` (which records why) and exits with 130, whatever the loop is doing.
/// Call once per process.
pub fn listen(leave: impl Fn() + Send + 'static) -> Receiver<Signal> {
    let (tx, rx) = unbounded();
    let _ = signal_hook::flag::register(SIGHUP, Arc::clone(&HUNG_UP));
    let mut signals = match signal_hook::iterator::Signals::new([SIGHUP, SIGTERM, SIGINT]) {
        Ok(s) => s,
        // Without the thread, signals keep their default actions; the run still works.
        Err(_) => return rx,
    };
    let _ = std::thread::Builder::new()
        .name("mkd-signals".into())
        .spawn(move || {
            for signal in signals.forever() {
                let event = if signal == SIGHUP {
                    Signal::HangUp
                } else {
                    if TERMINATIONS.fetch_add(1, Ordering::SeqCst) > 0 {
                        leave();
                        std::process::exit(130);
                    }
                    TERMINATE.store(true, Ordering::SeqCst);
                    Signal::Terminate
                };
                let _ = tx.send(event);
            }
        });
    rx
}

/// Whether SIGHUP has arrived since [`listen`].
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
/// (`eprintln!` panics when that write fails, as in the screen's restore on drop).
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

/// Whether a SIGTERM/SIGINT asked the program to stop: the TUI's loop ends at its next input poll
/// and gives the terminal back, while the worker stops after its current batch.
pub fn terminate_requested() -> bool {
    TERMINATE.load(Ordering::SeqCst)
}

/// A line for the person at the terminal, or nowhere once it is gone: unlike `eprintln!`, never
/// panics on a dead terminal, and never writes after a hangup.
pub fn say(line: &str) {
    use std::io::Write as _;
    // Not `terminal_gone`: its poll takes a headless run's closed stdin pipe for a dead terminal.
    if !hung_up() && !GONE.load(Ordering::SeqCst) {
        let _ = writeln!(std::io::stderr(), "{line}");
    }
}
