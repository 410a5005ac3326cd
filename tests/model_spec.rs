//! Labels and validation of architecture specs.

use mkd_tui::data::ImageShape;
use mkd_tui::model::ModelSpec;

const GREY28: ImageShape = ImageShape {
    channels: 1,
    height: 28,
    width: 28,
};

fn cnn(channels: &[usize], pool_every: usize, batch_norm: bool, hidden: &[usize]) -> ModelSpec {
    ModelSpec::PlainCnn {
        channels: channels.to_vec(),
        pool_every,
        batch_norm,
        hidden: hidden.to_vec(),
        dropout: 0.0,
    }
}

#[test]
fn labels_are_short_and_distinct() {
    assert_eq!(
        ModelSpec::Mlp {
            hidden: vec![512, 256],
            dropout: 0.0,
        }
        .label(),
        "mlp-512-256"
    );
    assert_eq!(
        ModelSpec::Mlp {
            hidden: vec![],
            dropout: 0.0
        }
        .label(),
        "mlp"
    );
    assert_eq!(
        cnn(&[32, 64], 2, true, &[128]).label(),
        "cnn-32-64-p2-bn-fc128"
    );
    assert_eq!(
        cnn(&[32, 64], 1, false, &[128, 64]).label(),
        "cnn-32-64-p1-fc128-fc64"
    );
    assert_eq!(cnn(&[16], 1, false, &[]).label(), "cnn-16-p1");
    assert_eq!(ModelSpec::ResnetCifar { depth: 20 }.label(), "resnet20");
}

#[test]
fn valid_specs_pass() {
    assert!(ModelSpec::Mlp {
        hidden: vec![],
        dropout: 0.0
    }
    .validate(GREY28)
    .is_ok());
    assert!(cnn(&[32, 64], 1, true, &[128]).validate(GREY28).is_ok());
    for depth in [8, 14, 20, 32, 44, 56, 110] {
        assert!(ModelSpec::ResnetCifar { depth }.validate(GREY28).is_ok());
    }
    // Four pools on 28×28: 14, 7, 3, 1.
    assert!(cnn(&[4, 4, 4, 4], 1, false, &[]).validate(GREY28).is_ok());
}

#[test]
fn resnet_depth_must_be_6n_plus_2() {
    for depth in [0, 2, 7, 9, 21, 100] {
        let err = ModelSpec::ResnetCifar { depth }
            .validate(GREY28)
            .unwrap_err();
        assert!(err.contains("6n+2"), "{err}");
        assert!(err.contains(&depth.to_string()), "{err}");
    }
}

#[test]
fn zero_and_empty_widths_are_rejected() {
    let err = ModelSpec::Mlp {
        hidden: vec![8, 0],
        dropout: 0.0,
    }
    .validate(GREY28)
    .unwrap_err();
    assert!(err.contains("hidden[1]"), "{err}");
    let err = cnn(&[], 1, false, &[]).validate(GREY28).unwrap_err();
    assert!(err.contains("channels"), "{err}");
    let err = cnn(&[8, 0], 1, false, &[]).validate(GREY28).unwrap_err();
    assert!(err.contains("channels[1]"), "{err}");
    let err = cnn(&[8], 1, false, &[0]).validate(GREY28).unwrap_err();
    assert!(err.contains("hidden[0]"), "{err}");
}

#[test]
fn pool_every_zero_is_rejected() {
    let err = cnn(&[8], 0, false, &[]).validate(GREY28).unwrap_err();
    assert!(err.contains("pool_every"), "{err}");
}

#[test]
fn pooling_below_one_pixel_is_rejected() {
    // Five pools on 28×28: 14, 7, 3, 1, then nothing.
    let err = cnn(&[4, 4, 4, 4, 4], 1, false, &[])
        .validate(GREY28)
        .unwrap_err();
    assert!(err.contains("conv 5") && err.contains("1×1"), "{err}");
    let digits = ImageShape {
        channels: 1,
        height: 8,
        width: 8,
    };
    assert!(cnn(&[4, 4, 4], 1, false, &[]).validate(digits).is_ok());
    assert!(cnn(&[4, 4, 4, 4], 1, false, &[]).validate(digits).is_err());
}

#[test]
fn zero_sized_input_is_rejected() {
    let bad = ImageShape {
        channels: 1,
        height: 0,
        width: 28,
    };
    assert!(ModelSpec::Mlp {
        hidden: vec![4],
        dropout: 0.0
    }
    .validate(bad)
    .is_err());
}
