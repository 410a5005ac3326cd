//! What a run directory's `events.jsonl` says so far: the events themselves, and how long ago the
//! run started. A front end that joins a run late (a viewer, or the log a TUI run continues in
//! after its terminal went away) needs both to show the same numbers as one that was there from
//! the start.

use std::io::{BufRead as _, BufReader};
use std::path::Path;

use chrono::{DateTime, Utc};

use crate::protocol::Event;

/// The complete lines of `events.jsonl` in `dir` that parse as events, in order. Unreadable or
/// partial lines are skipped (the file may be growing while it is read).
pub fn recorded_events(dir: &Path) -> Vec<Event> {
    let Ok(file) = std::fs::File::open(dir.join("events.jsonl")) else {
        return Vec::new();
    };
    BufReader::new(file)
        .lines()
        .map_while(Result::ok)
        .filter_map(|line| serde_json::from_str(&line).ok())
        .collect()
}

/// `RunStarted.started_at` (UTC, RFC 3339) among `events`, if the run has started.
pub fn started_at(events: &[Event]) -> Option<&str> {
    events.iter().find_map(|e| match e {
        Event::RunStarted { started_at, .. } => Some(started_at.as_str()),
        _ => None,
    })
}

/// Seconds from `started_at` (RFC 3339) to `now`; 0 when it is missing or does not parse, or lies
/// in the future. Wall time: pauses and interruptions count.
pub fn seconds_since(started_at: Option<&str>, now: DateTime<Utc>) -> f64 {
    started_at
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map_or(0.0, |t| {
            (now - t.with_timezone(&Utc)).num_milliseconds().max(0) as f64 / 1000.0
        })
}

/// Seconds since the run in `dir` started, from its `events.jsonl` (0 before `RunStarted`).
pub fn run_age(dir: &Path) -> f64 {
    seconds_since(started_at(&recorded_events(dir)), Utc::now())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn seconds_from_the_start_to_now() {
        let now = at("2026-11-29T20:01:30Z");
        assert_eq!(seconds_since(Some("2026-11-29T20:00:00Z"), now), 90.0);
        // Another offset, same instant.
        assert_eq!(seconds_since(Some("2026-11-29T21:00:00+01:00"), now), 90.0);
        assert_eq!(seconds_since(Some("2026-11-29T20:05:00Z"), now), 0.0);
        assert_eq!(seconds_since(Some("yesterday"), now), 0.0);
        assert_eq!(seconds_since(None, now), 0.0);
    }
}
