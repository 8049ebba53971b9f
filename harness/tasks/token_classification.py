"""Token classification (NER): one BIO tag per word, entity-level scores.

Data: CoNLL folders or hub word/tag lists (`harness.data.conll`), split like every dataset, each
word's tag on its first sub-token (`harness.data.align`; the rest are -100). The loss option sees
just the labelled positions, so every option of the loss group works unchanged; evaluation scores
them as tokens (accuracy, macro-F1 over tags) and decodes BIO entities per sentence (entity P/R/F1,
the default selection metric).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import torch
from torch.nn import functional as F

from harness.data.align import IGNORE, TokenEncodedSplit, encode_token_splits
from harness.data.batching import EncodedSplit
from harness.data.conll import TokenRawSplits, make_token_splits, read_token_dataset
from harness.errors import ConfigError
from harness.losses import LossFn
from harness.metrics import accuracy, macro_f1
from harness.metrics_ner import entity_scores
from harness.models.classifier import Classifier
from harness.specs import CONLL_FILES, DataSpec
from harness.tasks._base import Augment, Evaluation, Metrics, Task, TaskData, TaskParts, eval_logits

__all__ = ["evaluate_tokens", "task", "token_data", "token_loss"]

METRICS = ("accuracy", "macro_f1", "entity_precision", "entity_recall", "entity_f1")


@lru_cache(maxsize=2)
def _raw(data: DataSpec) -> TokenRawSplits:
    return read_token_dataset(data)


def token_data(data: DataSpec, tokenizer: Any, augment: Augment) -> TaskData:
    """Encoded train/val/test, the tag names (`O` first) and tag counts over training words."""
    splits = make_token_splits(_raw(data), data)
    encoded = encode_token_splits(tokenizer, splits, data.max_length)
    counts = [0] * len(splits.label_names)
    for row in splits.train_tags:
        for tag in row:
            counts[tag] += 1
    names = splits.label_names
    return TaskData(encoded, names, counts, len(names), test_size=len(encoded["test"]))


def token_loss(loss_fn: LossFn) -> LossFn:
    """Any sequence-level loss applied to the labelled positions: [B, L, C] -> [T, C]."""

    def loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        keep = labels != IGNORE
        return loss_fn(logits[keep], labels[keep])

    return loss


def _word_tags(split: TokenEncodedSplit, preds: torch.Tensor, names: list[str]) -> list[list[str]]:
    """Predicted tag per word (words cut off by max_length are predicted `O`)."""
    assert split.word_index is not None
    out = []
    for i, gold in enumerate(split.word_tags):
        row = ["O"] * len(gold)
        keep = split.word_index[i] >= 0
        for word, tag in zip(
            split.word_index[i][keep].tolist(), preds[i][keep].tolist(), strict=True
        ):
            row[word] = names[tag]
        out.append(row)
    return out


@torch.inference_mode()  # no autograd bookkeeping at all: cheaper than no_grad
def evaluate_tokens(
    model: Classifier,
    split: EncodedSplit,
    ev: Evaluation,
    label_names: list[str],
) -> Metrics:
    """Token accuracy, macro-F1 over tags, mean token cross-entropy, entity P/R/F1."""
    assert isinstance(split, TokenEncodedSplit), "token tasks evaluate word-aligned splits"
    preds = torch.full_like(split.labels, IGNORE, device=ev.device)
    loss_sum = torch.zeros((), device=ev.device)
    for b, logits in eval_logits(model, split, ev):
        loss_sum += F.cross_entropy(
            logits.flatten(0, 1), b.labels.flatten(), ignore_index=IGNORE, reduction="sum"
        )
        preds[b.index, : logits.shape[1]] = logits.argmax(-1)
    preds = preds.cpu()
    mask = split.labels != IGNORE
    p, y = preds[mask], split.labels[mask]
    gold = [[label_names[t] for t in row] for row in split.word_tags]
    return {
        "accuracy": accuracy(p, y),
        "macro_f1": macro_f1(p, y, len(label_names)),
        "loss": float(loss_sum) / max(int(mask.sum()), 1),
        **entity_scores(gold, _word_tags(split, preds, label_names)),
    }


def _correct(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Share of scored positions right, in examples (so running accuracy is per token)."""
    labelled = (labels != IGNORE).sum().clamp(min=1)
    return (logits.detach().argmax(-1) == labels).sum() * labels.shape[0] / labelled


def parts(loss: LossFn, data: TaskData, ev: Evaluation, spec: DataSpec) -> TaskParts:
    names = list(data.label_names)

    def evaluate(model: Classifier, split: EncodedSplit) -> Metrics:
        return evaluate_tokens(model, split, ev, names)

    return TaskParts(
        loss=token_loss(loss), evaluate=evaluate, train_correct=_correct, metrics=METRICS
    )


def check_token_data(d: dict[str, Any]) -> None:
    """CoNLL files from data_dir, or the hub; the folder and the dev file are checked now.
    Validation is the dev split when named (`val_path` / `val_split`), else carved; sentences are
    single."""
    if d["format"] not in ("conll", "hub"):
        raise ConfigError("dataset.format", f"unknown value {d['format']!r}", ("conll", "hub"))
    if d.get("text_pair_column"):
        raise ConfigError(
            "dataset.text_pair_column", "not supported for token_classification", ["null"]
        )
    if d["format"] == "hub" or (d.get("hub_name") and not d.get("data_dir")):
        return
    if not d.get("data_dir"):
        raise ConfigError(
            "dataset.data_dir", "is required: a folder with " + ", ".join(CONLL_FILES)
        )
    folder = Path(d["data_dir"])
    missing = [f for f in CONLL_FILES if not (folder / f).is_file()]
    if missing:
        raise ConfigError(
            "dataset.data_dir", f"{str(folder)!r} lacks {', '.join(missing)}", CONLL_FILES
        )
    val = d.get("val_path")
    if val and not Path(val).is_file():
        raise ConfigError("dataset.val_path", f"file not found: {val}")
    if val and Path(val).resolve() in {(folder / f).resolve() for f in CONLL_FILES}:
        raise ConfigError(
            "dataset.val_path", f"{val!r} is the training or test file: name the dev file"
        )


def task() -> Task:
    return Task(
        name="token_classification",
        head_kind="per_token",
        default_head="token_linear",
        metrics=METRICS,
        selection_metrics=("entity_f1", "accuracy", "macro_f1"),
        read=token_data,
        parts=parts,
        unit="tagged words",
        check=check_token_data,
    )
