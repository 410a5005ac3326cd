//! Drive a worker on the tiny digits preset through the library, as a front end would.

#![allow(dead_code)] // each test binary uses its own subset

use std::path::Path;
use std::thread::JoinHandle;
use std::time::Duration;

use mkd_tui::protocol::{Event, FrontEndLink};
use mkd_tui::run_dir::RunDir;
use mkd_tui::session::{self, Plan};

/// Start tests/fixtures/tiny-digits.yaml writing into `out`, with its control cache in
/// `<out>.cache` unless `overrides` name another one.
pub fn start(out: &Path, overrides: &[&str]) -> (FrontEndLink, JoinHandle<()>) {
    let preset = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny-digits.yaml");
    let mut all = vec![format!(
        "distill.control_cache={}",
        out.with_extension("cache").display()
    )];
    all.extend(overrides.iter().map(|s| s.to_string()));
    let loaded = mkd_tui::preset::load(&preset, &all).unwrap();
    let dir = RunDir::create(Some(out), Path::new("unused"), "tiny", chrono::Utc::now()).unwrap();
    session::spawn(Plan::new(&loaded.preset), dir).unwrap()
}

/// Receive lifecycle events until `pred` matches one; everything seen, that one last.
pub fn until(link: &FrontEndLink, pred: impl Fn(&Event) -> bool) -> Vec<Event> {
    let mut seen = Vec::new();
    loop {
        let e = link
            .lifecycle
            .recv_timeout(Duration::from_secs(120))
            .expect("the worker keeps talking");
        let done = pred(&e);
        let terminal = e.is_terminal();
        seen.push(e);
        if done {
            return seen;
        }
        assert!(
            !terminal,
            "run ended before the expected event: {:?}",
            seen.last()
        );
    }
}

/// Run to the end; asserts it finished. All events.
pub fn run_to_end(out: &Path, overrides: &[&str]) -> Vec<Event> {
    let (link, worker) = start(out, overrides);
    let events = until(&link, Event::is_terminal);
    worker.join().unwrap();
    assert!(
        matches!(events.last(), Some(Event::RunFinished { .. })),
        "{:?}",
        events.last()
    );
    events
}
