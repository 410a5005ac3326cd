//! What a model's outputs mean and what its inputs were scaled by, per dataset: written into every
//! checkpoint so that it can be used without this program.

use crate::preset::DatasetKind;

/// Fashion-MNIST's labels 0–9 (Xiao et al. 2017, the dataset's README).
const FASHION: [&str; 10] = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
];

/// CIFAR-10's labels 0–9 (`batches.meta.txt` of the binary version).
const CIFAR10: [&str; 10] = [
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
];

/// CIFAR-100's fine labels 0–99, space-separated (`fine_label_names.txt` of the binary version:
/// alphabetical).
const CIFAR100: &str = "\
    apple aquarium_fish baby bear beaver bed bee beetle bicycle bottle bowl boy bridge bus \
    butterfly camel can castle caterpillar cattle chair chimpanzee clock cloud cockroach couch \
    crab crocodile cup dinosaur dolphin elephant flatfish forest fox girl hamster house \
    kangaroo keyboard lamp lawn_mower leopard lion lizard lobster man maple_tree motorcycle \
    mountain mouse mushroom oak_tree orange orchid otter palm_tree pear pickup_truck pine_tree \
    plain plate poppy porcupine possum rabbit raccoon ray road rocket rose sea seal shark shrew \
    skunk skyscraper snail snake spider squirrel streetcar sunflower sweet_pepper table tank \
    telephone television tiger tractor train trout tulip turtle wardrobe whale willow_tree wolf \
    woman worm";

/// The name of every class of `kind`, label 0 first (digits for MNIST and the 8×8 digits).
pub fn class_names(kind: DatasetKind) -> Vec<String> {
    match kind {
        DatasetKind::FashionMnist => FASHION.iter().map(|s| s.to_string()).collect(),
        DatasetKind::Mnist | DatasetKind::Digits => (0..10).map(|d| d.to_string()).collect(),
        DatasetKind::Cifar10 => CIFAR10.iter().map(|s| s.to_string()).collect(),
        DatasetKind::Cifar100 => CIFAR100.split_whitespace().map(str::to_string).collect(),
    }
}

/// The largest raw pixel value of `kind`: pixels are divided by it before normalisation
/// (16 for the 8×8 digits, 255 otherwise).
pub fn pixel_max(kind: DatasetKind) -> u8 {
    match kind {
        DatasetKind::Digits => super::digits_csv::DIGITS_MAX,
        _ => 255,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_name_per_class_and_no_name_twice() {
        for kind in [
            DatasetKind::FashionMnist,
            DatasetKind::Mnist,
            DatasetKind::Digits,
            DatasetKind::Cifar10,
            DatasetKind::Cifar100,
        ] {
            let names = class_names(kind);
            assert_eq!(names.len(), kind.num_classes(), "{}", kind.as_str());
            let mut sorted = names.clone();
            sorted.sort();
            sorted.dedup();
            assert_eq!(sorted.len(), names.len(), "{}", kind.as_str());
        }
        let mut c100 = class_names(DatasetKind::Cifar100);
        let given = c100.clone();
        c100.sort();
        assert_eq!(c100, given, "CIFAR-100 fine labels are alphabetical");
    }
}
