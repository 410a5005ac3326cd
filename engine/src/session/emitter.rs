//! Sends events to the front end and records them in the run directory, in that one place.

use crossbeam_channel::Sender;

use crate::error::Result;
use crate::protocol::Event;
use crate::run_dir::{Recorder, ReportBuilder};

/// The worker's only way out: every event is recorded (`events.jsonl`, `metrics.csv`), fed to the
/// report, and sent to the front end — lifecycle events on the unbounded channel, `BatchProgress`
/// with `try_send` on the bounded one (dropped when the front end is behind).
pub struct Emitter {
    lifecycle: Sender<Event>,
    progress: Sender<Event>,
    recorder: Recorder,
    pub(crate) report: ReportBuilder,
    fault: Option<Fault>,
}

/// Fault injection for the process tests: `MKD_TUI_FAULT=kill@S:E:B` (or `term@…`, `hup@…`) makes
/// the process send itself SIGKILL (SIGTERM, SIGHUP) when batch `B` of epoch `E` (1-based) of stage `S`
/// (0-based) is reported: a crash or a `kill` at a known point of the run.
pub const FAULT_ENV: &str = "MKD_TUI_FAULT";

#[derive(Debug, Clone, Copy, PartialEq)]
struct Fault {
    signal: i32,
    at: (usize, usize, usize),
}

impl Fault {
    fn from_env() -> Option<Fault> {
        let spec = std::env::var(FAULT_ENV).ok()?;
        let (signal, at) = spec.split_once('@')?;
        let signal = match signal {
            "kill" => libc::SIGKILL,
            "term" => libc::SIGTERM,
            "hup" => libc::SIGHUP,
            _ => return None,
        };
        let n: Vec<usize> = at.split(':').filter_map(|x| x.parse().ok()).collect();
        let [s, e, b] = n[..] else { return None };
        Some(Fault {
            signal,
            at: (s, e, b),
        })
    }
}

impl Emitter {
    pub fn new(lifecycle: Sender<Event>, progress: Sender<Event>, recorder: Recorder) -> Emitter {
        Emitter {
            lifecycle,
            progress,
            recorder,
            report: ReportBuilder::default(),
            fault: Fault::from_env(),
        }
    }

    /// Record and send one event. A gone front end is not an error (training goes on);
    /// a run directory that can no longer be written is
    /// ([`Error::File`](crate::error::Error::File), naming the file).
    pub fn emit(&mut self, event: Event) -> Result<()> {
        if event.is_lossy() {
            if let (
                Some(fault),
                Event::BatchProgress {
                    stage,
                    epoch,
                    batch,
                    ..
                },
            ) = (self.fault, &event)
            {
                if fault.at == (*stage, *epoch, *batch) {
                    // SAFETY: raise only delivers a signal to this process.
                    unsafe { libc::raise(fault.signal) };
                }
            }
            let _ = self.progress.try_send(event);
            return Ok(());
        }
        let recorded = self.recorder.record(&event);
        self.report.observe(&event);
        let _ = self.lifecycle.send(event);
        recorded
    }

    /// An event recorded by the interrupted run this one resumes: fed to the report and the front
    /// end, not recorded again.
    pub fn replay(&mut self, event: Event) {
        self.report.observe(&event);
        let _ = self.lifecycle.send(event);
    }

    /// Lines in `events.jsonl` and `metrics.csv` so far (a checkpoint notes them).
    pub fn recorded_lines(&self) -> (usize, usize) {
        self.recorder.lines()
    }
}
