//! The ETA against a recorded run: `tests/fixtures/eta-run.jsonl` holds the events of a real run
//! of the tiny preset (6 epochs, batch 16; paused 2 s at the start of the assistant's stage), each
//! with the second it arrived. Replayed into the front end at those times, the estimate made at
//! each epoch end after the first stage must land near the run's real end — the earlier estimate
//! (training seconds only, no evaluation, no checkpoints) was 2–3× short.

use std::time::Duration;

use mkd_tui::protocol::Event;
use mkd_tui::tui::{App, TuiOptions};

#[derive(serde::Deserialize)]
struct Recorded {
    t: f64,
    event: Event,
}

fn recorded() -> Vec<Recorded> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/eta-run.jsonl"
    ))
    .unwrap();
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn the_eta_of_a_recorded_run_lands_near_its_end_and_leaves_pauses_out() {
    let events = recorded();
    let end = events.last().unwrap().t;
    let mut app = App::new(TuiOptions {
        no_color: true,
        title: "eta".into(),
        viewer: false,
        back_on_esc: false,
    });
    let mut first_stage_done = false;
    let mut checked = 0;
    let mut worst: f64 = 0.0;
    for r in &events {
        app.tick(Duration::from_secs_f64(r.t));
        app.on_event(&r.event);
        if matches!(&r.event, Event::StageFinished { stage: 0, .. }) {
            first_stage_done = true;
        }
        if first_stage_done && !app.is_paused() {
            if let (Event::EpochEnd(_), Some(eta)) = (&r.event, app.eta_seconds()) {
                // The pause is behind every estimate checked here, so the real time left is
                // active time only.
                let left = end - r.t;
                let error = (eta - left).abs() / end;
                worst = worst.max(error);
                checked += 1;
            }
        }
        if matches!(r.event, Event::Paused) {
            // While paused, the clock runs but the estimate does not grow with it.
            let before = app.eta_seconds().unwrap();
            app.tick(Duration::from_secs_f64(r.t + 1.5));
            let after = app.eta_seconds().unwrap();
            assert!((after - before).abs() < 1e-9, "{before} → {after}");
        }
    }
    assert!(checked >= 10, "{checked} estimates checked");
    eprintln!("worst ETA error: {:.0} % of the run", worst * 100.0);
    assert!(
        worst < 0.25,
        "worst ETA error {:.0} % of the run",
        worst * 100.0
    );
}
