"""Fine-tuning strategies. Each module has one entry point, `apply(model, **params)`, that
decides which parameters train (sets `requires_grad`); `conf/strategy/<name>.yaml` points at it.
The head always trains."""

from harness.strategies._base import freeze_all, trainable_names

__all__ = ["freeze_all", "trainable_names"]
