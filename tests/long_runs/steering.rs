use super::*;

#[test]
fn detach_then_steer_through_the_socket_while_viewers_come_and_go() {
    let tmp = tempfile::tempdir().unwrap();
    let runs = tmp.path().join("runs");
    let dir: PathBuf = runs.join("bg");
    let o = bin()
        .args(["run", TINY, "--detach", "--out"])
        .arg(&dir)
        .args(["--set", "training.epochs=100", "--set"])
        .arg(format!(
            "distill.control_cache={}",
            tmp.path().join("cache").display()
        ))
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(o.status.code(), Some(0), "{out}{}", stderr(&o));
    assert!(
        out.contains(&format!("run directory {}", dir.display())),
        "{out}"
    );
    assert!(out.contains("mkd-tui attach"), "{out}");

    let socket = dir.join("control.sock");
    wait_for("the control socket", || socket.exists());
    send(&socket, &[RunCommand::Pause]);
    wait_for("the pause", || {
        std::fs::read_to_string(dir.join("events.jsonl")).is_ok_and(|t| t.contains("\"paused\""))
    });

    // A detached run that waits says so in `ls`.
    let listing = ls(&runs);
    let line = listing
        .lines()
        .find(|l| l.starts_with(&*dir.file_name().unwrap().to_string_lossy()))
        .unwrap();
    assert!(line.contains(" paused "), "{listing}");

    // While it runs, nobody else may write its directory.
    let o = bin().arg("resume").arg(&dir).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("another mkd-tui process"),
        "{}",
        stderr(&o)
    );

    // Two viewers; the first leaves at once, which must not stop the run.
    let mut first = bin()
        .args(["attach", "--runs"])
        .arg(&runs)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let second = bin()
        .arg("attach")
        .arg(&dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    first.kill().unwrap();
    first.wait().unwrap();

    let rule = StopRule {
        enabled: true,
        ema: 0.0,
        min_epochs: 1,
        patience: 1,
        margin: 50.0,
        drop: 0.3,
        // Caps every stage from here on, so the rest of the run is short.
        max_epochs: Some(3),
        after_stop: AfterStop::Labels,
    };
    // A connection also receives the batch progress (which events.jsonl does not hold).
    let listener = connect(&socket);
    listener
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    send(
        &socket,
        &[RunCommand::SetStopRule(rule.clone()), RunCommand::Resume],
    );
    let progress = std::io::BufRead::lines(std::io::BufReader::new(listener))
        .map_while(Result::ok)
        .find_map(|l| match serde_json::from_str::<Event>(&l) {
            Ok(e @ Event::BatchProgress { .. }) => Some(e),
            _ => None,
        });
    assert!(progress.is_some(), "no batch progress on the socket");
    let o = second.wait_with_output().unwrap();
    let seen = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{seen}");
    assert!(seen.contains("stop rule applied: ema 0.00"), "{seen}");
    assert!(seen.contains("max_epochs 3 reached"), "{seen}");
    assert!(seen.contains("finished in"), "{seen}");
    wait_for("status finished", || state(&dir) == "finished");
    let applied = events(&dir)
        .into_iter()
        .any(|e| matches!(e, Event::StopRuleApplied { rule: r } if r == rule));
    assert!(applied);
    assert!(dir.join("report.json").is_file());
    // The worker writes `finished` before the process ends and removes its socket.
    wait_for("the socket to go with the run", || !socket.exists());
    wait_for("the end of the run in its log", || {
        std::fs::read_to_string(dir.join("run.log")).is_ok_and(|t| t.contains("finished in"))
    });
}
