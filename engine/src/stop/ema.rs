//! Exponential moving average of a per-epoch accuracy curve.

/// Smooth `acc` (%, epoch 1 first) with weight `ema`: `ã(1) = a(1)`, `ã(t) = ema·ã(t−1) + (1−ema)·a(t)`.
///
/// `ema = 0` returns the curve unchanged. The average is causal: `ã(t)` depends only on epochs `1 … t`,
/// so smoothing a prefix of a curve gives a prefix of the smoothed curve. The weight is used as given;
/// range checks belong to the caller.
pub fn smooth(acc: &[f64], ema: f64) -> Vec<f64> {
    let mut out = Vec::with_capacity(acc.len());
    let mut prev: Option<f64> = None;
    for &a in acc {
        let s = match prev {
            None => a,
            Some(p) => ema * p + (1.0 - ema) * a,
        };
        out.push(s);
        prev = Some(s);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_curve_stays_empty() {
        assert!(smooth(&[], 0.5).is_empty());
    }

    #[test]
    fn zero_weight_is_identity() {
        assert_eq!(smooth(&[80.0, 70.0, 90.0], 0.0), vec![80.0, 70.0, 90.0]);
    }

    #[test]
    fn hand_computed_values() {
        // ã1 = 80; ã2 = 0.25·80 + 0.75·84 = 83; ã3 = 0.25·83 + 0.75·88 = 86.75 (all exact in binary).
        assert_eq!(smooth(&[80.0, 84.0, 88.0], 0.25), vec![80.0, 83.0, 86.75]);
    }

    #[test]
    fn prefix_of_smoothed_is_smoothed_prefix() {
        let full = smooth(&[80.0, 84.0, 88.0, 81.0], 0.5);
        assert_eq!(smooth(&[80.0, 84.0], 0.5), full[..2].to_vec());
    }
}
