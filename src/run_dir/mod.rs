//! The run directory: preset copy, events.jsonl, metrics.csv, checkpoints, reports.
