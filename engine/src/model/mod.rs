//! Image classifiers: architecture specs, seeded initialisation, parameter and MAC counts,
//! safetensors checkpoints.

#![warn(missing_docs)]

pub(crate) mod backend;
mod batch_norm;
mod checkpoint;
mod classifier;
mod conv;
mod conv_op;
mod conv_relu_pool;
mod cost;
mod cpu_slice;
mod dropout;
mod error;
mod gemm;
mod generic;
mod im2col;
mod init;
mod label;
mod max_pool;
mod metadata;
mod mlp;
mod mlp_tape;
pub(crate) mod par;
mod plain_cnn;
mod relu;
mod resnet_cifar;
// `spec.rs` is a shared contract whose fields carry no docs; it is not linted here.
#[allow(missing_docs)]
mod spec;
mod validate;

pub use backend::{generic_test_device, with_generic_ops};
pub use checkpoint::{read_metadata, write_safetensors};
pub use classifier::{Classifier, TrainingPass};
pub(crate) use cpu_slice::contiguous_f32;
pub use dropout::Dropout;
pub use error::ModelError;
pub use metadata::{CheckpointMeta, Provenance};
pub use spec::ModelSpec;
