use super::*;

#[test]
fn killed_in_the_second_stage_then_resumed_equals_an_uninterrupted_run() {
    let tmp = tempfile::tempdir().unwrap();
    let reference = tmp.path().join("reference");
    let o = run_tiny(&reference, None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));

    let crashed = tmp.path().join("crashed");
    let o = run_tiny(&crashed, Some("kill@1:2:3"));
    assert_eq!(o.status.code(), None, "killed by SIGKILL: {}", stderr(&o));
    assert_eq!(
        state(&crashed),
        "running",
        "a killed run cannot say so itself"
    );

    let listing = ls(tmp.path());
    let line = listing.lines().find(|l| l.starts_with("crashed")).unwrap();
    assert!(line.contains("interrupted"), "{listing}");
    assert!(line.contains("2/3 ta1"), "{listing}");
    let line = listing
        .lines()
        .find(|l| l.starts_with("reference"))
        .unwrap();
    assert!(
        line.contains("finished") && line.contains("100%"),
        "{listing}"
    );

    let o = bin()
        .args(["resume", "--headless"])
        .arg(&crashed)
        .output()
        .unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("resuming"), "{err}");
    assert!(err.contains("after epoch 1 of ta1"), "{err}");
    assert_eq!(state(&crashed), "finished");

    // Bit for bit: the same losses and accuracies, every epoch exactly once, the same report.
    assert_eq!(epochs(&crashed), epochs(&reference));
    assert_eq!(report_metrics(&crashed), report_metrics(&reference));
    // The resumed process filled ta1's teacher-logit cache again: one more pass over the training
    // split, counted (it is work done); every other count is the reference's.
    let forwards = |d: &Path| -> Vec<u64> {
        let text = std::fs::read_to_string(d.join("report.json")).unwrap();
        let report: serde_json::Value = serde_json::from_str(&text).unwrap();
        let mut out = Vec::new();
        for m in report["models"].as_array().unwrap() {
            for a in m["arms"].as_array().unwrap() {
                out.push(a["teacher_forwards"].as_u64().unwrap());
            }
        }
        out
    };
    let train = {
        let text = std::fs::read_to_string(reference.join("report.json")).unwrap();
        let report: serde_json::Value = serde_json::from_str(&text).unwrap();
        report["train_size"].as_u64().unwrap()
    };
    let mut expected = forwards(&reference);
    expected[1] += train; // ta1's kd arm: the resumed stage
    assert_eq!(forwards(&crashed), expected);
    let metrics = |d: &Path| -> Vec<String> {
        std::fs::read_to_string(d.join("metrics.csv"))
            .unwrap()
            .lines()
            .map(|l| l.split(',').take(6).collect::<Vec<_>>().join(","))
            .collect()
    };
    assert_eq!(metrics(&crashed), metrics(&reference));
    let finished = |d: &Path| {
        events(d)
            .iter()
            .filter(|e| matches!(e, Event::StageFinished { .. }))
            .count()
    };
    assert_eq!(finished(&crashed), 3);
    // The best checkpoints are byte for byte the uninterrupted run's.
    for entry in std::fs::read_dir(reference.join("checkpoints")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "safetensors") {
            let name = path.file_name().unwrap();
            let resumed = std::fs::read(crashed.join("checkpoints").join(name)).unwrap();
            assert!(resumed == std::fs::read(&path).unwrap(), "{name:?}");
        }
    }

    let o = bin().arg("resume").arg(&crashed).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "a finished run is not resumed");
    assert!(stderr(&o).contains("has finished"), "{}", stderr(&o));
}

#[test]
fn sigterm_interrupts_and_a_corrupt_checkpoint_falls_back_to_the_previous_one() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    let o = run_tiny(&dir, Some("term@2:3:2"));
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(130), "{err}");
    assert!(err.contains("mkd-tui resume"), "{err}");
    assert_eq!(state(&dir), "interrupted");

    // The student's epochs 1 and 2 are checkpointed, each a loadable set of safetensors files.
    let generations = dir.join("checkpoints/resume");
    let mut names: Vec<String> = std::fs::read_dir(&generations)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["s02-e0001", "s02-e0002"]);
    let newest = generations.join("s02-e0002");
    for file in [
        "arm0.safetensors",
        "arm0.optim.safetensors",
        "arm1.safetensors",
        "best0.safetensors",
    ] {
        let tensors = candle_core::safetensors::load(newest.join(file), &candle_core::Device::Cpu)
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(!tensors.is_empty(), "{file}");
    }

    // Truncate the newest: resume warns, names the file, and continues from epoch 1.
    let bad = newest.join("arm1.safetensors");
    let len = std::fs::metadata(&bad).unwrap().len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&bad)
        .unwrap()
        .set_len(len / 2)
        .unwrap();
    let o = bin()
        .args(["resume", "--headless"])
        .arg(&dir)
        .output()
        .unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.contains(&bad.display().to_string()), "{err}");
    assert!(err.contains("falling back"), "{err}");
    assert!(err.contains("after epoch 1 of student"), "{err}");
    let warned = events(&dir).iter().any(|e| {
        matches!(e, Event::Log { message, .. } if message.contains("arm1.safetensors") && message.contains("checksum"))
    });
    assert!(warned, "the warning is an event too");
    // Each epoch once, in spite of the epoch redone.
    let all = epochs(&dir);
    let mut keys: Vec<_> = all
        .iter()
        .map(|e| (e.0.clone(), e.1.clone(), e.2))
        .collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), all.len());
    assert_eq!(all.len(), 3 + 6 + 6);
}
