//! The processor's FP32 peak, worked out as `threads × lanes × FMA units × 2 FLOP × clock`: the
//! vector width from the extensions (`avx512f`: 16 f32 lanes, `avx2` + `fma`: 8); the clock
//! measured on one core by a chain of dependent integer multiplies (3 cycles each; dependent adds
//! are not: newer Intel cores fold small-immediate adds at rename) — a virtual machine's
//! `/proc/cpuinfo` gives the nominal clock, while the core runs at its turbo clock; and the FMA
//! units per core, which no file
//! names, from a loop of independent FMAs on one core: its FLOP per cycle divided by `2 × lanes`,
//! rounded.

use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::Cpu;

/// The peak and every factor of it, as `mkd-tui bench` prints them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FmaPeak {
    /// The vector instructions measured (`AVX-512`, `AVX2+FMA`), or `none` (no FMA kernel here).
    pub isa: String,
    /// f32 lanes per FMA instruction.
    pub lanes: usize,
    /// FMA instructions per cycle per core, measured and rounded to a whole number (≥ 1).
    pub fma_units: usize,
    /// FLOP per cycle of the FMA loop on one core, as measured (before rounding).
    pub measured_flop_per_cycle: f64,
    /// GFLOP/s of the FMA loop on one core, as measured.
    pub measured_core_gflops: f64,
    /// Clock, GHz, measured on one core (`None` off x86-64: the peak is then the measured rate).
    pub ghz: Option<f64>,
    /// The clock `/proc/cpuinfo` states, GHz, when it states one.
    pub nominal_ghz: Option<f64>,
    /// Threads the peak counts (those the benchmark ran with).
    pub threads: usize,
}

impl FmaPeak {
    /// Measures this processor's FMA throughput on one core (about 0.2 s) and works out the peak
    /// for `threads` threads.
    pub fn detect(cpu: &Cpu, threads: usize) -> FmaPeak {
        let nominal = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|t| clock_ghz(&t));
        let (isa, lanes, core_gflops) = measure(cpu);
        let mut peak = FmaPeak::from_measurement(isa, lanes, core_gflops, measured_ghz(), threads);
        peak.nominal_ghz = nominal;
        peak
    }

    /// The peak from a measured one-core rate `core_gflops` of `lanes`-wide FMAs at `ghz`.
    pub fn from_measurement(
        isa: &str,
        lanes: usize,
        core_gflops: f64,
        ghz: Option<f64>,
        threads: usize,
    ) -> FmaPeak {
        let per_cycle = ghz.map_or(0.0, |g| core_gflops / g);
        let units = if lanes == 0 {
            1
        } else {
            ((per_cycle / (2.0 * lanes as f64)).round() as usize).max(1)
        };
        FmaPeak {
            isa: isa.to_string(),
            lanes,
            fma_units: units,
            measured_flop_per_cycle: per_cycle,
            measured_core_gflops: core_gflops,
            ghz,
            nominal_ghz: None,
            threads,
        }
    }

    /// Peak FP32 GFLOP/s: `threads × lanes × FMA units × 2 × GHz`, or the measured one-core rate
    /// times `threads` when the clock is unknown.
    pub fn gflops(&self) -> f64 {
        match self.ghz {
            Some(g) => (self.threads * self.lanes * self.fma_units * 2) as f64 * g,
            None => self.threads as f64 * self.measured_core_gflops,
        }
    }

    /// `peak 521.3 GFLOP/s FP32 = 2 threads × 16 lanes (AVX-512) × 2 FMA units × 2 FLOP × 4.07 GHz
    /// (clock measured on one core, /proc/cpuinfo says 2.60 GHz; FMA units from a one-core FMA
    /// loop: 59.3 FLOP/cycle, 241.6 GFLOP/s)`.
    pub fn line(&self) -> String {
        match self.ghz {
            Some(g) => format!(
                "peak {:.1} GFLOP/s FP32 = {} thread{} × {} lanes ({}) × {} FMA unit{} × 2 FLOP × {:.2} GHz \
                 (clock measured on one core{}; FMA units from a one-core FMA loop: {:.1} FLOP/cycle, {:.1} GFLOP/s)",
                self.gflops(),
                self.threads,
                if self.threads == 1 { "" } else { "s" },
                self.lanes,
                self.isa,
                self.fma_units,
                if self.fma_units == 1 { "" } else { "s" },
                g,
                self.nominal_ghz
                    .map_or(String::new(), |n| format!(", /proc/cpuinfo says {n:.2} GHz")),
                self.measured_flop_per_cycle,
                self.measured_core_gflops
            ),
            None => format!(
                "peak {:.1} GFLOP/s FP32 = {} × {:.1} GFLOP/s measured by a one-core FMA loop ({}; no clock in /proc/cpuinfo)",
                self.gflops(),
                self.threads,
                self.measured_core_gflops,
                self.isa
            ),
        }
    }
}

/// The clock in GHz from `/proc/cpuinfo` text: the first `cpu MHz`, else `@ 2.60GHz` in the model.
pub fn clock_ghz(text: &str) -> Option<f64> {
    let field = |name: &str| {
        text.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            (k.trim() == name).then(|| v.trim().to_string())
        })
    };
    if let Some(mhz) = field("cpu MHz").and_then(|v| v.parse::<f64>().ok()) {
        if mhz > 0.0 {
            return Some(mhz / 1000.0);
        }
    }
    let model = field("model name")?;
    let at = model.rsplit_once('@')?.1.trim();
    at.strip_suffix("GHz")?.trim().parse().ok()
}

/// This core's clock, GHz: a loop of dependent integer multiplies (3 cycles each), best of 5
/// (x86-64).
fn measured_ghz() -> Option<f64> {
    #[cfg(target_arch = "x86_64")]
    {
        let iterations = 20_000_000u64;
        x86::mul_chain(iterations / 10);
        let mut best = f64::MAX;
        for _ in 0..5 {
            let started = Instant::now();
            x86::mul_chain(iterations);
            best = best.min(started.elapsed().as_secs_f64());
        }
        Some((iterations * x86::CYCLES_PER_ITERATION) as f64 / best / 1e9)
    }
    #[cfg(not(target_arch = "x86_64"))]
    None
}

/// `(isa, lanes, one-core GFLOP/s)` of the widest FMA this processor has.
fn measure(cpu: &Cpu) -> (&'static str, usize, f64) {
    let has = |e: &str| cpu.extensions.iter().any(|x| x == e);
    #[cfg(target_arch = "x86_64")]
    {
        if has("avx512f") && std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the feature was detected at run time.
            return ("AVX-512", 16, rate(16, |n| unsafe { x86::fma512(n) }));
        }
        if has("avx2")
            && has("fma")
            && std::arch::is_x86_feature_detected!("avx2")
            && std::arch::is_x86_feature_detected!("fma")
        {
            // SAFETY: the features were detected at run time.
            return ("AVX2+FMA", 8, rate(8, |n| unsafe { x86::fma256(n) }));
        }
    }
    let _ = has;
    ("none", 0, 0.0)
}

/// Independent FMA chains per loop iteration: enough to cover the FMA latency (4 cycles) on two
/// units.
const CHAINS: usize = 12;

/// GFLOP/s of `run(iterations)` (each iteration `CHAINS` FMAs of `lanes` lanes), best of 5.
fn rate(lanes: usize, run: impl Fn(u64) -> f32) -> f64 {
    let iterations = 2_000_000u64;
    std::hint::black_box(run(iterations / 10));
    let mut best = f64::MAX;
    for _ in 0..5 {
        let started = Instant::now();
        std::hint::black_box(run(std::hint::black_box(iterations)));
        best = best.min(started.elapsed().as_secs_f64());
    }
    (iterations * CHAINS as u64 * lanes as u64 * 2) as f64 / best / 1e9
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;

    use super::CHAINS;

    /// Cycles per iteration of [`mul_chain`]: 10 dependent 64-bit `imul`s of 3 cycles each.
    pub const CYCLES_PER_ITERATION: u64 = 30;

    /// `iterations × 10` dependent register multiplies, 3 cycles each (the latency of a 64-bit
    /// `imul` on Intel cores since Sandy Bridge and AMD cores since Zen; the loop counter's
    /// decrement and branch run beside them).
    pub fn mul_chain(iterations: u64) {
        let mut x = 3u64;
        let mut n = iterations.max(1);
        // SAFETY: register arithmetic and a backward branch only; no memory, no stack.
        unsafe {
            std::arch::asm!(
                "2:",
                "imul {x}, {x}", "imul {x}, {x}", "imul {x}, {x}", "imul {x}, {x}", "imul {x}, {x}",
                "imul {x}, {x}", "imul {x}, {x}", "imul {x}, {x}", "imul {x}, {x}", "imul {x}, {x}",
                "dec {n}",
                "jnz 2b",
                x = inout(reg) x,
                n = inout(reg) n,
                options(nomem, nostack),
            );
        }
        std::hint::black_box((x, n));
    }

    /// `CHAINS` chains of `iterations` dependent 16-lane FMAs; returns a sum so nothing is elided.
    #[target_feature(enable = "avx512f")]
    pub unsafe fn fma512(iterations: u64) -> f32 {
        // Opaque operands: with constants, 1.0 is a fixed point of `a·m + c` and the compiler
        // folds the whole loop away.
        let m = _mm512_set1_ps(std::hint::black_box(0.999_999));
        let c = _mm512_set1_ps(std::hint::black_box(1e-6));
        let mut acc = [_mm512_set1_ps(std::hint::black_box(1.0)); CHAINS];
        for _ in 0..iterations {
            for a in acc.iter_mut() {
                *a = _mm512_fmadd_ps(*a, m, c);
            }
        }
        acc.iter().map(|&a| _mm512_reduce_add_ps(a)).sum()
    }

    /// As [`fma512`] with 8-lane AVX2 FMAs.
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn fma256(iterations: u64) -> f32 {
        let m = _mm256_set1_ps(std::hint::black_box(0.999_999));
        let c = _mm256_set1_ps(std::hint::black_box(1e-6));
        let mut acc = [_mm256_set1_ps(std::hint::black_box(1.0)); CHAINS];
        for _ in 0..iterations {
            for a in acc.iter_mut() {
                *a = _mm256_fmadd_ps(*a, m, c);
            }
        }
        let mut out = [0f32; 8];
        let mut sum = _mm256_setzero_ps();
        for a in acc {
            sum = _mm256_add_ps(sum, a);
        }
        _mm256_storeu_ps(out.as_mut_ptr(), sum);
        out.iter().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clock_comes_from_cpu_mhz_or_the_model_name() {
        assert_eq!(clock_ghz("cpu MHz\t\t: 2600.000\n"), Some(2.6));
        let named = "model name\t: Intel(R) Xeon(R) Gold 6148 CPU @ 2.40GHz\n";
        assert_eq!(clock_ghz(named), Some(2.4));
        assert_eq!(clock_ghz("model name : AMD EPYC 7B13\n"), None);
    }

    /// Worked by hand: 2 threads × 16 lanes × 2 units × 2 FLOP × 2.6 GHz = 332.8 GFLOP/s; a
    /// measured 166 GFLOP/s on one core at 2.6 GHz is 63.8 FLOP/cycle, 2 units of 32.
    #[test]
    fn the_peak_is_the_product_of_its_factors() {
        let p = FmaPeak::from_measurement("AVX-512", 16, 166.0, Some(2.6), 2);
        assert_eq!(p.fma_units, 2);
        assert!((p.gflops() - 332.8).abs() < 1e-9);
        assert!(p.line().starts_with("peak 332.8 GFLOP/s FP32 = 2 threads × 16 lanes (AVX-512) × 2 FMA units × 2 FLOP × 2.60 GHz"), "{}", p.line());
        // One AVX2 unit: 8 lanes, 42 GFLOP/s at 2.6 GHz = 16.2 FLOP/cycle.
        let q = FmaPeak::from_measurement("AVX2+FMA", 8, 42.0, Some(2.6), 1);
        assert_eq!(q.fma_units, 1);
        assert!((q.gflops() - 41.6).abs() < 1e-9);
        let r = FmaPeak::from_measurement("AVX-512", 16, 150.0, None, 2);
        assert_eq!(r.gflops(), 300.0);
    }
}
