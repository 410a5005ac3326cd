//! What one arm trains on in one epoch: the training split, seen through that epoch's augmentation
//! when the preset asks for it, and the model's dropout masks reseeded for the epoch. Stages and
//! planner probes share it, so every arm of a stage (and every probe) draws the same shifts and
//! masks, and a resumed run draws the ones an uninterrupted run would.

use crate::data::{AugmentedSplit, BatchSource, Dataset};
use crate::model::Classifier;
use crate::preset::Preset;
use crate::seed::{self, purpose};

/// The training batches of one epoch.
pub struct EpochInputs<'a> {
    data: &'a Dataset,
    augmented: Option<AugmentedSplit<'a>>,
}

impl<'a> EpochInputs<'a> {
    /// Reseeds `model`'s dropout and builds the epoch's training source, both from the preset's
    /// seed, the seed slot (`slot`: a stage's, or the probes') and the 0-based `epoch`.
    pub fn prepare(
        model: &Classifier,
        preset: &Preset,
        data: &'a Dataset,
        slot: u64,
        epoch: usize,
    ) -> EpochInputs<'a> {
        let epoch = epoch as u64;
        model.reseed_dropout(seed::derive(preset.seed, &[purpose::DROPOUT, slot, epoch]));
        let augment = preset.data.augment;
        let augmented = augment.is_on().then(|| {
            AugmentedSplit::new(
                &data.train,
                augment,
                seed::derive(preset.seed, &[purpose::AUGMENT, slot, epoch]),
                data.background(),
            )
        });
        EpochInputs { data, augmented }
    }

    /// The batches to train on: augmented, or the training split itself.
    pub fn source(&self) -> &dyn BatchSource {
        match &self.augmented {
            Some(a) => a,
            None => &self.data.train,
        }
    }
}
