//! Learning-rate schedules, exact values.

use mkd_tui::preset::ScheduleConfig;
use mkd_tui::train::learning_rate;

fn close(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-12, "{a} vs {b}");
}

#[test]
fn constant_is_the_base_rate() {
    for epoch in [0, 1, 9, 100] {
        assert_eq!(
            learning_rate(&ScheduleConfig::Constant, 0.05, epoch, 10),
            0.05
        );
    }
}

#[test]
fn step_multiplies_by_gamma_at_each_milestone() {
    let s = ScheduleConfig::Step {
        milestones: vec![2, 4],
        gamma: 0.1,
    };
    let expected = [1.0, 1.0, 0.1, 0.1, 0.01, 0.01, 0.01];
    for (epoch, e) in expected.iter().enumerate() {
        close(learning_rate(&s, 1.0, epoch, 7), *e);
    }
    // Milestones need not be sorted; repeated ones count twice (as MultiStepLR).
    let s = ScheduleConfig::Step {
        milestones: vec![3, 1, 3],
        gamma: 0.5,
    };
    close(learning_rate(&s, 0.8, 0, 5), 0.8);
    close(learning_rate(&s, 0.8, 1, 5), 0.4);
    close(learning_rate(&s, 0.8, 3, 5), 0.1);
}

#[test]
fn cosine_starts_at_base_halves_at_midpoint_and_ends_near_min() {
    let s = ScheduleConfig::Cosine { min_lr: 0.0 };
    close(learning_rate(&s, 0.1, 0, 10), 0.1);
    close(learning_rate(&s, 0.1, 5, 10), 0.05);
    // epoch 9 of 10: 0.1·(1 + cos(0.9π))/2 = 0.1·(1 − 0.9510565163)/2
    close(learning_rate(&s, 0.1, 9, 10), 0.002_447_174_185_242_318);
    // quarter: (1 + cos(π/4))/2 = 0.853553…
    close(learning_rate(&s, 1.0, 1, 4), 0.853_553_390_593_273_7);

    let s = ScheduleConfig::Cosine { min_lr: 0.001 };
    close(learning_rate(&s, 0.1, 0, 10), 0.1);
    close(learning_rate(&s, 0.1, 5, 10), 0.0505);
    let last = learning_rate(&s, 0.1, 9, 10);
    assert!(last > 0.001 && last < 0.0035, "{last}");
    close(learning_rate(&s, 0.1, 10, 10), 0.001);
    close(learning_rate(&s, 0.1, 50, 10), 0.001);
}

#[test]
fn cosine_is_monotone_decreasing() {
    let s = ScheduleConfig::Cosine { min_lr: 0.0 };
    let rates: Vec<f64> = (0..20).map(|e| learning_rate(&s, 0.1, e, 20)).collect();
    assert!(rates.windows(2).all(|w| w[1] < w[0]));
}
