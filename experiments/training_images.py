"""The images each epoch trains on: the originals, the lecture's fixed
rotations, or a fresh random transform of every image (data augmentation).

* ``"rotations"`` (the lecture): every image rotated by each of
  ``config.ROTATION_ANGLES`` and appended to the originals, once, before
  training: 1,500 fixed images from 300;
* ``"shift"``, ``"crop"``, ``"flip"``, ``"random_rotation"``: a new random
  transform of each image at every epoch, drawn from tinynet's global
  generator (so seeded and reproducible).
"""
import tinynet as tn
from tinynet.data import DataLoader, transforms

from .config import ROTATION_ANGLES
from .evaluation import as_model_input


def random_hflip(images, p=0.5):
    """Mirror each image left-right with probability p (like RandomHorizontalFlip).

    For digits this changes what the image shows -- a mirrored 2 or 7 is
    no digit at all -- so it is an augmentation that should hurt.
    """
    flip = tn.random.generator().random(len(images)) < p
    out = images.copy()
    if flip.any():
        out[flip] = transforms.hflip(images[flip])
    return out


RANDOM_AUGMENTATIONS = {
    "shift": lambda images: transforms.random_translation(images, max_shift=2),
    "crop": lambda images: transforms.random_crop(images, size=28, padding=2),
    "flip": random_hflip,
    "random_rotation": lambda images: transforms.random_rotation(images, degrees=30),
}


class TrainingImages:
    """The training images of a run and the DataLoader of each epoch
    (shuffled, drop_last, in [0, 1], of the model's input shape: (batch,
    784) for the MLP, (batch, 1, 28, 28) for the CNN). Augmentations work
    on the (N, 28, 28) images, before that reshape."""

    def __init__(self, config, data):
        self.config = config
        self.images, self.labels = data.train_images, data.train_labels
        if config.augmentation == "rotations":
            self.images, self.labels = transforms.augment_with_rotations(
                self.images, self.labels, angles=ROTATION_ANGLES)
        self.augment = RANDOM_AUGMENTATIONS.get(config.augmentation)
        self.fixed = self._loader(self.images)

    def _loader(self, images):
        return DataLoader(as_model_input(images, self.config), self.labels,
                          batch_size=self.config.batch_size, shuffle=True, drop_last=True)

    def epoch(self):
        """The DataLoader of the next epoch: the fixed one, or one over
        freshly augmented images when the augmentation is random."""
        return self.fixed if self.augment is None else self._loader(self.augment(self.images))
