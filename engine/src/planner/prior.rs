//! The prior of the planner: how many assistants the parameter ratio asks for, and where.

use super::ladder::Ladder;

/// Assistants suggested by the parameter counts alone (DESIGN §4.2).
#[derive(Debug, Clone, PartialEq)]
pub struct Prior {
    /// `k₀ = max(0, ⌈ln(p_T/p_S) / ln max_ratio⌉ − 1)`, capped at `max_assistants`.
    pub k0: usize,
    /// Ladder indices of the `k₀` assistants, largest first: target `p_j = p_T^(1−j/(k₀+1)) ·
    /// p_S^(j/(k₀+1))` (geometric spacing), each snapped to the unused rung strictly between
    /// student and teacher nearest in `|ln p − ln p_j|`. Fewer than `k₀` when the ladder runs out.
    pub rungs: Vec<usize>,
}

/// Tolerance on `ln(p_T/p_S)/ln max_ratio` so that a ratio of exactly `max_ratio^k` asks for
/// `k − 1` assistants despite rounding.
const EPS: f64 = 1e-9;

/// `k₀` for a teacher of `p_teacher` and a student of `p_student` parameters.
pub fn assistant_count(p_teacher: u64, p_student: u64, max_ratio: f64) -> usize {
    if p_teacher <= p_student || max_ratio <= 1.0 {
        return 0;
    }
    let x = (p_teacher as f64 / p_student as f64).ln() / max_ratio.ln();
    ((x - EPS).ceil() as i64 - 1).max(0) as usize
}

/// The prior for the ladder between a teacher and a student.
pub fn prior(
    ladder: &Ladder,
    p_teacher: u64,
    p_student: u64,
    max_ratio: f64,
    max_assistants: usize,
) -> Prior {
    let k0 = assistant_count(p_teacher, p_student, max_ratio).min(max_assistants);
    let (lt, ls) = ((p_teacher as f64).ln(), (p_student as f64).ln());
    let mut free = ladder.between(p_teacher, p_student);
    let mut rungs = Vec::new();
    for j in 1..=k0 {
        let target = lt + (ls - lt) * j as f64 / (k0 + 1) as f64;
        let nearest = free.iter().copied().enumerate().min_by(|a, b| {
            let d = |i: usize| ((ladder.rungs[i].params as f64).ln() - target).abs();
            d(a.1).total_cmp(&d(b.1))
        });
        if let Some((pos, i)) = nearest {
            rungs.push(i);
            free.remove(pos);
        }
    }
    rungs.sort_by_key(|&i| std::cmp::Reverse(ladder.rungs[i].params));
    Prior { k0, rungs }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ModelSpec;
    use crate::planner::ladder::Rung;

    fn ladder(params: &[u64]) -> Ladder {
        Ladder {
            rungs: params
                .iter()
                .map(|&p| Rung {
                    spec: ModelSpec::Mlp {
                        hidden: vec![],
                        dropout: 0.0,
                    },
                    label: format!("p{p}"),
                    params: p,
                })
                .collect(),
            skipped: vec![],
        }
    }

    #[test]
    fn count_from_the_ratio() {
        // ln 22 / ln 8 = 1.49 → ⌈⌉ = 2 → one assistant.
        assert_eq!(assistant_count(22_000, 1_000, 8.0), 1);
        // Exactly 8×: no assistant; exactly 64×: one.
        assert_eq!(assistant_count(8_000, 1_000, 8.0), 0);
        assert_eq!(assistant_count(64_000, 1_000, 8.0), 1);
        assert_eq!(assistant_count(65_000, 1_000, 8.0), 2);
        assert_eq!(assistant_count(1_000, 1_000, 8.0), 0);
    }

    #[test]
    fn a_22x_ratio_puts_one_assistant_near_the_geometric_middle() {
        // Geometric middle of 22,000 and 1,000 is √22 · 1000 ≈ 4,690.
        let l = ladder(&[30_000, 22_000, 10_000, 5_000, 2_000, 1_000, 500]);
        let p = prior(&l, 22_000, 1_000, 8.0, 3);
        assert_eq!(p.k0, 1);
        assert_eq!(p.rungs, vec![3]); // 5,000
    }

    #[test]
    fn two_assistants_at_thirds_of_the_log_range() {
        // 100× with max_ratio 5: ⌈2.86⌉ − 1 = 2; targets 100^(1/3)·1000 ≈ 21,544 and ≈ 4,642.
        let l = ladder(&[50_000, 20_000, 10_000, 5_000, 2_000]);
        let p = prior(&l, 100_000, 1_000, 5.0, 3);
        assert_eq!(p.k0, 2);
        assert_eq!(p.rungs, vec![1, 3]);
        // Capped by max_assistants.
        assert_eq!(prior(&l, 100_000, 1_000, 5.0, 1).k0, 1);
    }
}
