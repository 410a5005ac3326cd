//! Image classifiers: architecture specs, seeded initialisation, parameter and MAC counts.

mod spec;

pub use spec::ModelSpec;
