"""Experiment-sweep benchmarking harness: full vs partial fine-tuning, measured."""

from harness.errors import ConfigError

__version__ = "0.1.0"
__all__ = ["ConfigError", "__version__"]
