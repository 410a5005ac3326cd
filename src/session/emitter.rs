//! Sends events to the front end and records them in the run directory, in that one place.

use crossbeam_channel::Sender;

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
}

impl Emitter {
    pub fn new(lifecycle: Sender<Event>, progress: Sender<Event>, recorder: Recorder) -> Emitter {
        Emitter {
            lifecycle,
            progress,
            recorder,
            report: ReportBuilder::default(),
        }
    }

    /// Record and send one event. A gone front end is not an error (training goes on);
    /// a run directory that can no longer be written is, and names the file.
    pub fn emit(&mut self, event: Event) -> Result<(), String> {
        if event.is_lossy() {
            let _ = self.progress.try_send(event);
            return Ok(());
        }
        let recorded = self.recorder.record(&event);
        self.report.observe(&event);
        let _ = self.lifecycle.send(event);
        recorded
    }
}
