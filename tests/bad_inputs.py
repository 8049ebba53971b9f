"""Bad input the harness must refuse before training, with the message a user sees (not a test
module: tests/test_config.py checks the ConfigError, tests/test_cli.py the CLI's stderr + exit)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from datafiles import write_local

from harness.paths import conf_dir

__all__ = ["BAD_INPUTS", "BadInput"]


@dataclass(frozen=True)
class BadInput:
    id: str
    overrides: Callable[[Path], list[str]]  # tmp_path -> overrides on top of the tiny trial's
    key: str  # the config key the message names first
    message: str  # regex the message must match (after "<key>: ")
    needs_no_gpu: bool = False


STRATEGIES = ", ".join(sorted(p.stem for p in (conf_dir() / "strategy").glob("*.yaml")))

BAD_INPUTS = [
    BadInput(
        "unknown-option",
        lambda _: ["strategy=nope"],
        "strategy",
        rf"unknown option 'nope' \(allowed: {STRATEGIES}\)",
    ),
    BadInput(
        "typo-key",
        lambda _: ["strategy=top_k", "strategy.kk=2"],
        "strategy.kk",
        "no such key in 'strategy'",
    ),
    BadInput(
        "train-size-larger-than-data",
        lambda _: ["dataset.train_size=20000"],
        "dataset.train_size",
        r"20000 is larger than the data: the pool has 10000 rows, 32 of which are carved for "
        r"validation \(allowed: 1\.\.9968\)",
    ),
    BadInput(
        "val-size-takes-the-whole-pool",
        lambda _: ["dataset.val_size=10000"],
        "dataset.val_size",
        r"10000 leaves nothing to train on: the pool has 10000 rows \(allowed: 1\.\.9999\)",
    ),
    BadInput(  # the tiny model has 128 positions: a longer text would index past them
        "max-length-beyond-positions",
        lambda _: ["dataset.max_length=256"],
        "dataset.max_length",
        r"256 exceeds the 128 positions of .* \(allowed: 1\.\.128\)",
    ),
    BadInput(
        "top-k-larger-than-layers",
        lambda _: ["strategy=top_k", "strategy.k=3"],
        "strategy.k",
        r"3 is out of range .* \(allowed: 1\.\.2\)",
    ),
    BadInput("zero-lr", lambda _: ["optimizer.lr=0"], "optimizer.lr", "must be > 0, got 0"),
    BadInput(
        "negative-lr", lambda _: ["optimizer.lr=-0.001"], "optimizer.lr", "must be > 0, got -0.001"
    ),
    BadInput("zero-epochs", lambda _: ["train.epochs=0"], "train.epochs", "must be > 0, got 0"),
    BadInput(
        "zero-cache-users", lambda _: ["train.cache_users=0"], "train.cache_users", "must be > 0"
    ),
    BadInput(
        "word-eval-batch",
        lambda _: ["train.eval_batch_size=big"],
        "train.eval_batch_size",
        "must be a whole number, got 'big'",
    ),
    BadInput(
        "missing-data-file",
        lambda tmp: [
            "dataset=local",
            f"dataset.train_path={tmp / 'no-such.tsv'}",
            f"dataset.test_path={tmp / 'no-such-test.tsv'}",
        ],
        "dataset.train_path",
        "data file not found: .*no-such.tsv",
    ),
    BadInput(
        "unseen-test-label",
        lambda tmp: write_local(tmp / "unseen", test_labels=("pos", "neg", "meh")),
        "dataset.label_column (test split)",
        r"label values \['meh'\] do not occur in the training data \(allowed: neg, pos\)",
    ),
    BadInput(
        "unknown-model-path",
        lambda tmp: ["model=hub", f"model.name_or_path={tmp / 'no-such-model'}"],
        "model.name_or_path",
        "cannot load a tokenizer from .*no-such-model",
    ),
    BadInput(
        "hub-model-without-path", lambda _: ["model=hub"], "model.name_or_path", "is required"
    ),
    BadInput(
        "cuda-without-gpu",
        lambda _: ["device=cuda"],
        "device",
        r"cuda was requested but no CUDA device is visible \(allowed: auto, cpu\)",
        needs_no_gpu=True,
    ),
]
