use super::*;

/// `mkd-tui attach`: q leaves the viewer without a command to the run; X asks, and y stops the run.
#[test]
fn a_viewer_leaves_with_q_and_stops_the_run_only_with_x_confirmed() {
    use mkd_tui::tui::{App, TuiOptions};
    let viewer = || {
        let mut script = Script::new(App::new(TuiOptions {
            no_color: false,
            title: "run".into(),
            viewer: true,
            back_on_esc: false,
        }));
        through_ta(&mut script);
        script.app
    };
    let mut app = viewer();
    assert!(app.is_running());
    assert_eq!(app.on_key(Key::Char('q')), None);
    assert!(app.should_quit());

    let mut app = viewer();
    assert_eq!(app.on_key(Key::Char('X')), None);
    assert_eq!(app.overlay(), Overlay::ConfirmQuit);
    assert_eq!(app.on_key(Key::Char('y')), Some(Command::Quit));
}

/// A viewer opened from the comparison's screen: Esc goes back (leaves the viewer) and the key
/// bar says so; a plain viewer's Esc leaves nothing.
#[test]
fn a_viewer_opened_from_the_comparison_goes_back_on_esc() {
    use mkd_tui::tui::{App, TuiOptions};
    let viewer = |back_on_esc| {
        let mut script = Script::new(App::new(TuiOptions {
            no_color: false,
            title: "run".into(),
            viewer: true,
            back_on_esc,
        }));
        through_ta(&mut script);
        script.app
    };
    let mut app = viewer(true);
    let bar = tui_fixture::screen(&tui_fixture::render(&app, 100, 30));
    assert!(bar.contains("q back  X stop run"), "{bar}");
    assert_eq!(app.on_key(Key::Esc), None);
    assert!(app.should_quit());
    let mut app = viewer(false);
    app.on_key(Key::Esc);
    assert!(!app.should_quit());
}

/// A viewer's clock starts at the run's age (`tui::run_with_clock`), so the header's elapsed time
/// is the run's, counted from its start, not from the viewer's first replayed event.
#[test]
fn a_viewer_shows_the_runs_elapsed_time_not_its_own() {
    use mkd_tui::tui::{App, TuiOptions};
    let options = |viewer| TuiOptions {
        no_color: false,
        title: "run".into(),
        viewer,
        back_on_esc: false,
    };
    let mut script = Script::new(App::new(options(true)));
    // Attached 600 s into the run: the replay arrives within the viewer's first seconds.
    script.seconds = 600.0;
    through_ta(&mut script);
    assert_eq!(
        script.app.run_elapsed(),
        Duration::from_secs_f64(script.seconds)
    );

    // An in-process screen starts with the run: elapsed counts from `RunStarted`'s arrival.
    let mut script = Script::new(App::new(options(false)));
    script.seconds = 600.0;
    through_ta(&mut script);
    assert_eq!(
        script.app.run_elapsed(),
        Duration::from_secs_f64(script.seconds - 601.0)
    );
}
