//! Per-channel normalisation: pixels scaled to [0, 1], then `(x - mean) / std` with statistics of the
//! training part only (so validation and test never leak into the inputs).

use super::raw::RawImages;

/// Smallest standard deviation used, so a constant channel maps to 0 instead of NaN.
pub const STD_FLOOR: f32 = 1e-6;

/// Per-channel statistics and the u8 → f32 tables that apply them.
#[derive(Debug, Clone)]
pub struct Normaliser {
    /// Mean of each channel over the fitted images, in [0, 1] units.
    pub mean: Vec<f32>,
    /// Population standard deviation (divided by N) of each channel, in [0, 1] units, ≥ [`STD_FLOOR`].
    pub std: Vec<f32>,
    /// For each channel, the normalised value of every possible u8 pixel: pixels are integers, so a
    /// 256-entry table is exact and avoids arithmetic per pixel.
    tables: Vec<[f32; 256]>,
}

impl Normaliser {
    /// Fit on the images `indices` of `raw`, whose pixels run `0..=max_value` (255 or 16).
    ///
    /// Exact: counts each pixel value per channel, then takes mean and variance of the histogram in f64.
    /// With no images, mean 0 and std 1 (identity after scaling).
    pub fn fit(raw: &RawImages, indices: &[usize], max_value: u8) -> Normaliser {
        let channels = raw.shape.channels;
        let plane = raw.shape.height * raw.shape.width;
        let mut hist = vec![[0u64; 256]; channels];
        for &i in indices {
            let image = raw.image(i);
            for (c, h) in hist.iter_mut().enumerate() {
                for &p in &image[c * plane..(c + 1) * plane] {
                    h[p as usize] += 1;
                }
            }
        }
        let scale = 1.0 / f64::from(max_value.max(1));
        let n = (indices.len() * plane) as f64;
        let mut mean = Vec::with_capacity(channels);
        let mut std = Vec::with_capacity(channels);
        for h in &hist {
            if n == 0.0 {
                mean.push(0.0);
                std.push(1.0);
                continue;
            }
            let m = weighted_sum(h, |v| v * scale) / n;
            let var = weighted_sum(h, |v| (v * scale - m).powi(2)) / n;
            mean.push(m as f32);
            std.push((var.sqrt() as f32).max(STD_FLOOR));
        }
        Normaliser::new(mean, std, max_value)
    }

    /// A normaliser with given per-channel `mean` and `std` (in [0, 1] units; std floored at
    /// [`STD_FLOOR`]) for pixels `0..=max_value`. Panics when the lengths differ.
    pub fn new(mean: Vec<f32>, std: Vec<f32>, max_value: u8) -> Normaliser {
        assert_eq!(mean.len(), std.len(), "one mean and one std per channel");
        let std: Vec<f32> = std.into_iter().map(|s| s.max(STD_FLOOR)).collect();
        let scale = 1.0 / f64::from(max_value.max(1));
        let tables = mean
            .iter()
            .zip(&std)
            .map(|(&m, &s)| {
                let mut t = [0f32; 256];
                for (v, out) in t.iter_mut().enumerate() {
                    *out = ((v as f64 * scale - f64::from(m)) / f64::from(s)) as f32;
                }
                t
            })
            .collect();
        Normaliser { mean, std, tables }
    }

    /// The normalised images `indices` of `raw`, in that order: `indices.len() · C · H · W` values,
    /// NCHW. Panics when the channel count differs from the fitted one or an index is out of range.
    pub fn apply(&self, raw: &RawImages, indices: &[usize]) -> Vec<f32> {
        assert_eq!(raw.shape.channels, self.tables.len(), "channel count");
        let plane = raw.shape.height * raw.shape.width;
        let mut out = vec![0f32; indices.len() * raw.shape.numel()];
        for (dst, &i) in out.chunks_exact_mut(raw.shape.numel()).zip(indices) {
            let image = raw.image(i);
            for (c, table) in self.tables.iter().enumerate() {
                let src = &image[c * plane..(c + 1) * plane];
                for (o, &p) in dst[c * plane..(c + 1) * plane].iter_mut().zip(src) {
                    *o = table[p as usize];
                }
            }
        }
        out
    }
}

/// `Σ_v count[v] · f(v)` over the 256 pixel values.
fn weighted_sum(hist: &[u64; 256], f: impl Fn(f64) -> f64) -> f64 {
    hist.iter()
        .enumerate()
        .filter(|(_, &c)| c > 0)
        .map(|(v, &c)| c as f64 * f(v as f64))
        .sum()
}
