"""A trained trial's outcome, measured once on the selected weights: test and train metrics
(the overfitting gap), per-example test probabilities for seed ensembles, and drift from the
pretrained model. The task's metric names and evaluation come in as `TaskParts`."""

from __future__ import annotations

from typing import Any

import torch

from harness.config import TrialSpec
from harness.data.batching import EncodedSplit
from harness.drift import param_drift, repr_cka
from harness.models import Classifier
from harness.models.loading import pretrained_encoder
from harness.tasks import TaskParts
from harness.train import LoopResult
from harness.trust import record_flags

__all__ = ["final_metrics"]


def final_metrics(
    spec: TrialSpec,
    model: Classifier,
    data: dict[str, EncodedSplit],
    loop: LoopResult,
    task: TaskParts,
    rec: dict[str, Any],
    vocab_size: int,
    device: torch.device,
) -> None:
    """The selected state, evaluated once: train (for the overfitting gap), test, drift — unless
    the trial only selects, as a search trial does: it never looks at test, and nothing reads
    its overfitting gap (skipping the train split saves a forward pass over every example);
    then the trial's trust flags."""
    best = loop.best or {}
    rec.update(best_epoch=best.get("epoch"), val_loss=best.get("val_loss"))
    for k in task.metrics:
        rec[f"val_{k}"] = best.get(f"val_{k}")
    if spec.train.test_eval:
        train_eval = task.evaluate(model, data["train"])
        rec["train_loss"] = train_eval["loss"]
        rec.update({f"train_{k}": train_eval[k] for k in task.metrics})
        gap = task.metrics[0]  # accuracy for classification tasks, f1 for QA
        if rec[f"val_{gap}"] is not None:
            rec["overfit_gap"] = rec[f"train_{gap}"] - rec[f"val_{gap}"]
        _test_and_drift(spec, model, data["test"], task, rec, vocab_size, device)
    rec["flags"] = record_flags(rec, len(rec.get("label_names") or []), rec.get("test_labels"))


def _test_and_drift(
    spec: TrialSpec,
    model: Classifier,
    split: EncodedSplit,
    task: TaskParts,
    rec: dict[str, Any],
    vocab_size: int,
    device: torch.device,
) -> None:
    """The restored best weights on the test split, once; drift from the pretrained model."""
    test = task.evaluate(model, split)
    if "probs" in test:  # class tasks: per-example probabilities for seed ensembles
        rec["test_probs"] = [[round(float(p), 5) for p in row] for row in test["probs"]]
        rec["test_labels"] = split.labels.tolist()
    rec.update({f"test_{k}": test[k] for k in (*task.metrics, "loss")})
    if spec.train.drift_examples > 0:
        # anything besides the head (encoder weights, a soft prompt) can move the representations
        encoder_trains = any(
            p.requires_grad for n, p in model.named_parameters() if not n.startswith("head.")
        )
        base = pretrained_encoder(spec.model, vocab_size)
        rec["param_drift"] = param_drift(model, base) if encoder_trains else 0.0
        rec["repr_cka"] = (
            repr_cka(
                model,
                base,
                split,
                spec.train.drift_examples,
                device,
                base_key=f"{spec.model.key}|{vocab_size}",
            )
            if encoder_trains
            else 1.0
        )
