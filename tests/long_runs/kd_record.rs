use super::*;

/// Reads the socket's event stream until a batch of `stage`'s epoch `epoch` is reported.
fn until_batch_of(lines: &mut impl Iterator<Item = String>, stage: usize, epoch: usize) {
    let seen = lines.any(|l| {
        matches!(
            serde_json::from_str::<Event>(&l),
            Ok(Event::BatchProgress { stage: s, epoch: e, .. }) if s == stage && e == epoch
        )
    });
    assert!(
        seen,
        "no batch of stage {stage} epoch {epoch} on the socket"
    );
}

/// Pauses the run and waits for the `n`-th `paused` in events.jsonl, so what is sent next lands
/// in the epoch in progress.
fn pause(socket: &Path, dir: &Path, n: usize) {
    send(socket, &[RunCommand::Pause]);
    wait_for("the pause", || {
        std::fs::read_to_string(dir.join("events.jsonl"))
            .is_ok_and(|t| t.matches("\"event\":\"paused\"").count() >= n)
    });
}

#[test]
fn a_manual_stop_then_resume_of_distillation_stays_in_the_report_and_metrics() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    let mut child = bin()
        .args(["run", TINY, "--headless", "--out"])
        .arg(&dir)
        // Small batches make an epoch long enough to pause inside it; the rule never stops by itself.
        .args([
            "--set",
            "training.epochs=6",
            "--set",
            "training.batch_size=4",
        ])
        .args(["--set", "stop.margin=-1000", "--set", "stop.drop=1000"])
        .args(["--set", "stop.after_stop=labels", "--set"])
        .arg(format!(
            "distill.control_cache={}",
            tmp.path().join("cache").display()
        ))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let socket = dir.join("control.sock");
    wait_for("the control socket", || socket.exists());
    let listener = connect(&socket);
    listener
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let mut lines =
        std::io::BufRead::lines(std::io::BufReader::new(listener)).map_while(Result::ok);
    let ta1 = || "ta1".to_string();

    // `s` during ta1's epoch 1, `r` during its epoch 5.
    until_batch_of(&mut lines, 1, 1);
    pause(&socket, &dir, 1);
    send(
        &socket,
        &[RunCommand::StopKd { model: ta1() }, RunCommand::Resume],
    );
    until_batch_of(&mut lines, 1, 5);
    pause(&socket, &dir, 2);
    send(
        &socket,
        &[RunCommand::ResumeKd { model: ta1() }, RunCommand::Resume],
    );
    drop(lines);
    assert!(child.wait().unwrap().success());

    let changes: Vec<(usize, bool)> = events(&dir)
        .into_iter()
        .filter_map(|e| match e {
            Event::StopDecision { model, epoch, .. } if model == "ta1" => Some((epoch, false)),
            Event::DistillationResumed { model, epoch, .. } if model == "ta1" => {
                Some((epoch, true))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        changes,
        [(1, false), (5, true)],
        "the commands landed elsewhere"
    );

    // report.json: both changes and the epochs taught.
    let text = std::fs::read_to_string(dir.join("report.json")).unwrap();
    let report: serde_json::Value = serde_json::from_str(&text).unwrap();
    let ta = &report["models"][1];
    assert_eq!(ta["name"], "ta1");
    assert_eq!(ta["distillation_changes"][0]["change"], "stopped");
    assert_eq!(ta["distillation_changes"][0]["epoch"], 1);
    assert_eq!(ta["distillation_changes"][0]["kind"], "manual");
    assert_eq!(ta["distillation_changes"][1]["change"], "resumed");
    assert_eq!(ta["distillation_changes"][1]["epoch"], 5);
    assert_eq!(
        ta["distilled_spans"],
        serde_json::json!([{"first": 1, "last": 1}, {"first": 6, "last": 6}])
    );
    // It still reads as a report.
    let _: mkd_tui::run_dir::Report = serde_json::from_str(&text).unwrap();

    // report.md: the section, the spans, the stop and the resume.
    let md = std::fs::read_to_string(dir.join("report.md")).unwrap();
    assert!(md.contains("## Distillation stops"), "{md}");
    assert!(
        md.contains(
            "- ta1: taught in epochs 1–1, 6–6 of 6; stopped after epoch 1 (manual, then labels)"
        ),
        "{md}"
    );
    assert!(md.contains("; resumed after epoch 5"), "{md}");

    // metrics.csv: which epochs of which arm were distilled.
    let csv = std::fs::read_to_string(dir.join("metrics.csv")).unwrap();
    let mut rows = csv.lines();
    assert!(rows.next().unwrap().ends_with(",distilled"));
    let distilled = |model: &str, arm: &str| -> Vec<&str> {
        csv.lines()
            .skip(1)
            .map(|l| l.split(',').collect::<Vec<_>>())
            .filter(|r| r[0] == model && r[1] == arm)
            .map(|r| *r.last().unwrap())
            .collect()
    };
    assert_eq!(
        distilled("ta1", "kd"),
        ["true", "false", "false", "false", "false", "true"]
    );
    assert_eq!(distilled("ta1", "scratch"), ["false"; 6]);
    assert_eq!(distilled("teacher", "scratch"), ["false"; 6]);
    assert_eq!(distilled("student", "kd"), ["true"; 6]);
}
