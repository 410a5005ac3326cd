//! `mkd-tui bench`, run as a process: case selection, the JSON it prints, bad input.

use std::process::Command;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_mkd-tui"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

/// `bench` on the smallest preset model, one thread, batch 8, one epoch, with `extra` arguments.
fn bench_quick_student(extra: &[&str]) -> std::process::Output {
    bin()
        .args(["bench", "--cases", "quick/student", "--seconds", "0"])
        .args(["--threads", "1", "--batch", "8"])
        .args(extra)
        .output()
        .unwrap()
}

#[test]
fn describe_lists_the_reference_cases_and_the_preset_models() {
    let o = bin()
        .args(["bench", "--describe", "--cases", "mlp,kd,quick/"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    let cases: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let names: Vec<&str> = cases
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    // `kd` is an exact name (not a prefix of `kd-cached`); `quick/` is a preset's models.
    assert_eq!(
        names,
        ["mlp", "kd", "quick/teacher", "quick/ta1", "quick/student"]
    );
    assert_eq!(cases[0]["model"]["hidden"], serde_json::json!([512, 256]));
    assert_eq!(
        cases[1]["kd"]["teacher"]["channels"],
        serde_json::json!([32, 64])
    );
    assert_eq!(cases[0]["batch"], 128);
}

#[test]
fn a_case_is_measured_in_a_child_and_printed_as_json() {
    let o = bench_quick_student(&["--device", "cpu", "--json"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(r["implementation"], "mkd-tui");
    assert_eq!(r["case"], "quick/student");
    assert_eq!(
        (r["threads"].as_u64(), r["batch"].as_u64()),
        (Some(1), Some(8))
    );
    assert_eq!(r["params"], 784 * 16 + 16 + 16 * 10 + 10);
    assert!(r["train_images_per_s"][0].as_f64().unwrap() > 0.0);
    assert!(r["infer_images_per_s"][0].as_f64().unwrap() > 0.0);
    if cfg!(target_os = "linux") {
        assert!(r["peak_rss_mib"].as_f64().unwrap() > 0.0);
        // The processor named with the figure, as /proc/cpuinfo gives it.
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap();
        let model = cpuinfo
            .lines()
            .find_map(|l| l.strip_prefix("model name"))
            .map(|v| v.trim_start_matches([' ', '\t', ':']).trim());
        assert_eq!(r["cpu"]["model"].as_str(), model.or(Some("unknown")));
        let avx2 = cpuinfo
            .lines()
            .any(|l| l.starts_with("flags") && l.contains(" avx2"));
        let listed = r["cpu"]["extensions"].as_array().unwrap();
        assert_eq!(listed.iter().any(|e| e == "avx2"), avx2, "{}", r["cpu"]);
    }
    assert_eq!(r["device"], "cpu");
    // Training GFLOP/s from multiply-accumulates, worked by hand: 784·16 + 16·10 = 12,704 MACs per
    // image forward, ×3 for training, 2 FLOP each.
    let ips = r["train_images_per_s"][0].as_f64().unwrap();
    let gflops = r["train_gflops"][0].as_f64().unwrap();
    let by_hand = 2.0 * 3.0 * 12_704.0 * ips / 1e9;
    assert!(
        (gflops - by_hand).abs() < 1e-9 * by_hand.max(1.0),
        "{gflops} vs {by_hand}"
    );
    assert!(r["peak_gflops"].as_f64().unwrap() > 0.0);
}

/// The CIFAR-100 ResNets of the GPU check are measured only when named: by default a CPU bench
/// stays minutes long.
#[test]
fn the_cifar_resnets_are_cases_only_when_named() {
    let names = |args: &[&str]| -> Vec<String> {
        let o = bin()
            .args(["bench", "--describe"])
            .args(args)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0));
        let cases: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        cases
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(!names(&[]).iter().any(|n| n.starts_with("resnet")));
    let o = bin()
        .args(["bench", "--describe", "--cases", "resnet20,resnet110"])
        .output()
        .unwrap();
    let cases: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(cases[0]["name"], "resnet20");
    assert_eq!(cases[1]["model"]["depth"], 110);
    assert_eq!(cases[1]["classes"], 100);
    assert_eq!(
        cases[1]["input"],
        serde_json::json!({"channels": 3, "height": 32, "width": 32})
    );
    assert_eq!(cases[1]["optimizer"]["kind"], "sgd");
}

#[test]
fn the_table_names_the_cpu_first() {
    let o = bench_quick_student(&[]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let out = String::from_utf8_lossy(&o.stdout);
    let first = out.lines().next().unwrap();
    assert!(
        first.starts_with("CPU: ") && first.contains("vector extensions: "),
        "{out}"
    );
    // The peak and its factors, then GFLOP/s and the share of the peak per case.
    let peak = out.lines().nth(1).unwrap();
    assert!(peak.starts_with("peak "), "{out}");
    if cfg!(target_arch = "x86_64") && first.contains("avx2") {
        // `peak P GFLOP/s FP32 = T thread(s) × L lanes (ISA) × U FMA unit(s) × 2 FLOP × G GHz`.
        let num = |after: &str| -> f64 {
            let at = peak
                .find(after)
                .unwrap_or_else(|| panic!("{after:?} in {peak}"));
            let word: String = peak[..at].split_whitespace().last().unwrap().to_string();
            word.parse().unwrap()
        };
        let product = num(" thread") * num(" lanes") * num(" FMA unit") * 2.0 * num(" GHz");
        assert!((num(" GFLOP/s FP32") - product).abs() < 0.2, "{peak}");
        let lanes = if first.contains("avx512f") { 16.0 } else { 8.0 };
        assert_eq!(num(" lanes"), lanes, "{peak}");
        assert_eq!(num(" thread"), 1.0, "--threads 1: {peak}");
    }
    let header = out.lines().nth(3).unwrap();
    assert!(
        header.contains("train GFLOP/s") && header.contains("% peak"),
        "{out}"
    );
    let row: Vec<&str> = out.lines().nth(4).unwrap().split_whitespace().collect();
    let (gflops, share): (f64, f64) = (
        row[row.len() - 2].parse().unwrap(),
        row[row.len() - 1].parse().unwrap(),
    );
    let peak_gflops: f64 = peak.split_whitespace().nth(1).unwrap().parse().unwrap();
    assert!((share - 100.0 * gflops / peak_gflops).abs() < 0.11, "{out}");
}

#[test]
fn an_unknown_case_is_bad_input_and_the_valid_names_are_listed() {
    let o = bin()
        .args(["bench", "--cases", "mlp,nope"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("no case matches \"nope\"") && err.contains("kd-cached"),
        "{err}"
    );
}

/// Numbers a benchmark cannot run with are refused before any child starts, naming the option.
#[test]
fn zero_threads_and_unbounded_seconds_are_bad_input() {
    for (args, says) in [
        (&["--threads", "0"][..], "--threads must be at least 1"),
        (
            &["--seconds", "inf"][..],
            "--seconds must be a number from 0 to 86400, got inf",
        ),
        (
            &["--seconds", "1e300"][..],
            "--seconds must be a number from 0 to 86400",
        ),
        (&["--seconds=nan"][..], "got NaN"),
        (&["--seconds=-1"][..], "got -1"),
    ] {
        let o = bin()
            .args(["bench", "--cases", "mlp"])
            .args(args)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}
