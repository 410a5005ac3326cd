//! The channels between one worker and one front end.

use crossbeam_channel::{Receiver, Sender};

use super::{Command, Event};

/// What a front end holds: two event streams and a command sender.
///
/// `lifecycle` is unbounded and never drops; `progress` is bounded and carries only
/// `Event::BatchProgress`, which the worker drops with `try_send` when the front end is behind,
/// so a slow terminal never slows training.
pub struct FrontEndLink {
    pub lifecycle: Receiver<Event>,
    pub progress: Receiver<Event>,
    pub commands: Sender<Command>,
}
