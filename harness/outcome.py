"""A trained trial's outcome, measured once on the selected weights: test and train metrics
(the overfitting gap), per-example test probabilities for seed ensembles, and drift from the
pretrained model."""

from __future__ import annotations

from typing import Any

from harness.cache import PrefixCache
from harness.config import TrialSpec
from harness.data.batching import EncodedSplit
from harness.drift import param_drift, repr_cka
from harness.models import Classifier
from harness.models.loading import pretrained_encoder
from harness.train import LoopResult, LoopSpec, evaluate
from harness.trust import record_flags

__all__ = ["final_metrics"]

ENTITY = ("entity_precision", "entity_recall", "entity_f1")


def final_metrics(
    spec: TrialSpec,
    model: Classifier,
    data: dict[str, EncodedSplit],
    caches: dict[str, PrefixCache] | None,
    loop: LoopResult,
    loop_spec: LoopSpec,
    rec: dict[str, Any],
    vocab_size: int,
) -> None:
    """The selected state, evaluated once: train (for the overfitting gap), test (unless the
    trial only selects, as a search trial does), drift; then the trial's trust flags."""
    best = loop.best or {}
    train_eval = evaluate(model, data["train"], (caches or {}).get("train"), loop_spec)
    rec.update(
        best_epoch=best.get("epoch"), val_accuracy=best.get("val_accuracy"), val_macro_f1=best.get("val_macro_f1"),
        val_loss=best.get("val_loss"), train_accuracy=train_eval["accuracy"], train_loss=train_eval["loss"],
    )  # fmt: skip
    for k in ENTITY:  # token tasks
        if k in train_eval:
            rec.update({f"val_{k}": best.get(f"val_{k}"), f"train_{k}": train_eval[k]})
    if rec["val_accuracy"] is not None:
        rec["overfit_gap"] = rec["train_accuracy"] - rec["val_accuracy"]
    test_labels = None
    if spec.train.test_eval:  # search trials select on validation and never look at test
        test_cache = (caches or {}).get("test")
        _test_and_drift(spec, model, data["test"], test_cache, loop_spec, rec, vocab_size)
        if spec.data.task != "token_classification":
            test_labels = data["test"].labels.tolist()
    rec["flags"] = record_flags(rec, loop_spec.num_labels, test_labels)


def _test_and_drift(
    spec: TrialSpec, model: Classifier, split: EncodedSplit, cache: PrefixCache | None,
    loop_spec: LoopSpec, rec: dict[str, Any], vocab_size: int,
) -> None:  # fmt: skip
    """The restored best weights on the test split, once; drift from the pretrained model."""
    test = evaluate(model, split, cache, loop_spec)
    if "probs" in test:  # sequence tasks: per-example probabilities for seed ensembles
        rec["test_probs"] = [[round(float(p), 5) for p in row] for row in test["probs"]]
        rec["test_labels"] = split.labels.tolist()
    rec.update({f"test_{k}": test[k] for k in ENTITY if k in test})
    rec.update(
        test_accuracy=test["accuracy"], test_macro_f1=test["macro_f1"], test_loss=test["loss"]
    )
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
                loop_spec.device,
                base_key=f"{spec.model.key}|{vocab_size}",
            )
            if encoder_trains
            else 1.0
        )
