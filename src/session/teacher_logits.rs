//! The teacher-logit caches of one stage: one [`LogitCache`] per teacher model, filled on first use.

use std::time::Instant;

use crate::data::Split;
use crate::model::Classifier;
use crate::train::LogitCache;

/// Examples per batch while filling a cache (eval mode keeps no graph, so larger than training).
const FILL_BATCH: usize = 1000;

/// The caches of a stage, keyed by the teacher's address: the teachers outlive the stage and do
/// not move while it runs.
pub struct TeacherLogits {
    enabled: bool,
    caches: Vec<(usize, LogitCache)>,
}

/// A cache just filled: what it cost.
pub struct Filled {
    pub examples: u64,
    pub seconds: f64,
}

impl TeacherLogits {
    /// Caches are used when `enabled` (the preset's `distill.logit_cache`) and the inputs are not
    /// augmented (`augmented`: a teacher then sees different images every epoch, so its logits
    /// cannot be cached and it runs per batch).
    pub fn new(enabled: bool, augmented: bool) -> TeacherLogits {
        TeacherLogits {
            enabled: enabled && !augmented,
            caches: Vec::new(),
        }
    }

    /// The cache of `teacher` over `train` (`None` when caching is off), filling it first if this
    /// is its first use; the fill's cost comes back with it.
    pub fn get(
        &mut self,
        teacher: &Classifier,
        train: &Split,
    ) -> candle_core::Result<Option<(&LogitCache, Option<Filled>)>> {
        if !self.enabled {
            return Ok(None);
        }
        let key = teacher as *const Classifier as usize;
        let mut filled = None;
        let at = match self.caches.iter().position(|(k, _)| *k == key) {
            Some(at) => at,
            None => {
                let started = Instant::now();
                let cache = LogitCache::build(teacher, train, FILL_BATCH)?;
                filled = Some(Filled {
                    examples: cache.len() as u64,
                    seconds: started.elapsed().as_secs_f64(),
                });
                self.caches.push((key, cache));
                self.caches.len() - 1
            }
        };
        Ok(Some((&self.caches[at].1, filled)))
    }
}
