//! `mkd-tui bench`: training/inference images/s and peak memory per model, each model measured in a
//! child process of its own (its peak memory is its own, and the thread count is set before candle
//! starts its pools).

use std::path::PathBuf;
use std::process::Command;

use clap::Args;

use super::ExitCode;
use crate::bench::{
    cifar_resnet_cases, measure, preset_cases, reference_cases, BenchCase, BenchResult,
};
use crate::device::DeviceChoice;

/// Arguments of `mkd-tui bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Worker threads (sets RAYON_NUM_THREADS of each child) [all cores].
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Seconds of training, and again of inference, per round.
    #[arg(long, default_value_t = 2.0, value_name = "S")]
    pub seconds: f64,
    /// Rounds per case (one figure each).
    #[arg(long, default_value_t = 1, value_name = "R")]
    pub rounds: usize,
    /// Images per batch.
    #[arg(long, default_value_t = 128)]
    pub batch: usize,
    /// Only these cases: comma-separated names, or prefixes ending in `/` (`mlp,cnn,kd`, `quick/`) [all].
    #[arg(long, value_name = "LIST")]
    pub cases: Option<String>,
    /// Folder of the presets whose models are measured.
    #[arg(long, default_value = "presets", value_name = "DIR")]
    pub presets: PathBuf,
    /// One JSON object per case on stdout instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Print the selected cases as a JSON array (models, inputs, optimizers) and exit; what
    /// `benches/pytorch_reference.py --cases-from` reads.
    #[arg(long)]
    pub describe: bool,
    #[arg(long, value_name = "DEVICE", help = super::device::HELP)]
    pub device: Option<DeviceChoice>,
    /// Measure this one case in this process and print its JSON line (what the parent runs).
    #[arg(long, hide = true, value_name = "CASE")]
    pub child: Option<String>,
}

/// The longest phase `--seconds` accepts (a day).
const MAX_SECONDS: f64 = 86_400.0;

/// Runs the benchmark; exit code 2 for an unknown case or bad numbers.
pub fn bench(args: &BenchArgs) -> anyhow::Result<ExitCode> {
    if args.rounds == 0 || args.batch == 0 || args.threads == Some(0) {
        eprintln!("mkd-tui bench: --rounds, --batch and --threads must be at least 1");
        return Ok(ExitCode::BadInput);
    }
    if !(0.0..=MAX_SECONDS).contains(&args.seconds) {
        eprintln!(
            "mkd-tui bench: --seconds must be a number from 0 to {MAX_SECONDS}, got {}",
            args.seconds
        );
        return Ok(ExitCode::BadInput);
    }
    let choice = args.device.unwrap_or_default();
    let device = match choice.resolve() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("mkd-tui bench: --{e}");
            return Ok(ExitCode::BadInput);
        }
    };
    let mut all = reference_cases(args.batch);
    all.extend(preset_cases(&args.presets, args.batch)?);
    let big = cifar_resnet_cases(args.batch);
    if let Some(name) = &args.child {
        let Some(case) = all.iter().chain(&big).find(|c| &c.name == name) else {
            eprintln!("mkd-tui bench: no case named {name}");
            return Ok(ExitCode::BadInput);
        };
        let result = measure(case, args.rounds, args.seconds, &device)?;
        println!("{}", serde_json::to_string(&result)?);
        return Ok(ExitCode::Success);
    }
    // The CIFAR ResNets only when named: the default set stays minutes, not hours, on a CPU.
    if args.cases.is_some() {
        all.extend(big);
    }
    let selected = match select(&all, args.cases.as_deref()) {
        Ok(s) => s,
        Err(unknown) => {
            let names: Vec<&str> = all.iter().map(|c| c.name.as_str()).collect();
            eprintln!(
                "mkd-tui bench: --cases: no case matches {unknown:?}; cases: {}",
                names.join(", ")
            );
            return Ok(ExitCode::BadInput);
        }
    };
    if args.describe {
        println!("{}", serde_json::to_string_pretty(&selected)?);
        return Ok(ExitCode::Success);
    }
    let threads = args.threads.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    });
    let cpu = crate::bench::Cpu::detect();
    // More threads than logical CPUs add no FMA units.
    let counted = threads.min(cpu.logical.max(1));
    let peak = crate::bench::FmaPeak::detect(&cpu, counted);
    if !args.json {
        // Figures differ between machines by more than any change measured here: name the CPU.
        println!("CPU: {}", cpu.line());
        println!("{}", peak.line());
        if counted < threads {
            println!(
                "(--threads {threads} on {} logical CPUs: the peak counts {counted})",
                cpu.logical
            );
        }
        println!(
            "batch {}, {threads} threads, {} round(s) of {} s per phase, on {}; images/s median (min–max)",
            args.batch,
            args.rounds,
            args.seconds,
            crate::device::describe(&device)
        );
        println!(
            "{:<22} {:>9} {:>26} {:>26} {:>9} {:>13} {:>7}",
            "case",
            "params",
            "train images/s",
            "inference images/s",
            "peak MiB",
            "train GFLOP/s",
            "% peak"
        );
    }
    for case in selected {
        let mut result = run_child(args, threads, case)?;
        result.peak_gflops = Some(peak.gflops());
        if args.json {
            println!("{}", serde_json::to_string(&result)?);
        } else {
            let gflops = median(&result.train_gflops);
            println!(
                "{:<22} {:>9} {:>26} {:>26} {:>9} {:>13} {:>7}",
                result.case,
                result.params,
                spread(&result.train_images_per_s),
                spread(&result.infer_images_per_s),
                result
                    .peak_rss_mib
                    .map_or("-".into(), |m| format!("{m:.0}")),
                gflops.map_or("-".into(), |g| format!("{g:.1}")),
                gflops
                    .filter(|_| peak.gflops() > 0.0)
                    .map_or("-".into(), |g| format!("{:.1}", 100.0 * g / peak.gflops()))
            );
        }
    }
    Ok(ExitCode::Success)
}

/// The cases whose name equals one of the comma-separated `filter` items, or starts with an item
/// ending in `/` (a preset's models), in the order of `all`; `Err(item)` for an item that matches
/// nothing.
fn select<'a>(all: &'a [BenchCase], filter: Option<&str>) -> Result<Vec<&'a BenchCase>, String> {
    let Some(filter) = filter else {
        return Ok(all.iter().collect());
    };
    let items: Vec<&str> = filter.split(',').map(str::trim).collect();
    let matches =
        |c: &BenchCase, i: &str| c.name == i || (i.ends_with('/') && c.name.starts_with(i));
    if let Some(bad) = items.iter().find(|i| !all.iter().any(|c| matches(c, i))) {
        return Err(bad.to_string());
    }
    Ok(all
        .iter()
        .filter(|c| items.iter().any(|i| matches(c, i)))
        .collect())
}

/// Measures `case` in a child process with `threads` threads.
fn run_child(args: &BenchArgs, threads: usize, case: &BenchCase) -> anyhow::Result<BenchResult> {
    let exe = std::env::current_exe()?;
    let output = Command::new(exe)
        .arg("bench")
        .args(["--child", &case.name])
        .args(["--seconds", &args.seconds.to_string()])
        .args(["--rounds", &args.rounds.to_string()])
        .args(["--batch", &args.batch.to_string()])
        .arg("--presets")
        .arg(&args.presets)
        .args(["--device", &args.device.unwrap_or_default().to_string()])
        .env("RAYON_NUM_THREADS", threads.to_string())
        .output()?;
    if !output.status.success() {
        anyhow::bail!(
            "measuring {} failed ({}): {}",
            case.name,
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let line = String::from_utf8_lossy(&output.stdout);
    serde_json::from_str(line.trim())
        .map_err(|e| anyhow::anyhow!("measuring {}: unreadable result {line:?}: {e}", case.name))
}

/// The median of `v` (the upper one of an even count), `None` when empty.
fn median(v: &[f64]) -> Option<f64> {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    s.get(s.len() / 2).copied()
}

/// `median (min–max)` of `v`, rounded to whole images/s.
fn spread(v: &[f64]) -> String {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    match s.as_slice() {
        [] => "-".into(),
        [one] => format!("{one:.0}"),
        _ => format!("{:.0} ({:.0}–{:.0})", s[s.len() / 2], s[0], s[s.len() - 1]),
    }
}
