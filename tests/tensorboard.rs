//! TensorBoard event files of a run: one folder per arm under `tb/`, every record's CRCs valid, and
//! the scalars equal to `metrics.csv` (an independent writer of the same epochs), Δ to
//! `events.jsonl`, and the stop decision as a text summary.

mod process_support;

use std::collections::BTreeMap;
use std::path::Path;

use mkd_tui::run_dir::tensorboard::proto::{Event, DT_STRING, FILE_VERSION};
use mkd_tui::run_dir::tensorboard::read_events;
use process_support::{run_tiny, text};

/// Every event of the one event file in `dir`, decoded.
fn events_in(dir: &Path) -> Vec<Event> {
    let files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let name = files[0].file_name().unwrap().to_string_lossy().to_string();
    assert!(name.starts_with("events.out.tfevents."), "{name}");
    read_events(&files[0]).unwrap()
}

/// `(tag, step) → value` of every scalar in `events`.
fn scalars(events: &[Event]) -> BTreeMap<(String, i64), f32> {
    let mut out = BTreeMap::new();
    for e in events {
        for v in e.summary.iter().flat_map(|s| &s.value) {
            if let Some(x) = v.simple_value {
                assert!(out.insert((v.tag.clone(), e.step), x).is_none());
            }
        }
    }
    out
}

#[test]
fn every_arm_has_an_event_file_with_the_epochs_of_metrics_csv_and_the_stop_as_text() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    let sets = ["stop.margin=100", "stop.min_epochs=1", "stop.patience=1"];
    let o = run_tiny(&out, &tmp.path().join("cache"), &sets, None);
    assert!(o.status.success(), "{}", text(&o));

    // metrics.csv: model,arm,epoch,train_loss,val_acc,test_acc,lr,...
    let metrics = std::fs::read_to_string(out.join("metrics.csv")).unwrap();
    let mut expected: BTreeMap<(String, String), BTreeMap<(String, i64), f32>> = BTreeMap::new();
    for line in metrics.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let arm = expected.entry((f[0].into(), f[1].into())).or_default();
        let epoch: i64 = f[2].parse().unwrap();
        for (tag, col) in [
            ("train_loss", 3),
            ("val_acc", 4),
            ("test_acc", 5),
            ("lr", 6),
        ] {
            arm.insert((tag.into(), epoch), f[col].parse().unwrap());
        }
    }
    assert_eq!(
        expected.len(),
        5,
        "teacher, ta1 and student with their controls"
    );

    // Δ of the kd arms from events.jsonl.
    let jsonl = std::fs::read_to_string(out.join("events.jsonl")).unwrap();
    let mut stops = Vec::new();
    for line in jsonl.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        match v["event"].as_str() {
            Some("advantage") if v["delta"].is_number() => {
                let arm = expected
                    .get_mut(&(v["model"].as_str().unwrap().into(), "kd".into()))
                    .unwrap();
                let epoch = v["epoch"].as_i64().unwrap();
                arm.insert(
                    ("delta_pp".into(), epoch),
                    v["delta"].as_f64().unwrap() as f32,
                );
            }
            Some("stop_decision") => stops.push((
                v["model"].as_str().unwrap().to_string(),
                v["epoch"].as_i64().unwrap(),
            )),
            _ => {}
        }
    }
    assert_eq!(stops.len(), 2, "margin 100 stops ta1 and the student");

    for ((model, arm), want) in &expected {
        let events = events_in(&out.join("tb").join(model).join(arm));
        assert_eq!(events[0].file_version.as_deref(), Some(FILE_VERSION));
        let got = scalars(&events);
        assert_eq!(got.len(), want.len(), "{model}/{arm}: {got:?}");
        for (key, w) in want {
            // metrics.csv rounds (val/test 4 decimals, loss 6, lr 8); the event holds f32.
            let g = got[key];
            assert!(
                (g - w).abs() <= 1e-4 * w.abs().max(1.0),
                "{model}/{arm} {key:?}: {g} vs {w}"
            );
        }
        let texts: Vec<(i64, String)> = events
            .iter()
            .flat_map(|e| {
                e.summary
                    .iter()
                    .flat_map(move |s| s.value.iter().map(move |v| (e.step, v)))
            })
            .filter(|(_, v)| v.tag == "stop")
            .map(|(step, v)| {
                let meta = v.metadata.as_ref().unwrap().plugin_data.as_ref().unwrap();
                assert_eq!(meta.plugin_name, "text");
                let t = v.tensor.as_ref().unwrap();
                assert_eq!(t.dtype, DT_STRING);
                (step, String::from_utf8(t.string_val[0].clone()).unwrap())
            })
            .collect();
        match stops.iter().find(|(m, _)| m == model) {
            Some((_, epoch)) if arm == "kd" => {
                assert_eq!(texts.len(), 1, "{model}: {texts:?}");
                assert_eq!(texts[0].0, *epoch);
                assert!(
                    texts[0].1.starts_with(&format!(
                        "distillation stopped after epoch {epoch} (margin)"
                    )),
                    "{}",
                    texts[0].1
                );
            }
            _ => assert!(texts.is_empty(), "{model}/{arm}: {texts:?}"),
        }
    }
}
