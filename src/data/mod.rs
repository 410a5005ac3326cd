//! Datasets: readers (IDX, CIFAR binary, digits CSV), the validation split, normalisation, batches.

mod batch_source;
mod shape;

pub use batch_source::BatchSource;
pub use shape::ImageShape;
