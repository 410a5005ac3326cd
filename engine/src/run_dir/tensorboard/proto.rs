//! The protobuf messages of a TensorBoard event file, as `prost` structs (no protoc needed).
//!
//! Field numbers from TensorFlow's `tensorflow/core/util/event.proto`,
//! `tensorflow/core/framework/summary.proto`, `tensor.proto`, `tensor_shape.proto` and
//! `types.proto` (also vendored in TensorBoard as `tensorboard/compat/proto/`). Only the fields
//! written here are declared; a reader skips the rest.

/// One record of an event file: the file version (first record) or a summary at a step.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Event {
    /// Seconds since the Unix epoch.
    #[prost(double, tag = "1")]
    pub wall_time: f64,
    /// The x of every value in `summary` (the epoch here).
    #[prost(int64, tag = "2")]
    pub step: i64,
    /// `brain.Event:2` in the first record of a file (TensorBoard then purges data only after a
    /// logged restart, not when steps go back).
    #[prost(string, optional, tag = "3")]
    pub file_version: Option<String>,
    /// The values at `step`.
    #[prost(message, optional, tag = "5")]
    pub summary: Option<Summary>,
}

/// The values written at one step.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Summary {
    /// One per tag.
    #[prost(message, repeated, tag = "1")]
    pub value: Vec<SummaryValue>,
}

/// One tagged value: a scalar (`simple_value`) or a tensor with plugin metadata (text).
#[derive(Clone, PartialEq, prost::Message)]
pub struct SummaryValue {
    /// The chart's name (`val_acc`, …).
    #[prost(string, tag = "1")]
    pub tag: String,
    /// A scalar, f32 as TensorBoard stores it.
    #[prost(float, optional, tag = "2")]
    pub simple_value: Option<f32>,
    /// The value of a non-scalar summary (a string tensor for text).
    #[prost(message, optional, tag = "8")]
    pub tensor: Option<TensorProto>,
    /// Which TensorBoard plugin shows `tensor` (`text`).
    #[prost(message, optional, tag = "9")]
    pub metadata: Option<SummaryMetadata>,
}

/// Names the plugin that reads a tensor summary.
#[derive(Clone, PartialEq, prost::Message)]
pub struct SummaryMetadata {
    /// The plugin (`text`) and its own data (empty for text).
    #[prost(message, optional, tag = "1")]
    pub plugin_data: Option<PluginData>,
}

/// A plugin name and its opaque content.
#[derive(Clone, PartialEq, prost::Message)]
pub struct PluginData {
    /// `text` for text summaries.
    #[prost(string, tag = "1")]
    pub plugin_name: String,
    /// Plugin-specific bytes (empty for text).
    #[prost(bytes = "vec", tag = "2")]
    pub content: Vec<u8>,
}

/// A tensor; only string tensors (text) are written here.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TensorProto {
    /// `DataType` enum value: [`DT_STRING`] for text.
    #[prost(int32, tag = "1")]
    pub dtype: i32,
    /// Dimensions; none for a scalar.
    #[prost(message, optional, tag = "2")]
    pub tensor_shape: Option<TensorShapeProto>,
    /// The strings, UTF-8.
    #[prost(bytes = "vec", repeated, tag = "8")]
    pub string_val: Vec<Vec<u8>>,
}

/// The shape of a [`TensorProto`].
#[derive(Clone, PartialEq, prost::Message)]
pub struct TensorShapeProto {
    /// One per dimension, outermost first.
    #[prost(message, repeated, tag = "2")]
    pub dim: Vec<TensorShapeDim>,
}

/// One dimension of a [`TensorShapeProto`].
#[derive(Clone, PartialEq, prost::Message)]
pub struct TensorShapeDim {
    /// Its size.
    #[prost(int64, tag = "1")]
    pub size: i64,
}

/// `tensorflow.DataType.DT_STRING`.
pub const DT_STRING: i32 = 7;

/// The first record of every event file.
pub const FILE_VERSION: &str = "brain.Event:2";
