use super::*;

#[test]
fn scripted_run_updates_every_model() {
    let app = mid_training(false);
    let nodes = app.nodes();
    assert_eq!(nodes.len(), 3);
    assert_eq!(app.current_stage(), Some(2));
    assert_eq!(nodes[0].status(), NodeStatus::Done);
    assert_eq!(
        nodes[1].status(),
        NodeStatus::Stopped {
            epoch: 5,
            kind: StopKind::Drop
        }
    );
    assert_eq!(
        nodes[2].status(),
        NodeStatus::Labels {
            stopped_at: 4,
            kind: StopKind::Margin,
            epoch: 6,
            epochs: 8
        }
    );
    assert_eq!(nodes[0].best_val(ArmKind::Scratch), Some(89.4));
    assert_eq!(nodes[1].best_val(ArmKind::Kd), Some(86.9));
    assert_eq!(nodes[1].best_val(ArmKind::Scratch), Some(87.0));
    assert!(nodes[1].is_cached(ArmKind::Scratch));
    assert!(!nodes[2].is_cached(ArmKind::Scratch));
    assert_eq!(
        nodes[2].controls(),
        &[ArmKind::Scratch, ArmKind::KdFromTeacher]
    );
    assert_eq!(nodes[2].epochs_done(ArmKind::KdFromTeacher), 5);
    let batch = nodes[2].batch[&ArmKind::Kd];
    assert_eq!((batch.epoch, batch.batch, batch.batches), (6, 211, 422));
    assert_eq!(
        nodes[2].val_curve(ArmKind::Scratch),
        vec![
            (1.0, 77.9),
            (2.0, 80.6),
            (3.0, 82.0),
            (4.0, 82.7),
            (5.0, 83.0)
        ]
    );
    // The advantage as the rule in force computes it, one value per epoch.
    assert_eq!(nodes[2].advantage.len(), 5);
    let (epoch, latest) = nodes[2].latest_advantage().unwrap();
    assert_eq!(epoch, 5);
    assert!((latest - (-0.3125)).abs() < 1e-9, "{latest}");
    let stop = nodes[2].kd_stop().unwrap();
    assert_eq!(
        (stop.epoch, stop.kind, stop.after),
        (4, StopKind::Margin, AfterStop::Labels)
    );
    assert!(!nodes[2].kd_on());
    assert!(!nodes[2].stage_ended());
}

#[test]
fn log_has_one_line_per_lifecycle_event_with_times() {
    let app = mid_training(false);
    let lines: Vec<&str> = app.log().lines().iter().map(|l| l.text.as_str()).collect();
    assert!(lines
        .iter()
        .any(|l| l.starts_with("run fashion-quick started")));
    assert!(lines.contains(&"stage 2/3 ta · mlp-128 · 8 ep × 422 batches · kd + scratch"));
    assert!(lines.contains(
        &"stage 3/3 student · mlp-32 · 8 ep × 422 batches · kd + scratch + kd-from-teacher (kft)"
    ));
    assert!(lines.contains(&"ta kd ep 3/8 loss 0.300 val 86.0% test 85.6% 10,800 img/s"));
    assert!(lines.contains(&"ta scratch ep 3/8 val 85.0% test 84.6% (cached)"));
    assert!(
        lines.contains(&"student kd ep 5/8 loss 0.180 val 82.7% test 82.3% 27,000 img/s (labels)")
    );
    assert!(lines.contains(&"student kft ep 5/8 loss 0.180 val 82.9% test 82.5% 27,000 img/s"));
    assert!(lines
        .contains(&"ta scratch: control curve from the cache .control-cache/mlp-128-3f2a9c.json"));
    assert!(lines.contains(
        &"ta KD stopped @5 (drop), stage ends: Δ 0.30 pp fell more than drop 0.30 pp below its best 1.20 pp for 2 epochs"
    ), "{lines:#?}");
    assert!(lines.iter().any(|l| {
        l.starts_with(
        "student KD stopped @4 (margin), labels from ep 5: Δ −0.32 pp ≤ margin 0.00 pp for 2 epochs"
    )
    }));
    assert!(lines
        .iter()
        .any(|l| l.starts_with("stop rule applied: ") && l.ends_with("after labels")));
    assert!(lines.contains(&"saved teacher scratch ep 4 → teacher-scratch.safetensors"));
    assert!(lines.contains(&"ta kd done: best val 86.9% @ep 5 · test 86.5% · 5 ep in 00:30"));
    assert!(lines
        .contains(&"ta scratch (cached) done: best val 87.0% @ep 5 · test 86.6% · 5 ep in 00:00"));
    // Progress and advantage events are not logged.
    assert!(!lines.iter().any(|l| l.contains("211/422")));
    assert!(!lines.iter().any(|l| l.contains("advantage")));
    // Times come from the injected clock: the first event arrived at 1 s.
    assert_eq!(app.log().lines()[0].at, Duration::from_secs(1));
}

#[test]
fn log_keeps_only_the_newest_lines() {
    let mut app = fresh();
    for i in 0..LOG_CAPACITY + 100 {
        app.on_event(&Event::Log {
            level: LogLevel::Warn,
            message: format!("line {i}"),
        });
    }
    assert_eq!(app.log().len(), LOG_CAPACITY);
    assert_eq!(app.log().lines()[0].text, "line 100");
    assert_eq!(
        app.log().lines().back().unwrap().text,
        format!("line {}", LOG_CAPACITY + 99)
    );
}
