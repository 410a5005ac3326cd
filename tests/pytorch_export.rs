//! PyTorch in and out: `export` writes state_dict names, shapes and metadata (architecture,
//! normalisation, dataset, class names) and a model.py; `predict` writes every test image's logits;
//! a NumPy forward pass from raw pixels (scripts/numpy_forward.py, no PyTorch) reproduces them
//! within 1e-4 for an MLP and a plain CNN with batch norm and pools; a teacher file is refused
//! when it is a PyTorch pickle or only its names differ, and `check` measures a loaded teacher.

mod process_support;

use std::path::{Path, PathBuf};
use std::process::Command;

use candle_core::Device;
use mkd_tui::data::ImageShape;
use mkd_tui::model::{read_metadata, Classifier, ModelSpec};
use process_support::{mkd_tui, run_tiny, text};

/// The tiny preset's student as a plain CNN: batch norm, a pool after every second conv, a hidden
/// linear layer (8×8 → 4×4 after one pool; 8·4·4 = 128 flattened, NCHW).
const CNN_STUDENT: &str =
    "chain.student.arch={kind: plain_cnn, channels: [4, 8, 8], pool_every: 2, batch_norm: true, hidden: [16]}";

fn data_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data")
}

/// A finished tiny run in `dir/run` (assistants dropped for speed), with `sets`.
fn tiny_run(dir: &Path, sets: &[&str]) -> PathBuf {
    let out = dir.join("run");
    let mut all = vec!["chain.assistants=[]"];
    all.extend_from_slice(sets);
    let o = run_tiny(&out, &dir.join("cache"), &all, None);
    assert!(o.status.success(), "{}", text(&o));
    out
}

fn export_and_predict(run: &Path) {
    let o = mkd_tui().arg("export").arg(run).output().unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let o = mkd_tui().arg("predict").arg(run).output().unwrap();
    assert!(o.status.success(), "{}", text(&o));
}

/// A Python with numpy and safetensors: `MKD_TUI_PYTHON`, else the venv `.ci/run` makes
/// (`target/py-venv`), else `python3`. Outside CI none skips the test with a line saying so; under
/// `CI=true` it fails, so CI cannot count a test that ran nothing.
fn python(test: &str) -> Option<PathBuf> {
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/py-venv/bin/python");
    let candidates = std::env::var_os("MKD_TUI_PYTHON")
        .map(PathBuf::from)
        .into_iter()
        .chain([venv, PathBuf::from("python3")]);
    for p in candidates {
        let ok = Command::new(&p)
            .args(["-c", "import numpy, safetensors"])
            .output()
            .is_ok_and(|o| o.status.success());
        if ok {
            return Some(p);
        }
    }
    assert!(
        std::env::var("CI").map_or(true, |v| v.is_empty() || v == "false"),
        "no python with numpy and safetensors and CI is set: {test} cannot run (.ci/run installs them into target/py-venv)"
    );
    eprintln!("skipping {test}: no python with numpy and safetensors (set MKD_TUI_PYTHON)");
    None
}

/// Runs scripts/numpy_forward.py on the run's export and predictions; returns its output.
fn numpy_forward(python: &Path, run: &Path) -> String {
    let o = Command::new(python)
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/numpy_forward.py"))
        .arg(run.join("export/student"))
        .arg(run.join("predictions/student-test.csv"))
        .arg(data_root())
        .args(["--limit", "100", "--tol", "1e-4"])
        .output()
        .unwrap();
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    eprint!("{out}");
    out
}

#[test]
fn numpy_reproduces_the_logits_of_the_exported_mlp_and_cnn_from_raw_pixels() {
    let Some(python) = python("the NumPy forward pass") else {
        return;
    };
    for (what, sets) in [
        ("mlp-8", vec![]),
        ("cnn-4-8-8-p2-bn-fc16", vec![CNN_STUDENT]),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let run = tiny_run(tmp.path(), &sets);
        export_and_predict(&run);
        let out = numpy_forward(&python, &run);
        assert!(
            out.contains(&format!("{what} on 100 digits images")) && out.contains("agree 100/100"),
            "{out}"
        );
    }
}

#[test]
fn export_writes_state_dict_names_metadata_and_model_py_and_predict_matches_the_report() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tiny_run(tmp.path(), &[CNN_STUDENT]);
    export_and_predict(&run);
    let dir = run.join("export/student");

    // Names and shapes: PyTorch's state_dict of the model.py, num_batches_tracked included.
    let file = candle_core::safetensors::load(dir.join("model.safetensors"), &Device::Cpu).unwrap();
    let mut names: Vec<(String, Vec<usize>)> = file
        .iter()
        .map(|(k, v)| (k.clone(), v.dims().to_vec()))
        .collect();
    names.sort();
    let want: Vec<(String, Vec<usize>)> = [
        ("bn0.bias", vec![4]),
        ("bn0.num_batches_tracked", vec![]),
        ("bn0.running_mean", vec![4]),
        ("bn0.running_var", vec![4]),
        ("bn0.weight", vec![4]),
        ("bn1.bias", vec![8]),
        ("bn1.num_batches_tracked", vec![]),
        ("bn1.running_mean", vec![8]),
        ("bn1.running_var", vec![8]),
        ("bn1.weight", vec![8]),
        ("bn2.bias", vec![8]),
        ("bn2.num_batches_tracked", vec![]),
        ("bn2.running_mean", vec![8]),
        ("bn2.running_var", vec![8]),
        ("bn2.weight", vec![8]),
        ("conv0.weight", vec![4, 1, 3, 3]),
        ("conv1.weight", vec![8, 4, 3, 3]),
        ("conv2.weight", vec![8, 8, 3, 3]),
        ("fc0.bias", vec![16]),
        ("fc0.weight", vec![16, 128]),
        ("head.bias", vec![10]),
        ("head.weight", vec![10, 16]),
    ]
    .into_iter()
    .map(|(n, s)| (n.to_string(), s))
    .collect();
    assert_eq!(names, want);

    // Metadata: what the run's data was normalised with, recomputed here from the data itself.
    let meta = read_metadata(&dir.join("model.safetensors"))
        .unwrap()
        .unwrap();
    let p = meta.provenance.unwrap();
    let preset = mkd_tui::preset::load(&run.join("preset.yaml"), &[])
        .unwrap()
        .preset;
    let data = mkd_tui::data::load(&preset.data, preset.seed).unwrap();
    assert_eq!(
        (p.mean.clone(), p.std.clone()),
        (data.mean.clone(), data.std.clone())
    );
    assert_eq!(p.dataset, "digits");
    assert_eq!(p.pixel_max, 16);
    assert_eq!(
        p.class_names,
        (0..10).map(|d| d.to_string()).collect::<Vec<_>>()
    );
    assert_eq!(meta.spec.label(), "cnn-4-8-8-p2-bn-fc16");
    // The run's own checkpoint carries the same metadata.
    let own = read_metadata(&run.join("checkpoints/student.safetensors"))
        .unwrap()
        .unwrap();
    assert_eq!(own.provenance.unwrap().mean, p.mean);

    let py = std::fs::read_to_string(dir.join("model.py")).unwrap();
    for line in [
        "self.conv0 = nn.Conv2d(1, 4, 3, padding=1, bias=False)",
        "self.bn2 = nn.BatchNorm2d(8)",
        "x = F.max_pool2d(x, 2)",
        "self.fc0 = nn.Linear(128, 16)",
        "self.head = nn.Linear(16, 10)",
        "PIXEL_MAX = 16.0",
        &format!("MEAN = [{:?}]", data.mean[0]),
        &format!("STD = [{:?}]", data.std[0]),
    ] {
        assert!(py.contains(line), "model.py lacks {line:?}:\n{py}");
    }
    assert_eq!(
        py.matches("F.max_pool2d").count(),
        1,
        "one pool after conv1 of 3"
    );

    // Predictions: one row per test image, accuracy equal to the report's test accuracy @best.
    let csv = std::fs::read_to_string(run.join("predictions/student-test.csv")).unwrap();
    let rows: Vec<Vec<&str>> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(rows.len(), 300);
    assert!(rows.iter().all(|r| r.len() == 4 + 10));
    let correct = rows.iter().filter(|r| r[2] == r[3]).count();
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("report.json")).unwrap()).unwrap();
    let student = report["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "student")
        .unwrap();
    let test_at_best = student["arms"][0]["test_acc_at_best"].as_f64().unwrap();
    assert!(
        (100.0 * correct as f64 / 300.0 - test_at_best).abs() < 1e-9,
        "{correct}/300 vs {test_at_best}"
    );

    // Never overwritten.
    let o = mkd_tui().arg("export").arg(&run).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("never overwritten"), "{}", text(&o));
}

/// A preset of the tiny data whose teacher (`arch`) is loaded from `weights`.
fn teacher_preset(dir: &Path, arch: &str, weights: &Path) -> PathBuf {
    let path = dir.join("byo.yaml");
    std::fs::write(
        &path,
        format!(
            "name: byo\nseed: 7\ndata: {{ dataset: digits, root: {}, val_size: 300, test_size: 300 }}\n\
             training: {{ epochs: 1, batch_size: 64, optimizer: {{ kind: adamw, lr: 0.01 }} }}\n\
             chain:\n  teacher:\n    arch: {arch}\n    weights: {}\n  student:\n    arch: {{ kind: mlp, hidden: [8] }}\n",
            data_root().display(),
            weights.display()
        ),
    )
    .unwrap();
    path
}

#[test]
fn a_teacher_file_is_refused_saying_why_and_check_measures_a_loaded_one() {
    let tmp = tempfile::tempdir().unwrap();
    let mlp = "{ kind: mlp, hidden: [8] }";
    let spec = ModelSpec::Mlp {
        hidden: vec![8],
        dropout: 0.0,
    };
    let shape = ImageShape {
        channels: 1,
        height: 8,
        width: 8,
    };
    let model = Classifier::new(&spec, shape, 10, 3, &Device::Cpu).unwrap();

    // Right shapes, nn.Sequential names: the error says only the names differ and lists both.
    let seq = tmp.path().join("sequential.safetensors");
    let renamed: std::collections::HashMap<String, candle_core::Tensor> = model
        .named_vars()
        .into_iter()
        .map(|(n, v)| {
            let n = n.replace("fc0.", "1.").replace("head.", "3.");
            (n, v.as_detached_tensor())
        })
        .collect();
    candle_core::safetensors::save(&renamed, &seq).unwrap();
    let o = mkd_tui()
        .arg("check")
        .arg(teacher_preset(tmp.path(), mlp, &seq))
        .output()
        .unwrap();
    let out = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert!(out.contains("only the names differ"), "{out}");
    assert!(
        out.contains("found:    1.bias [8], 1.weight [8, 64], 3.bias [10], 3.weight [10, 8]"),
        "{out}"
    );
    assert!(
        out.contains(
            "expected: fc0.bias [8], fc0.weight [8, 64], head.bias [10], head.weight [10, 8]"
        ),
        "{out}"
    );

    // A torch.save file (a zip archive since PyTorch 1.6).
    let pt = tmp.path().join("teacher.pt");
    std::fs::write(&pt, b"PK\x03\x04\x14\x00\x00\x00\x08\x00archive/data.pkl").unwrap();
    let o = mkd_tui()
        .arg("check")
        .arg(teacher_preset(tmp.path(), mlp, &pt))
        .output()
        .unwrap();
    let out = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert!(out.contains("is a PyTorch pickle"), "{out}");
    assert!(out.contains("save_file(model.state_dict()"), "{out}");

    // Untrained weights: accepted, measured, and warned about.
    let untrained = tmp.path().join("untrained.safetensors");
    model.save(&untrained).unwrap();
    let o = mkd_tui()
        .arg("check")
        .arg(teacher_preset(tmp.path(), mlp, &untrained))
        .output()
        .unwrap();
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    let acc: f64 = out
        .split("validation accuracy ")
        .nth(1)
        .and_then(|s| s.split('%').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no accuracy in {out}"));
    assert!(acc < 20.0, "an untrained model: {acc}");
    assert!(out.contains("chance 10.00%"), "{out}");
    assert!(out.contains("is near chance"), "{out}");
}

#[test]
fn a_loaded_teacher_reads_loaded_with_its_evaluated_accuracies_in_the_report_and_log() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tiny_run(tmp.path(), &[]);
    // The trained student (mlp-8) becomes the teacher of a new run.
    let weights = run.join("checkpoints/student.safetensors");
    let preset = teacher_preset(tmp.path(), "{ kind: mlp, hidden: [8] }", &weights);
    let o = mkd_tui().arg("check").arg(&preset).output().unwrap();
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(!out.contains("near chance"), "{out}");
    let second = tmp.path().join("second");
    let o = mkd_tui()
        .args(["run", "--headless", "--out"])
        .arg(&second)
        .arg(&preset)
        .arg("--set")
        .arg(format!(
            "distill.control_cache={}",
            tmp.path().join("cache").display()
        ))
        .output()
        .unwrap();
    let log = text(&o);
    assert!(o.status.success(), "{log}");
    let md = std::fs::read_to_string(second.join("report.md")).unwrap();
    let row = md
        .lines()
        .find(|l| l.starts_with("| teacher |"))
        .unwrap_or_else(|| panic!("{md}"));
    // The same weights evaluated on the same validation split: the check's number.
    let checked = out
        .split("validation accuracy ")
        .nth(1)
        .and_then(|s| s.split('%').next())
        .unwrap();
    assert!(
        row.contains(&format!("| loaded | — | {checked} | — |")),
        "{row}"
    );
    assert!(!row.contains("0/0") && !row.contains("-0"), "{row}");
    assert!(
        log.contains(&format!("teacher done: loaded, val {checked}%")),
        "{log}"
    );
    assert!(!log.contains("(ep 0)"), "{log}");
}
