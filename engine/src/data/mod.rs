//! Datasets: readers (IDX, CIFAR binary, digits CSV), the validation split, normalisation, batches.
//!
//! [`load`] turns a [`DataConfig`](crate::preset::DataConfig) into a [`Dataset`] of three
//! normalised [`Split`]s; each split is a [`BatchSource`] for the training loop, which orders each
//! epoch with [`epoch_order`]. The readers are public so that tests can check them on small files.

pub mod augment;
mod batch;
mod batch_source;
pub mod cifar;
mod class_names;
mod dataset;
pub mod digits_csv;
mod error;
pub mod file_bytes;
mod fingerprint;
pub mod idx;
mod layout;
mod loader;
pub mod normalise;
mod order;
pub mod raw;
mod shape;
pub mod split;

pub use augment::{Augment, AugmentedSplit};
pub use batch_source::BatchSource;
pub use class_names::{class_names, pixel_max};
pub use dataset::{Dataset, Split};
pub use error::DataError;
pub use fingerprint::fingerprint;
pub use loader::load;
pub use order::epoch_order;
pub use raw::RawImages;
pub use shape::ImageShape;
pub use split::SplitIndices;
