//! The teacher-logit caches of one stage: one [`LogitCache`] per teacher model, filled on first use.

use std::time::Instant;

use crate::data::Split;
use crate::error::Result;
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

    /// Fills the cache of `teacher` over `train` unless caching is off or it is filled already;
    /// returns what a fill cost.
    pub fn fill(
        &mut self,
        teacher: &Classifier,
        train: &Split,
    ) -> candle_core::Result<Option<Filled>> {
        if !self.enabled || self.cached(teacher).is_some() {
            return Ok(None);
        }
        let started = Instant::now();
        let cache = LogitCache::build(teacher, train, FILL_BATCH)?;
        let filled = Filled {
            examples: cache.len() as u64,
            seconds: started.elapsed().as_secs_f64(),
        };
        self.caches.push((key(teacher), cache));
        Ok(Some(filled))
    }

    /// [`fill`](Self::fill) for every `(teacher, name)`; `filled(name, cost)` is told of each
    /// fill (its error stops the rest). Returns the total cost.
    pub fn fill_all(
        &mut self,
        teachers: &[(&Classifier, String)],
        train: &Split,
        mut filled: impl FnMut(&str, &Filled) -> Result<()>,
    ) -> Result<Filled> {
        let mut total = Filled {
            examples: 0,
            seconds: 0.0,
        };
        for (teacher, name) in teachers {
            if let Some(f) = self.fill(teacher, train)? {
                filled(name, &f)?;
                total.examples += f.examples;
                total.seconds += f.seconds;
            }
        }
        Ok(total)
    }

    /// The filled cache of `teacher`, if any.
    pub fn cached(&self, teacher: &Classifier) -> Option<&LogitCache> {
        let k = key(teacher);
        self.caches.iter().find(|(c, _)| *c == k).map(|(_, c)| c)
    }
}

fn key(teacher: &Classifier) -> usize {
    teacher as *const Classifier as usize
}
