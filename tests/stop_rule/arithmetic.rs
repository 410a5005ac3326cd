use super::*;

#[test]
fn no_controls_only_max_epochs_or_manual() {
    let kd = [90.0, 80.0, 70.0, 60.0, 50.0];
    let curves = Curves {
        kd: &kd,
        controls: &[],
    };
    let r = rule(0.0, 1, 1, 0.0, 0.0, None);
    assert!(r.advantage(&curves).is_empty());
    // A collapsing KD curve without controls: Δ is undefined, never stops by itself.
    assert_eq!(r.decide(&curves, &Manual::default()), None);
    // max_epochs 3 → MaxEpochs at 3, Δ numbers NaN, kd still reported.
    let capped = StopRule {
        max_epochs: Some(3),
        ..r.clone()
    };
    let d = capped.decide(&curves, &Manual::default()).unwrap();
    assert_eq!(
        (d.epoch, d.kind, d.kd_smoothed),
        (3, StopKind::MaxEpochs, 70.0)
    );
    assert!(d.delta.is_nan() && d.best_delta.is_nan() && d.control_smoothed.is_nan());
    // Manual stop at 2 → Manual at 2.
    let manual = Manual {
        stopped_at: Some(2),
        resumed_at: None,
    };
    assert_eq!(
        epoch_kind(r.decide(&curves, &manual)),
        Some((2, StopKind::Manual))
    );
}

#[test]
fn smooth_matches_hand_computation() {
    let r = StopRule {
        ema: 0.25,
        ..StopRule::default()
    };
    // ã = 80; 0.25·80 + 0.75·84 = 83; 0.25·83 + 0.75·88 = 86.75.
    assert_eq!(r.smooth(&[80.0, 84.0, 88.0]), vec![80.0, 83.0, 86.75]);
    assert!(r.smooth(&[]).is_empty());
}

#[test]
fn advantage_matches_hand_computation() {
    let r = StopRule {
        ema: 0.5,
        ..StopRule::default()
    };
    let kd = [80.0, 84.0];
    let c1 = [82.0, 82.0];
    let c2 = [80.0, 86.0, 90.0];
    // ã_kd = 80, 82; ã_c1 = 82, 82; ã_c2 = 80, 83 (its third epoch is beyond the KD curve).
    // max control = 82, 83 → Δ = −2, −1.
    let controls = [c1.as_slice(), c2.as_slice()];
    assert_eq!(
        r.advantage(&Curves {
            kd: &kd,
            controls: &controls,
        }),
        vec![-2.0, -1.0]
    );
}

#[test]
fn empty_yaml_gives_the_defaults() {
    let r: StopRule = serde_yaml::from_str("{}").unwrap();
    assert_eq!(r, StopRule::default());
    assert_eq!(
        r,
        StopRule {
            enabled: true,
            ema: 0.5,
            min_epochs: 2,
            patience: 2,
            margin: 0.0,
            drop: 0.3,
            max_epochs: None,
            after_stop: AfterStop::Labels,
        }
    );
    assert_eq!(r.validate(), Ok(()));
}

#[test]
fn yaml_fields_and_unknown_keys() {
    let r: StopRule =
        serde_yaml::from_str("patience: 3\nmax_epochs: 8\nafter_stop: finish\n").unwrap();
    assert_eq!(r.patience, 3);
    assert_eq!(r.max_epochs, Some(8));
    assert_eq!(r.after_stop, AfterStop::Finish);
    assert_eq!(r.ema, 0.5);
    let err = serde_yaml::from_str::<StopRule>("patince: 3\n").unwrap_err();
    assert!(err.to_string().contains("patince"), "{err}");
    assert!(serde_yaml::from_str::<StopRule>("after_stop: Labels\n").is_err());
}

#[test]
fn validate_names_the_field() {
    let ok = StopRule::default();
    let bad = [
        (
            StopRule {
                ema: 1.0,
                ..ok.clone()
            },
            "ema",
        ),
        (
            StopRule {
                ema: -0.1,
                ..ok.clone()
            },
            "ema",
        ),
        (
            StopRule {
                ema: f64::NAN,
                ..ok.clone()
            },
            "ema",
        ),
        (
            StopRule {
                margin: f64::INFINITY,
                ..ok.clone()
            },
            "margin",
        ),
        (
            StopRule {
                drop: -0.1,
                ..ok.clone()
            },
            "drop",
        ),
        (
            StopRule {
                drop: f64::NAN,
                ..ok.clone()
            },
            "drop",
        ),
        (
            StopRule {
                patience: 0,
                ..ok.clone()
            },
            "patience",
        ),
        (
            StopRule {
                max_epochs: Some(0),
                ..ok.clone()
            },
            "max_epochs",
        ),
    ];
    for (rule, field) in bad {
        let err = rule.validate().unwrap_err();
        assert!(err.starts_with(field), "{field}: {err}");
    }
    assert_eq!(
        StopRule {
            ema: 0.0,
            margin: -1.0,
            max_epochs: Some(1),
            ..ok
        }
        .validate(),
        Ok(())
    );
}

/// The worked example in README.md ("The stop rule"), number for number.
#[test]
fn readme_worked_example() {
    let rule = StopRule {
        ema: 0.5,
        min_epochs: 2,
        patience: 2,
        margin: 0.0,
        drop: 0.3,
        ..StopRule::default()
    };
    let kd = [80.0, 82.0, 82.5, 83.0];
    let scratch = [79.0, 81.0, 82.5, 83.5];
    assert_eq!(rule.smooth(&kd), vec![80.0, 81.0, 81.75, 82.375]);
    assert_eq!(rule.smooth(&scratch), vec![79.0, 80.0, 81.25, 82.375]);
    let controls: [&[f64]; 1] = [&scratch];
    let curves = Curves {
        kd: &kd,
        controls: &controls,
    };
    assert_eq!(rule.advantage(&curves), vec![1.0, 1.0, 0.5, 0.0]);
    let short: [&[f64]; 1] = [&scratch[..3]];
    assert!(rule
        .decide(
            &Curves {
                kd: &kd[..3],
                controls: &short
            },
            &Manual::default()
        )
        .is_none());
    let d = rule.decide(&curves, &Manual::default()).unwrap();
    assert_eq!((d.epoch, d.kind), (4, StopKind::Margin));
}

/// `enabled: false`: a KD curve far below its control (Δ = −5 pp every epoch, which stops at epoch
/// 2 with the rule on) never stops by itself; a manual stop and `max_epochs` still do.
#[test]
fn a_rule_switched_off_never_stops_by_itself() {
    let deltas = [-5.0; 8];
    let on = rule(0.0, 1, 2, 0.0, 0.3, None);
    assert_eq!(
        epoch_kind(decide_on_deltas(&on, &deltas, Manual::default())),
        Some((2, StopKind::Margin))
    );
    let off = StopRule {
        enabled: false,
        ..on.clone()
    };
    assert_eq!(decide_on_deltas(&off, &deltas, Manual::default()), None);
    let falling = [5.0, 4.0, 3.0, 2.0, 1.0, 0.0, -1.0, -2.0];
    assert_eq!(decide_on_deltas(&off, &falling, Manual::default()), None);
    let manual = Manual {
        stopped_at: Some(3),
        resumed_at: None,
    };
    assert_eq!(
        epoch_kind(decide_on_deltas(&off, &deltas, manual)),
        Some((3, StopKind::Manual))
    );
    let capped = StopRule {
        max_epochs: Some(4),
        ..off.clone()
    };
    assert_eq!(
        epoch_kind(decide_on_deltas(&capped, &deltas, Manual::default())),
        Some((4, StopKind::MaxEpochs))
    );
    assert!(
        off.summary().starts_with("off (enabled: false)"),
        "{}",
        off.summary()
    );
    // The preset key parses, and a preset without it keeps the rule on.
    let parsed: StopRule = serde_yaml::from_str("enabled: false\nmargin: 1\n").unwrap();
    assert!(!parsed.enabled && parsed.margin == 1.0);
    let default: StopRule = serde_yaml::from_str("margin: 1\n").unwrap();
    assert!(default.enabled);
}
