//! Saving and loading classifiers as safetensors.

use candle_core::{Device, Tensor};
use mkd_tui::data::ImageShape;
use mkd_tui::model::{Classifier, ModelError, ModelSpec};

const DIGITS: ImageShape = ImageShape {
    channels: 1,
    height: 8,
    width: 8,
};

fn images(b: usize) -> Tensor {
    let v: Vec<f32> = (0..b * 64)
        .map(|i| ((i * 31 % 17) as f32 / 8.0) - 1.0)
        .collect();
    Tensor::from_vec(v, (b, 1, 8, 8), &Device::Cpu).unwrap()
}

fn build(spec: &ModelSpec, seed: u64) -> Classifier {
    Classifier::new(spec, DIGITS, 10, seed, &Device::Cpu).unwrap()
}

fn logits(m: &Classifier) -> Vec<Vec<f32>> {
    m.forward_t(&images(4), false).unwrap().to_vec2().unwrap()
}

fn cnn_bn() -> ModelSpec {
    ModelSpec::PlainCnn {
        channels: vec![4, 8],
        pool_every: 1,
        batch_norm: true,
        hidden: vec![16],
        dropout: 0.0,
    }
}

#[test]
fn save_then_load_into_a_fresh_model_gives_the_same_outputs() {
    let dir = tempfile::tempdir().unwrap();
    for spec in [
        ModelSpec::Mlp {
            hidden: vec![12],
            dropout: 0.0,
        },
        cnn_bn(),
        ModelSpec::ResnetCifar { depth: 8 },
    ] {
        let a = build(&spec, 1);
        a.forward_t(&images(6), true).unwrap(); // move the BN running stats off their defaults
        let path = dir.path().join(format!("{}.safetensors", spec.label()));
        a.save(&path).unwrap();
        let mut b = build(&spec, 2);
        assert_ne!(logits(&a), logits(&b));
        b.load(&path).unwrap();
        assert_eq!(logits(&a), logits(&b), "{}", spec.label());
    }
}

#[test]
fn batch_norm_running_stats_are_saved() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cnn.safetensors");
    let m = build(&cnn_bn(), 0);
    m.forward_t(&images(8), true).unwrap();
    m.save(&path).unwrap();
    let file = candle_core::safetensors::load(&path, &Device::Cpu).unwrap();
    let mean = file["bn0.running_mean"].to_vec1::<f32>().unwrap();
    let var = file["bn1.running_var"].to_vec1::<f32>().unwrap();
    assert!(
        mean.iter().any(|&x| x != 0.0),
        "running mean still at its default"
    );
    assert!(
        var.iter().any(|&x| x != 1.0),
        "running var still at its default"
    );
    assert_eq!(file.len(), m.named_vars().len());
}

#[test]
fn wrong_architecture_names_the_tensor_and_both_shapes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mlp.safetensors");
    build(
        &ModelSpec::Mlp {
            hidden: vec![32],
            dropout: 0.0,
        },
        0,
    )
    .save(&path)
    .unwrap();
    let mut other = build(
        &ModelSpec::Mlp {
            hidden: vec![16],
            dropout: 0.0,
        },
        0,
    );
    let before = logits(&other);
    let err = other.load(&path).unwrap_err();
    match &err {
        ModelError::ShapeMismatch {
            name,
            expected,
            found,
            ..
        } => {
            // Checked in name order: `fc0.bias` comes first.
            assert_eq!(name, "fc0.bias");
            assert_eq!(expected, &[16]);
            assert_eq!(found, &[32]);
        }
        e => panic!("unexpected error {e}"),
    }
    let msg = err.to_string();
    assert!(
        msg.contains("fc0.bias") && msg.contains("[16]") && msg.contains("[32]"),
        "{msg}"
    );
    assert!(msg.contains("mlp.safetensors"), "{msg}");
    assert_eq!(
        logits(&other),
        before,
        "a failed load must leave the model unchanged"
    );
}

#[test]
fn missing_and_unexpected_tensors_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let deep = dir.path().join("resnet14.safetensors");
    build(&ModelSpec::ResnetCifar { depth: 14 }, 0)
        .save(&deep)
        .unwrap();
    // Every resnet8 tensor exists in resnet14 with the same shape: the extras must still fail.
    let err = build(&ModelSpec::ResnetCifar { depth: 8 }, 0)
        .load(&deep)
        .unwrap_err();
    assert!(
        matches!(&err, ModelError::UnexpectedTensor { name, .. } if name.starts_with("layer1.1.")),
        "{err}"
    );

    let shallow = dir.path().join("resnet8.safetensors");
    build(&ModelSpec::ResnetCifar { depth: 8 }, 0)
        .save(&shallow)
        .unwrap();
    let err = build(&ModelSpec::ResnetCifar { depth: 14 }, 0)
        .load(&shallow)
        .unwrap_err();
    assert!(
        matches!(&err, ModelError::MissingTensor { name, .. } if name.starts_with("layer1.1.")),
        "{err}"
    );
    assert!(err.to_string().contains("layer1.1."), "{err}");
}

#[test]
fn missing_file_and_garbage_are_errors_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut m = build(
        &ModelSpec::Mlp {
            hidden: vec![4],
            dropout: 0.0,
        },
        0,
    );
    let absent = dir.path().join("absent.safetensors");
    let err = m.load(&absent).unwrap_err();
    assert!(matches!(err, ModelError::Io { .. }));
    assert!(err.to_string().contains("absent.safetensors"), "{err}");

    let garbage = dir.path().join("garbage.safetensors");
    std::fs::write(&garbage, b"this is not a checkpoint").unwrap();
    let err = m.load(&garbage).unwrap_err();
    assert!(matches!(err, ModelError::NotSafetensors { .. }), "{err}");
    assert!(err.to_string().contains("garbage.safetensors"), "{err}");
}

#[test]
fn pytorch_batch_counters_are_ignored_and_f64_is_converted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("torch.safetensors");
    let a = build(&cnn_bn(), 5);
    let mut tensors = std::collections::HashMap::new();
    for (name, var) in a.named_vars() {
        tensors.insert(
            name,
            var.as_tensor().to_dtype(candle_core::DType::F64).unwrap(),
        );
    }
    tensors.insert(
        "bn0.num_batches_tracked".to_string(),
        Tensor::new(3i64, &Device::Cpu).unwrap(),
    );
    candle_core::safetensors::save(&tensors, &path).unwrap();
    let mut b = build(&cnn_bn(), 6);
    b.load(&path).unwrap();
    assert_eq!(logits(&a), logits(&b));
}

#[test]
fn the_same_model_saves_to_the_same_bytes_with_its_architecture_in_the_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let m = build(&cnn_bn(), 0);
    // Each save builds its metadata map anew, with its own random hash order.
    let files: Vec<Vec<u8>> = (0..8)
        .map(|i| {
            let path = dir.path().join(format!("{i}.safetensors"));
            m.save(&path).unwrap();
            std::fs::read(&path).unwrap()
        })
        .collect();
    assert!(files.iter().all(|f| f == &files[0]));
    let meta = mkd_tui::model::read_metadata(&dir.path().join("0.safetensors"))
        .unwrap()
        .unwrap();
    assert_eq!(meta.spec, cnn_bn());
    assert_eq!(meta.num_classes, m.num_classes());
    assert_eq!(meta.input, m.input_shape());
    assert_eq!(meta.provenance, None);
}
