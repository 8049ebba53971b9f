"""Models: a pretrained (or tiny random) backbone of any Hugging Face family + a head."""

from harness.models.classifier import Classifier
from harness.models.heads import LinearHead, MLPHead
from harness.models.loading import load_encoder, load_tokenizer

__all__ = ["Classifier", "LinearHead", "MLPHead", "load_encoder", "load_tokenizer"]
