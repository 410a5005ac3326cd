//! Parameter and MAC counts: formula vs. built models, and hand counts.

use candle_core::Device;
use mkd_tui::data::ImageShape;
use mkd_tui::model::{Classifier, ModelSpec};

const GREY28: ImageShape = ImageShape {
    channels: 1,
    height: 28,
    width: 28,
};
const RGB32: ImageShape = ImageShape {
    channels: 3,
    height: 32,
    width: 32,
};

fn built_params(spec: &ModelSpec, input: ImageShape, classes: usize) -> u64 {
    let m = Classifier::new(spec, input, classes, 0, &Device::Cpu).unwrap();
    let counted: u64 = m
        .trainable_vars()
        .iter()
        .map(|v| v.elem_count() as u64)
        .sum();
    assert_eq!(m.param_count(), counted);
    counted
}

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
fn small_mlp_by_hand() {
    // 2×2 grey input (4 values) → 4 hidden → 3 classes.
    let input = ImageShape {
        channels: 1,
        height: 2,
        width: 2,
    };
    let spec = ModelSpec::Mlp {
        hidden: vec![4],
        dropout: 0.0,
    };
    // fc0: 4·4 + 4 = 20; head: 4·3 + 3 = 15.
    assert_eq!(spec.param_count(input, 3), 35);
    assert_eq!(built_params(&spec, input, 3), 35);
    // 4·4 + 4·3
    assert_eq!(spec.macs(input, 3), 28);
}

#[test]
fn small_cnn_by_hand() {
    // 1×4×4 input, one conv 1→2 (3×3, pad 1), max-pool → 2×2, head 8 → 3.
    let input = ImageShape {
        channels: 1,
        height: 4,
        width: 4,
    };
    let plain = cnn(&[2], 1, false, &[]);
    // conv: 1·2·9 + 2 bias = 20; head: 8·3 + 3 = 27.
    assert_eq!(plain.param_count(input, 3), 47);
    assert_eq!(built_params(&plain, input, 3), 47);
    // conv: 4·4 positions · 2 out · 1 in · 9 = 288; head: 8·3 = 24.
    assert_eq!(plain.macs(input, 3), 312);

    let bn = cnn(&[2], 1, true, &[]);
    // conv without bias 18, BN weight+bias 4, head 27.
    assert_eq!(bn.param_count(input, 3), 49);
    assert_eq!(built_params(&bn, input, 3), 49);
}

#[test]
fn mnist_mlp_and_cnn_by_hand() {
    let mlp = ModelSpec::Mlp {
        hidden: vec![512, 256],
        dropout: 0.0,
    };
    // 784·512+512 + 512·256+256 + 256·10+10
    assert_eq!(mlp.param_count(GREY28, 10), 401_920 + 131_328 + 2_570);
    assert_eq!(mlp.macs(GREY28, 10), 784 * 512 + 512 * 256 + 256 * 10);

    // conv 1→32, pool, conv 32→64, pool, fc 3136→128, fc 128→10
    let c = cnn(&[32, 64], 1, false, &[128]);
    assert_eq!(c.param_count(GREY28, 10), 320 + 18_496 + 401_536 + 1_290);
    assert_eq!(
        c.macs(GREY28, 10),
        28 * 28 * 32 * 9 + 14 * 14 * 64 * 32 * 9 + 3136 * 128 + 128 * 10
    );
}

#[test]
fn resnet20_on_cifar_is_about_0_27_m() {
    let spec = ModelSpec::ResnetCifar { depth: 20 };
    // Worked out layer by layer (option B shortcuts, BN scale+shift):
    // stem 3·16·9 + 32 = 464; stage 1: 3 × 2 × (16·16·9 + 32) = 14 016;
    // stage 2: (16·32·9 + 64) + (32·32·9 + 64) + (16·32 + 64) + 2 × 2 × (32·32·9 + 64) = 51 648;
    // stage 3: (32·64·9 + 128) + (64·64·9 + 128) + (32·64 + 128) + 2 × 2 × (64·64·9 + 128) = 205 696;
    // fc 64·10 + 10 = 650.  He et al. 2016, Table 6: 0.27 M.
    assert_eq!(spec.param_count(RGB32, 10), 272_474);
    assert_eq!(built_params(&spec, RGB32, 10), 272_474);
    // MACs: stem 32²·16·3·9 = 442 368; stage 1: 6 × 32²·16·16·9 = 14 155 776;
    // stages 2 and 3 each: first conv 1 179 648 + shortcut 131 072 + 5 × 2 359 296 = 13 107 200;
    // fc 640.  ≈ 40.8 M (He et al. report ≈ 41 M FLOPs).
    assert_eq!(spec.macs(RGB32, 10), 40_813_184);
}

#[test]
fn formula_equals_built_model_for_every_kind() {
    let specs = [
        ModelSpec::Mlp {
            hidden: vec![],
            dropout: 0.0,
        },
        ModelSpec::Mlp {
            hidden: vec![300, 100],
            dropout: 0.0,
        },
        cnn(&[8, 16, 16], 2, true, &[32]),
        cnn(&[4, 8], 1, false, &[]),
        cnn(&[3, 5, 7], 3, false, &[11, 13]),
        ModelSpec::ResnetCifar { depth: 8 },
        ModelSpec::ResnetCifar { depth: 14 },
    ];
    let inputs = [
        GREY28,
        RGB32,
        ImageShape {
            channels: 1,
            height: 8,
            width: 8,
        },
        ImageShape {
            channels: 2,
            height: 9,
            width: 13,
        },
    ];
    for spec in &specs {
        for input in inputs {
            if spec.validate(input).is_err() {
                continue;
            }
            for classes in [2, 10, 100] {
                assert_eq!(
                    spec.param_count(input, classes),
                    built_params(spec, input, classes),
                    "{} on {input:?}, {classes} classes",
                    spec.label()
                );
            }
        }
    }
}

#[test]
fn classifier_reports_macs_of_its_spec() {
    let spec = ModelSpec::ResnetCifar { depth: 8 };
    let m = Classifier::new(&spec, GREY28, 10, 1, &Device::Cpu).unwrap();
    assert_eq!(m.macs_per_image(), spec.macs(GREY28, 10));
    assert!(m.macs_per_image() > 0);
}

#[test]
fn odd_sizes_floor_in_pools_and_round_up_in_strided_convs() {
    // 7×7: pool → 3×3. conv 1→2 (no BN): 20 params; head 2·3·3·2 + 2 = 38.
    let input = ImageShape {
        channels: 1,
        height: 7,
        width: 7,
    };
    assert_eq!(cnn(&[2], 1, false, &[]).param_count(input, 2), 20 + 38);
    // resnet8 on 7×7: maps 7 → 4 → 2; the last stage's MACs use 2×2.
    let r = ModelSpec::ResnetCifar { depth: 8 };
    let stem = 49 * 16 * 9;
    let s1 = 2 * 49 * 16 * 16 * 9;
    let s2 = 16 * (32 * 16 * 9 + 32 * 32 * 9 + 32 * 16);
    let s3 = 4 * (64 * 32 * 9 + 64 * 64 * 9 + 64 * 32);
    assert_eq!(r.macs(input, 10), (stem + s1 + s2 + s3 + 640) as u64);
}
