//! The input thread: reads terminal events and forwards them to the UI loop as [`Input`]s.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use crossbeam_channel::{unbounded, Receiver};
use ratatui::crossterm::event::{self, Event as TermEvent};

use super::event_loop::Input;
use super::keys::Key;

/// How long one `poll` waits, which bounds how long dropping the thread takes.
const POLL: Duration = Duration::from_millis(100);

/// A thread reading the terminal; stopped and joined on drop.
pub struct InputThread {
    events: Receiver<Input>,
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl InputThread {
    /// Starts reading terminal events.
    pub fn spawn() -> Self {
        let (tx, events) = unbounded();
        let watch_tx = tx.clone();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let handle = std::thread::Builder::new()
            .name("tui-input".into())
            .spawn(move || {
                // Poll with a timeout rather than block in `read`, so the thread notices `stop` and
                // does not swallow keystrokes meant for the shell after the UI has gone.
                while !flag.load(Ordering::Relaxed) {
                    let input = match event::poll(POLL) {
                        Ok(false) => continue,
                        Ok(true) => match event::read() {
                            Ok(TermEvent::Key(key)) => match Key::from_crossterm(&key) {
                                Some(key) => Input::Key(key),
                                None => continue,
                            },
                            Ok(TermEvent::Resize(..)) => Input::Resize,
                            Ok(_) => continue,
                            Err(err) => Input::Failed(err.to_string()),
                        },
                        Err(err) => Input::Failed(err.to_string()),
                    };
                    let failed = matches!(input, Input::Failed(_));
                    if tx.send(input).is_err() || failed {
                        break;
                    }
                }
            })
            .ok();
        // A hung-up terminal fails neither `poll` nor writes reliably (crossterm's read may spin on
        // it), so a watchdog looks at the terminal itself and ends the UI loop.
        let watch_stop = Arc::clone(&stop);
        let _ = std::thread::Builder::new()
            .name("tui-hangup".into())
            .spawn(move || {
                while !watch_stop.load(Ordering::Relaxed) {
                    if crate::signals::terminate_requested() {
                        let _ = watch_tx.send(Input::Terminate);
                        return;
                    }
                    if crate::signals::terminal_gone() {
                        let _ = watch_tx.send(Input::Failed("the terminal hung up".into()));
                        return;
                    }
                    std::thread::sleep(POLL);
                }
            });
        InputThread {
            events,
            stop,
            handle,
        }
    }

    /// The channel the UI loop selects on. It disconnects if the thread could not start or stops.
    pub fn events(&self) -> &Receiver<Input> {
        &self.events
    }
}

impl Drop for InputThread {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if crate::signals::terminal_gone() {
            // The reader may be stuck on the dead terminal; joining it would hang the run.
            return;
        }
        if let Some(handle) = self.handle.take() {
            let _ = handle.join();
        }
    }
}
