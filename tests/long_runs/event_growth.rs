use super::*;

/// Bytes of the `advantage` lines of a finished run's events.jsonl.
fn advantage_bytes(dir: &Path) -> usize {
    std::fs::read_to_string(dir.join("events.jsonl"))
        .unwrap()
        .lines()
        .filter(|l| l.contains("\"event\":\"advantage\""))
        .map(str::len)
        .sum()
}

#[test]
fn advantage_lines_grow_linearly_with_the_epochs() {
    let tmp = tempfile::tempdir().unwrap();
    let mut bytes = Vec::new();
    for epochs in [10, 20] {
        let dir = tmp.path().join(format!("e{epochs}"));
        let set = format!("training.epochs={epochs}");
        // The rule never stops distillation, so every epoch of the distilled stages is judged.
        let o = run_tiny_with(&dir, None, &[&set, "stop.margin=-1000", "stop.drop=1000"]);
        assert!(o.status.success(), "{}", stderr(&o));
        bytes.push(advantage_bytes(&dir));
    }
    // Twice the epochs, twice the bytes (the whole curve in every line gave about 3.5 times).
    let ratio = bytes[1] as f64 / bytes[0] as f64;
    assert!((1.8..2.3).contains(&ratio), "{bytes:?}: ratio {ratio}");
}
