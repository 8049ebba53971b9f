"""Bad input the harness must refuse before training, with the message a user sees (not a test
module: tests/test_config.py checks the ConfigError, tests/test_cli.py the CLI's stderr + exit)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from datafiles import local_with, write_local

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
        r"no such key in strategy=top_k \(allowed: k\)",
    ),
    BadInput(  # DoRA is its own option, or a PEFT LoRA option: the message names both
        "dora-on-lora",
        lambda _: ["strategy=lora", "strategy.use_dora=true"],
        "strategy.use_dora",
        r"no such key in strategy=lora; use strategy=dora, or strategy=peft "
        r"strategy.use_dora=true \(allowed: r, alpha, lora_dropout, target_modules, head_lr\)",
    ),
    BadInput(  # added with +, not an argument of the strategy: refused before anything runs
        "added-key-the-strategy-does-not-take",
        lambda _: ["strategy=lora", "+strategy.x=1"],
        "strategy.x",
        r"strategy=lora does not take it: remove it \(allowed: r, alpha,",
    ),
    BadInput(
        "max-steps-below-min-steps",
        lambda _: ["train.max_steps=20", "train.min_steps=60"],
        "train.max_steps",
        r"20 is below train.min_steps \(60\): pass train.min_steps=20 \(or less\) with it",
    ),
    BadInput(
        "train-size-larger-than-data",
        lambda _: ["dataset.train_size=20000"],
        "dataset.train_size",
        r"20000 is larger than the data: the pool has 6920 rows \(allowed: 1\.\.6920\)",
    ),
    BadInput(
        "val-size-beyond-the-dev-split",
        lambda _: ["dataset.val_size=1000"],
        "dataset.val_size",
        r"1000 is larger than the dev split \(dataset.val_path\), which has 872 rows "
        r"\(allowed: 1\.\.872\)",
    ),
    BadInput(  # trec has no dev split: validation is carved from its 5,452 training rows
        "val-size-takes-the-whole-pool",
        lambda _: ["dataset=trec", "dataset.val_size=5452"],
        "dataset.val_size",
        r"5452 leaves nothing to train on: the pool has 5452 rows \(allowed: 1\.\.5451\)",
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
        "empty-text",
        lambda tmp: local_with(tmp, "train_path", "train.csv", "text,label\ngood,pos\n,neg\n"),
        "dataset.train_path",
        r".*train.csv: row 2: column 'text' is empty",
    ),
    BadInput(
        "header-but-no-rows",
        lambda tmp: local_with(tmp, "test_path", "test.csv", "text,label\n"),
        "dataset.test_path",
        r".*test.csv has no rows",
    ),
    BadInput(
        "numeric-labels-in-one-split-text-in-another",
        lambda tmp: local_with(tmp, "test_path", "test.csv", "text,label\ngreat,1\nawful,0\n"),
        "dataset.label_column",
        r"labels are numbers in .*test.csv \(0, 1\) but text in .*train.csv \(neg, pos\)",
    ),
    BadInput(
        "missing-pair-column",
        lambda tmp: [*write_local(tmp / "pairs", "csv"), "dataset.text_pair_column=sentence2"],
        "dataset.text_pair_column",
        r"column 'sentence2' not found in dataset.train_path \(allowed: text, label\)",
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
