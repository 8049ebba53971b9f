"""Sequence classification: one label per text (sentiment, topic, question type).

Data: (text, label) rows from files or the hub, split by `harness.data.splits` (validation from
the dev split or carved from train by `data_seed`, nested training subsets), the training split
optionally augmented, then tokenized once. Scores: accuracy, macro-F1 and per-example test
probabilities (for seed ensembles); selects on accuracy unless told otherwise.
"""

from __future__ import annotations

import dataclasses
from functools import lru_cache
from typing import Any

import torch
from torch.nn import functional as F

from harness.data import encode_splits, make_splits, read_dataset
from harness.data.batching import EncodedSplit
from harness.data.sources import RawSplits
from harness.errors import ConfigError
from harness.losses import LossFn
from harness.metrics import accuracy, macro_f1
from harness.models.classifier import Classifier
from harness.specs import DataSpec
from harness.tasks._base import Augment, Evaluation, Metrics, Task, TaskData, TaskParts, eval_logits

__all__ = ["classification_data", "evaluate_classes", "parts", "task"]

METRICS = ("accuracy", "macro_f1")


@lru_cache(maxsize=4)
def _raw(data: DataSpec) -> RawSplits:
    return read_dataset(data)


def classification_data(data: DataSpec, tokenizer: Any, augment: Augment) -> TaskData:
    """Texts (or pairs) + labels: split, augment the training split, encode."""
    splits = make_splits(_raw(data), data)
    extra_texts, extra_labels = augment(splits.train_texts, splits.train_labels)
    if extra_texts:  # training split only; val/test untouched
        splits = dataclasses.replace(
            splits,
            train_texts=[*splits.train_texts, *extra_texts],
            train_labels=[*splits.train_labels, *extra_labels],
        )
    names = splits.label_names
    encoded = encode_splits(tokenizer, splits, data.max_length)
    return TaskData(
        splits=encoded,
        label_names=names,
        class_counts=[splits.train_labels.count(i) for i in range(len(names))],
        head_outputs=len(names),
        test_size=len(encoded["test"]),
        augmented_count=len(extra_texts),
    )


@torch.inference_mode()  # no autograd bookkeeping at all: cheaper than no_grad
def evaluate_classes(model: Classifier, split: EncodedSplit, ev: Evaluation, n: int) -> Metrics:
    """Accuracy, macro-F1, mean cross-entropy and per-example probabilities on a split."""
    probs = torch.zeros(len(split), n, device=ev.device)
    preds, labels, loss_sum = [], [], torch.zeros((), device=ev.device)
    for b, logits in eval_logits(model, split, ev):
        loss_sum += F.cross_entropy(logits, b.labels, reduction="sum")
        probs[b.index] = logits.softmax(-1)
        preds.append(logits.argmax(-1))
        labels.append(b.labels)
    p, y = torch.cat(preds).cpu(), torch.cat(labels).cpu()
    return {
        "accuracy": accuracy(p, y),
        "macro_f1": macro_f1(p, y, n),
        "loss": float(loss_sum) / len(split),
        "probs": probs.cpu(),  # [N, labels] in the split's own order (for ensembling)
    }


def _correct(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    return (logits.detach().argmax(-1) == labels).sum()


def parts(loss: LossFn, data: TaskData, ev: Evaluation, spec: DataSpec) -> TaskParts:
    """The loss option as is on [B, C] logits; class scores on a split."""
    n = data.head_outputs

    def evaluate(model: Classifier, split: EncodedSplit) -> Metrics:
        return evaluate_classes(model, split, ev, n)

    return TaskParts(loss=loss, evaluate=evaluate, train_correct=_correct, metrics=METRICS)


def _single_texts(d: dict[str, Any]) -> None:
    if d.get("text_pair_column"):
        raise ConfigError(
            "dataset.text_pair_column",
            "names a second text: that is the sentence_pair_classification task",
            ["null"],
        )


def task() -> Task:
    return Task(
        name="sequence_classification",
        head_kind="pooled",
        default_head="linear",
        metrics=METRICS,
        selection_metrics=METRICS,
        read=classification_data,
        parts=parts,
        augmentable=True,
        check=_single_texts,
    )
