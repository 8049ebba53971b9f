"""The task contract: what the wiring, the loop and the outcome need from a task, and nothing else.

A task (one module per task, `conf/task/<name>.yaml` points `_target_` at its `task()`) says how
it reads its data and makes train/val/test (`read`), which head kind it needs and which head it
picks by default, how a loss option applies to its logits and how it scores a split (`parts`),
its metric names and its selectable metrics. The loop and the outcome only ever call the
`TaskParts` a task returns, so neither knows which task runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import torch

from harness.data.batching import Batch, EncodedSplit, eval_batches
from harness.errors import ConfigError
from harness.losses import LossFn
from harness.models.classifier import Classifier
from harness.runtime import autocast
from harness.specs import DataSpec

__all__ = [
    "Augment",
    "Evaluation",
    "Task",
    "TaskData",
    "TaskParts",
    "eval_logits",
    "no_augmentation",
]

# (texts, labels) -> the extra (texts, labels) an augmentation adds to the training split
Augment = Callable[[list[str], list[int]], tuple[list[str], list[int]]]
Metrics = dict[str, Any]


def no_augmentation(texts: list[str], labels: list[int]) -> tuple[list[str], list[int]]:
    return [], []


@dataclass(frozen=True)
class Evaluation:
    """How evaluation runs forward passes (set by the wiring from the device)."""

    batch_size: int
    device: torch.device
    precision: str


@dataclass(frozen=True)
class TaskData:
    """A task's encoded splits and the facts the wiring records about them."""

    splits: dict[str, EncodedSplit]  # train / val / test
    label_names: list[str]  # class names ([] for span tasks)
    class_counts: list[int]  # per label over the training split (class-weighted losses)
    head_outputs: int  # the head's output size per position / text
    test_size: int  # test examples (questions for QA, not windows)
    augmented_count: int = 0  # examples an augmentation added to the training split


@dataclass(frozen=True)
class TaskParts:
    """What the loop and the outcome call; built by a task for one trial."""

    loss: LossFn  # (logits, labels) -> scalar: the loss option applied to this task's logits
    evaluate: Callable[[Classifier, EncodedSplit], Metrics]  # + "loss"
    # (logits, labels) -> examples counted correct in a training batch (running accuracy)
    train_correct: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
    metrics: tuple[str, ...]  # evaluate's metric keys (besides loss); the first sets overfit_gap


@dataclass(frozen=True)
class Task:
    """One task. `read(data_spec, tokenizer, augment)` -> TaskData; `parts(loss, task_data,
    evaluation, data_spec)` -> TaskParts; `check(dataset_dict)` refuses dataset keys the task
    cannot use (compose time)."""

    name: str
    head_kind: str  # the `kind` of the heads that fit (models.heads)
    default_head: str  # conf/head option picked when the user names none
    metrics: tuple[str, ...]  # recorded as val_/train_/test_<metric>
    selection_metrics: tuple[str, ...]  # selectable; the first is the default
    read: Callable[[DataSpec, Any, Augment], TaskData]
    parts: Callable[[LossFn, TaskData, Evaluation, DataSpec], TaskParts]
    augmentable: bool = False  # sentence augmentation (eda, backtranslation) applies
    unit: str = "texts"  # what one example is, in error messages
    check: Callable[[dict[str, Any]], None] = field(default=lambda d: None)

    def check_augmentation(self, augmentation: str) -> None:
        if augmentation != "none" and not self.augmentable:
            raise ConfigError(
                "augmentation", f"{augmentation!r} edits single texts, not {self.unit}", ["none"]
            )


def eval_logits(
    model: Classifier, split: EncodedSplit, ev: Evaluation
) -> Iterator[tuple[Batch, torch.Tensor]]:
    """(batch, float32 logits) over a split in eval mode, batched by length (callers run this
    under `torch.inference_mode`)."""
    model.eval()
    for batch in eval_batches(split, ev.batch_size, pin=ev.device.type == "cuda"):
        b = batch.to(ev.device)
        with autocast(ev.device, ev.precision):
            logits = model(**b.model_inputs())
        yield b, logits.float()
