//! Image classifiers: architecture specs, seeded initialisation, parameter and MAC counts,
//! safetensors checkpoints.

mod checkpoint;
mod classifier;
mod cost;
mod error;
mod init;
mod label;
mod mlp;
mod plain_cnn;
mod resnet_cifar;
mod spec;
mod validate;

pub use classifier::Classifier;
pub use error::ModelError;
pub use spec::ModelSpec;
