//! Turns a preset into a plan and runs it on a worker thread, emitting events.
