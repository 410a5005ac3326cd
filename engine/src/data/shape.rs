//! The shape of one image.

use serde::{Deserialize, Serialize};

/// Channels × height × width of one image (NCHW order in every tensor).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageShape {
    pub channels: usize,
    pub height: usize,
    pub width: usize,
}

impl ImageShape {
    /// Values in one image: `channels · height · width`.
    pub fn numel(&self) -> usize {
        self.channels * self.height * self.width
    }
}
