//! Paired differences between a strategy and a baseline over seeds: the student's test accuracy
//! under the strategy minus under the baseline, seed by seed (the runs of one seed share the
//! student's initial weights and batches, so the seed is the pair), summarised by the mean
//! difference, its 95 % confidence interval and the seeds the strategy won.
//!
//! Units: test accuracies are %, so every difference, mean, sd and bound here is in percentage
//! points (pp).
//!
//! The interval is the Student t interval of the mean of the differences (the paired t interval):
//!
//! ```text
//! d_i = acc_strategy(seed i) − acc_baseline(seed i)      pp, over the n seeds both ran
//! d̄   = Σ d_i / n
//! s   = √( Σ (d_i − d̄)² / (n − 1) )                       sample sd
//! CI  = d̄ ± t_{0.975, n−1} · s / √n                       95 %, two-sided
//! ```
//!
//! Source: NIST/SEMATECH e-Handbook of Statistical Methods, §1.3.5.2 "Confidence Limits for the
//! Mean" (<https://www.itl.nist.gov/div898/handbook/eda/section3/eda352.htm>), applied to the
//! per-seed differences. It assumes the differences are roughly normal. `t_{0.975, n−1}` is the
//! Student t quantile from `statrs` (`StudentsT::inverse_cdf`). With n < 2 there is no sample sd
//! and so no interval.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, StudentsT};

/// The rows a strategy is compared against, in this order, when the comparison ran them.
pub const BASELINES: [&str; 2] = ["scratch", "kd"];

/// Two-sided confidence level of the interval.
pub const CONFIDENCE: f64 = 0.95;

/// Seeds below which a difference is not evidence enough for a claim, whatever its interval.
pub const CLAIM_MIN_SEEDS: usize = 5;

/// The `p` quantile of Student's t with `df` degrees of freedom (`df` > 0), e.g.
/// `t_quantile(0.975, 4.0)` = 2.7764.
pub fn t_quantile(p: f64, df: f64) -> f64 {
    StudentsT::new(0.0, 1.0, df)
        .expect("location 0, scale 1 and df > 0 are valid")
        .inverse_cdf(p)
}

/// Mean of differences (pp) with its confidence interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeanCi {
    pub n: usize,
    /// d̄, pp.
    pub mean: f64,
    /// Sample sd (n − 1), t quantile `t_{0.975, n−1}` and half-width `t · sd / √n` (pp);
    /// `None` with one difference.
    pub sd: Option<f64>,
    pub t: Option<f64>,
    pub half_width: Option<f64>,
}

impl MeanCi {
    /// The mean and 95 % interval of `diffs` (pp); `None` when there are none.
    pub fn of(diffs: &[f64]) -> Option<MeanCi> {
        if diffs.is_empty() {
            return None;
        }
        let n = diffs.len();
        let nf = n as f64;
        let mean = diffs.iter().sum::<f64>() / nf;
        if n < 2 {
            return Some(MeanCi {
                n,
                mean,
                sd: None,
                t: None,
                half_width: None,
            });
        }
        let sd = (diffs.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / (nf - 1.0)).sqrt();
        let t = t_quantile(1.0 - (1.0 - CONFIDENCE) / 2.0, nf - 1.0);
        Some(MeanCi {
            n,
            mean,
            sd: Some(sd),
            t: Some(t),
            half_width: Some(t * sd / nf.sqrt()),
        })
    }

    /// `[d̄ − half-width, d̄ + half-width]`, pp; `None` with one difference.
    pub fn interval(&self) -> Option<(f64, f64)> {
        self.half_width.map(|h| (self.mean - h, self.mean + h))
    }
}

/// What the interval says about strategy − baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The whole interval is above 0.
    Better,
    /// The whole interval is below 0.
    Worse,
    /// The interval includes 0.
    NoEvidence,
    /// One paired seed: no interval.
    NeedsTwoSeeds,
}

impl Verdict {
    /// The verdict of an interval (pp); `None` means no interval.
    pub fn of(interval: Option<(f64, f64)>) -> Verdict {
        match interval {
            None => Verdict::NeedsTwoSeeds,
            Some((lo, _)) if lo > 0.0 => Verdict::Better,
            Some((_, hi)) if hi < 0.0 => Verdict::Worse,
            Some(_) => Verdict::NoEvidence,
        }
    }

    /// The words in `compare.md`.
    pub fn text(self) -> &'static str {
        match self {
            Verdict::Better => "better",
            Verdict::Worse => "worse",
            Verdict::NoEvidence => "no evidence of a difference",
            Verdict::NeedsTwoSeeds => "— (needs ≥ 2 seeds)",
        }
    }
}

/// `strategy − baseline` test accuracy per seed both ran (pp), by ascending seed; a seed missing
/// from either side is dropped. Arguments are `(seed, test %)`.
pub fn pair_by_seed(strategy: &[(u64, f64)], baseline: &[(u64, f64)]) -> Vec<(u64, f64)> {
    let base: BTreeMap<u64, f64> = baseline.iter().copied().collect();
    let mut out: Vec<(u64, f64)> = strategy
        .iter()
        .filter_map(|&(seed, acc)| base.get(&seed).map(|b| (seed, acc - b)))
        .collect();
    out.sort_by_key(|&(seed, _)| seed);
    out.dedup_by_key(|&mut (seed, _)| seed);
    out
}

/// One strategy against one baseline (`compare.json`'s `paired`). All differences in pp.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairedDiff {
    /// The strategy's row label and the baseline's (`scratch` or `kd`).
    pub label: String,
    pub baseline: String,
    /// The seeds both ran, ascending; `n` is their count.
    pub seeds: Vec<u64>,
    pub n: usize,
    /// Mean of strategy − baseline test accuracy, pp.
    pub mean_diff_pp: f64,
    /// Sample sd of the differences, pp; `None` with one seed.
    pub sd_pp: Option<f64>,
    /// The 95 % interval `mean ± t_{0.975, n−1} · sd/√n`, pp, and the t quantile used; `None`
    /// with one seed.
    pub ci_low_pp: Option<f64>,
    pub ci_high_pp: Option<f64>,
    pub t: Option<f64>,
    /// Seeds where the strategy's test accuracy was strictly greater than the baseline's.
    pub wins: usize,
    pub verdict: Verdict,
    /// n < [`CLAIM_MIN_SEEDS`]: too few seeds for a claim, whatever the interval says.
    pub too_few_seeds_for_claim: bool,
}

impl PairedDiff {
    /// `label` against `baseline` from each one's `(seed, test %)`; `None` when no seed is in both.
    pub fn new(
        label: &str,
        baseline: &str,
        strategy: &[(u64, f64)],
        base: &[(u64, f64)],
    ) -> Option<PairedDiff> {
        let pairs = pair_by_seed(strategy, base);
        let diffs: Vec<f64> = pairs.iter().map(|&(_, d)| d).collect();
        let m = MeanCi::of(&diffs)?;
        let interval = m.interval();
        Some(PairedDiff {
            label: label.to_string(),
            baseline: baseline.to_string(),
            seeds: pairs.iter().map(|&(s, _)| s).collect(),
            n: m.n,
            mean_diff_pp: m.mean,
            sd_pp: m.sd,
            ci_low_pp: interval.map(|i| i.0),
            ci_high_pp: interval.map(|i| i.1),
            t: m.t,
            wins: diffs.iter().filter(|&&d| d > 0.0).count(),
            verdict: Verdict::of(interval),
            too_few_seeds_for_claim: m.n < CLAIM_MIN_SEEDS,
        })
    }
}
