//! Paired differences of `mkd-tui compare` (strategy − baseline test accuracy, pp, paired by seed)
//! against hand-worked values, and their section of `compare.md` / field of `compare.json`.
//!
//! Hand-worked: d = [1, 2, 3, 4, 5] pp → d̄ = 3, s = √(10/4) = 1.5811, t(0.975, 4) = 2.7764,
//! half-width 2.7764 · 1.5811 / √5 = 1.9632 → [1.0368, 4.9632].
//! d = [−1, 0, 1, 2] pp → d̄ = 0.5, s = √(5/3) = 1.2910, t(0.975, 3) = 3.1824,
//! half-width 3.1824 · 1.2910 / 2 = 2.0543 → [−1.5543, 2.5543].

use std::path::PathBuf;

use mkd_tui::compare::paired::{pair_by_seed, t_quantile, MeanCi};
use mkd_tui::compare::{CompareTable, PairedDiff, RunRow, Verdict};

fn close(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-4, "{a} vs {b}");
}

#[test]
fn t_quantiles_match_the_tables() {
    close(t_quantile(0.975, 1.0), 12.7062);
    close(t_quantile(0.975, 2.0), 4.3027);
    close(t_quantile(0.975, 3.0), 3.1824);
    close(t_quantile(0.975, 4.0), 2.7764);
    close(t_quantile(0.975, 9.0), 2.2622);
}

#[test]
fn one_to_five_gives_the_hand_worked_interval() {
    let m = MeanCi::of(&[1.0, 2.0, 3.0, 4.0, 5.0]).unwrap();
    assert_eq!(m.n, 5);
    close(m.mean, 3.0);
    close(m.sd.unwrap(), 1.5811);
    close(m.t.unwrap(), 2.7764);
    close(m.half_width.unwrap(), 1.9632);
    let (lo, hi) = m.interval().unwrap();
    close(lo, 1.0368);
    close(hi, 4.9632);
    assert_eq!(Verdict::of(m.interval()), Verdict::Better);
}

#[test]
fn an_interval_below_zero_is_worse() {
    let m = MeanCi::of(&[-1.0, -2.0, -3.0, -4.0, -5.0]).unwrap();
    let (lo, hi) = m.interval().unwrap();
    close(lo, -4.9632);
    close(hi, -1.0368);
    assert_eq!(Verdict::of(m.interval()), Verdict::Worse);
}

#[test]
fn an_interval_straddling_zero_is_no_evidence() {
    let m = MeanCi::of(&[-1.0, 0.0, 1.0, 2.0]).unwrap();
    close(m.mean, 0.5);
    close(m.sd.unwrap(), 1.2910);
    let (lo, hi) = m.interval().unwrap();
    close(lo, -1.5543);
    close(hi, 2.5543);
    let v = Verdict::of(m.interval());
    assert_eq!(v, Verdict::NoEvidence);
    assert_eq!(v.text(), "no evidence of a difference");
}

#[test]
fn one_seed_has_no_interval() {
    let m = MeanCi::of(&[0.7]).unwrap();
    close(m.mean, 0.7);
    assert_eq!((m.sd, m.t, m.interval()), (None, None, None));
    assert_eq!(Verdict::of(m.interval()), Verdict::NeedsTwoSeeds);
    assert!(MeanCi::of(&[]).is_none());

    let p = PairedDiff::new("kd", "scratch", &[(7, 86.0)], &[(7, 85.5)]).unwrap();
    assert_eq!((p.n, p.wins, p.ci_low_pp, p.ci_high_pp), (1, 1, None, None));
    close(p.mean_diff_pp, 0.5);
    assert_eq!(p.verdict, Verdict::NeedsTwoSeeds);
    assert!(p.too_few_seeds_for_claim);
}

#[test]
fn pairing_drops_seeds_missing_in_one_arm() {
    // Strategy ran seeds 3, 1, 2; the baseline 2, 3, 4: only 2 and 3 pair.
    let strategy = [(3, 86.0), (1, 99.0), (2, 85.0)];
    let baseline = [(2, 85.5), (3, 85.0), (4, 10.0)];
    let pairs = pair_by_seed(&strategy, &baseline);
    assert_eq!(pairs.len(), 2);
    assert_eq!((pairs[0].0, pairs[1].0), (2, 3));
    close(pairs[0].1, -0.5);
    close(pairs[1].1, 1.0);

    let p = PairedDiff::new("takd", "kd", &strategy, &baseline).unwrap();
    assert_eq!((p.seeds.clone(), p.n, p.wins), (vec![2, 3], 2, 1));
    close(p.mean_diff_pp, 0.25);
    // No seed in common: no row at all.
    assert!(PairedDiff::new("takd", "kd", &[(1, 80.0)], &[(2, 80.0)]).is_none());
}

#[test]
fn wins_count_strictly_greater_seeds() {
    let base = [(1, 85.0), (2, 85.0), (3, 85.0), (4, 85.0)];
    let s = [(1, 84.0), (2, 85.0), (3, 86.0), (4, 87.0)];
    let p = PairedDiff::new("dgkd", "scratch", &s, &base).unwrap();
    assert_eq!(p.wins, 2, "a tie is not a win");
    assert_eq!(p.verdict, Verdict::NoEvidence);
}

fn row(label: &str, seed: u64, test_acc: f64) -> RunRow {
    RunRow {
        label: label.into(),
        seed,
        chain: vec!["mlp-8".into()],
        test_acc,
        best_val_acc: test_acc,
        best_epoch: 1,
        wall_seconds: 1.0,
        teacher_forwards: 0,
        arm_epochs: 1,
        probe_epochs: 0,
        probe_images: 0,
        probe_seconds: 0.0,
        teacher_reused: false,
        run_dir: PathBuf::from("x"),
        upper: Vec::new(),
        sizes: None,
    }
}

/// scratch at 85 %; kd scratch + [1, 2, 3, 4, 5]; takd kd + [−1, 0, 1, 2, −2] over `seeds`.
fn table(seeds: &[u64]) -> CompareTable {
    let kd = [1.0, 2.0, 3.0, 4.0, 5.0];
    let takd = [-1.0, 0.0, 1.0, 2.0, -2.0];
    let mut runs = Vec::new();
    for (i, &seed) in seeds.iter().enumerate() {
        runs.push(row("scratch", seed, 85.0));
        runs.push(row("kd", seed, 85.0 + kd[i]));
        runs.push(row("takd", seed, 85.0 + kd[i] + takd[i]));
    }
    let order: Vec<String> = ["scratch", "kd", "takd"].map(String::from).into();
    CompareTable::new("p", "digits", seeds.to_vec(), true, &order, runs)
}

#[test]
fn the_table_pairs_every_strategy_with_scratch_then_kd() {
    let t = table(&[1, 2, 3, 4, 5]);
    let pairs: Vec<(&str, &str)> = t
        .paired
        .iter()
        .map(|p| (p.label.as_str(), p.baseline.as_str()))
        .collect();
    assert_eq!(
        pairs,
        [("kd", "scratch"), ("takd", "scratch"), ("takd", "kd")]
    );
    let kd = &t.paired[0];
    close(kd.ci_low_pp.unwrap(), 1.0368);
    close(kd.ci_high_pp.unwrap(), 4.9632);
    assert_eq!((kd.wins, kd.verdict), (5, Verdict::Better));
    assert!(!kd.too_few_seeds_for_claim);
    assert_eq!(t.paired[2].verdict, Verdict::NoEvidence);

    let md = t.to_markdown();
    assert!(
        md.contains("## Paired differences (test %, pp, 95 % CI, Student t over seeds)"),
        "{md}"
    );
    assert!(
        md.contains("| kd | scratch | 5 | +3.00 | [+1.04, +4.96] | 5/5 | better |"),
        "{md}"
    );
    assert!(
        md.contains(
            "| takd | kd | 5 | +0.00 | [-1.96, +1.96] | 2/5 | no evidence of a difference |"
        ),
        "{md}"
    );
    assert!(!md.contains("Fewer than 5 seeds"), "{md}");

    // compare.json carries the same, and a table written before `paired` existed still parses.
    let json = serde_json::to_value(&t).unwrap();
    assert_eq!(json["paired"][0]["verdict"], "better");
    assert_eq!(json["paired"][2]["verdict"], "no_evidence");
    let back: CompareTable = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(back, t);
    let mut old = json;
    old.as_object_mut().unwrap().remove("paired");
    let old: CompareTable = serde_json::from_value(old).unwrap();
    assert!(old.paired.is_empty());
    // Nor the settings, the teacher/assistant accuracies, the data sizes and the intervals.
    let mut older = serde_json::to_value(&t).unwrap();
    older.as_object_mut().unwrap().remove("settings");
    for s in older["summary"].as_array_mut().unwrap() {
        let s = s.as_object_mut().unwrap();
        for k in ["test_ci95", "teacher_test_mean", "assistants"] {
            s.remove(k);
        }
    }
    for r in older["runs"].as_array_mut().unwrap() {
        r.as_object_mut().unwrap().remove("sizes");
    }
    let older: CompareTable = serde_json::from_value(older).unwrap();
    assert_eq!(older.summary[0].test_ci95, None);
    assert!(older.to_markdown().contains("## Accuracy"));
}

#[test]
fn fewer_than_five_seeds_say_so_and_one_seed_has_no_interval() {
    let md = table(&[1, 2, 3]).to_markdown();
    assert!(
        md.contains("Fewer than 5 seeds (as few as 3 here): below what a claim needs"),
        "{md}"
    );
    let md = table(&[7]).to_markdown();
    assert!(
        md.contains("| kd | scratch | 1 | +1.00 | — | 1/1 | — (needs ≥ 2 seeds) |"),
        "{md}"
    );
    assert!(md.contains("as few as 1 here"), "{md}");
}

#[test]
fn without_a_baseline_there_is_no_section() {
    let order = vec!["takd".to_string()];
    let t = CompareTable::new(
        "p",
        "digits",
        vec![1],
        true,
        &order,
        vec![row("takd", 1, 80.0)],
    );
    assert!(t.paired.is_empty());
    assert!(!t.to_markdown().contains("Paired differences"));
}
