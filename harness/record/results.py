"""Record fields that a trial measured: metrics of the selected weights, cost, cache, drift."""

from __future__ import annotations

from dataclasses import dataclass

from harness.record.fields import fact

__all__ = ["METRIC_NAMES", "Results"]

M, C, K, R = "Metrics", "Cost", "Frozen-prefix cache", "Drift"

# every task metric the record can carry, as `<split>_<name>` for split in val, test, train
METRIC_NAMES = (
    "accuracy",
    "macro_f1",
    "loss",
    "entity_precision",
    "entity_recall",
    "entity_f1",
    "exact_match",
    "f1",
)

_VAL = "at the selected evaluation (null if none)"
_TEST = (
    "selected weights, evaluated once on the held-out test split (null when "
    "`train.test_eval=false`: sweep search trials never look at test)"
)
_TRAIN = "selected weights, eval mode, on the training split"
_ENTITY = "token classification: entity-level micro {}, exact span + type, conlleval BIO decoding"
_QA = (
    "extractive QA: {} over questions as in the official SQuAD v1.1 evaluation script "
    "(normalized answers, max over gold answers); QA records leave `*_accuracy` null"
)


def _m(doc: str, since: int = 2) -> float | None:
    out: float | None = fact(doc, sink="metric", since=since, section=M)
    return out


@dataclass(kw_only=True)
class Results:
    # -- metrics (fractions in [0, 1]; loss in nats) -------------------------------------------------
    val_accuracy: float | None = _m(f"accuracy {_VAL} (token tasks: over tagged words)", since=1)
    val_macro_f1: float | None = _m(f"macro-F1 over classes {_VAL}", since=1)
    val_loss: float | None = _m(f"mean cross-entropy {_VAL}")
    val_entity_precision: float | None = _m(_ENTITY.format("precision"))
    val_entity_recall: float | None = _m(_ENTITY.format("recall"))
    val_entity_f1: float | None = _m(_ENTITY.format("F1"))
    val_exact_match: float | None = _m(_QA.format("exact match"))
    val_f1: float | None = _m(_QA.format("token F1"))
    test_accuracy: float | None = _m(f"accuracy, {_TEST}", since=1)
    test_macro_f1: float | None = _m(f"macro-F1, {_TEST}", since=1)
    test_loss: float | None = _m(f"mean cross-entropy, {_TEST}")
    test_entity_precision: float | None = _m(_ENTITY.format("precision") + ", test split")
    test_entity_recall: float | None = _m(_ENTITY.format("recall") + ", test split")
    test_entity_f1: float | None = _m(_ENTITY.format("F1") + ", test split")
    test_exact_match: float | None = _m(_QA.format("exact match") + ", test split")
    test_f1: float | None = _m(_QA.format("token F1") + ", test split")
    train_accuracy: float | None = _m(f"accuracy, {_TRAIN}", since=1)
    train_macro_f1: float | None = _m(f"macro-F1, {_TRAIN}")
    train_loss: float | None = _m(f"mean cross-entropy, {_TRAIN}")
    train_entity_precision: float | None = _m(_ENTITY.format("precision") + ", training split")
    train_entity_recall: float | None = _m(_ENTITY.format("recall") + ", training split")
    train_entity_f1: float | None = _m(_ENTITY.format("F1") + ", training split")
    train_exact_match: float | None = _m(_QA.format("exact match") + ", training split")
    train_f1: float | None = _m(_QA.format("token F1") + ", training split")
    overfit_gap: float | None = _m(
        "train minus val score of the task's first metric (`train_accuracy - val_accuracy`; QA: `train_f1 - val_f1`)"
    )
    test_probs: list[list[float]] | None = fact(
        "per test example class probabilities (5 decimals), in the test split's order: the "
        "report ensembles confirmation seeds from them (sequence tasks)",
        since=2,
        section=M,
    )
    test_labels: list[int] | None = fact(
        "test labels in the same order as `test_probs`", since=2, section=M
    )

    # -- cost ------------------------------------------------------------------------------------
    trainable_params: int | None = fact(
        "parameters that trained (after any unfreezing)", sink="metric", section=C
    )
    total_params: int | None = fact("all parameters of the model", sink="metric", section=C)
    train_time_s: float | None = fact(
        "wall time of training incl. validation, plus this trial's share of the frozen-prefix "
        "cache (`cache_share_s`)",
        sink="metric",
        section=C,
    )
    eval_time_s: float | None = fact(
        "validation time during training (part of `train_time_s`)",
        sink="metric",
        since=2,
        section=C,
    )
    train_samples_per_s: float | None = fact(
        "training examples / pure optimisation time", sink="metric", section=C
    )
    peak_memory_mb: float | None = fact(
        "CUDA max allocated, or CPU peak RSS sampled during the trial", sink="metric", section=C
    )
    checkpoint_mb: float | None = fact(
        "size of what must be saved for this strategy (trained tensors)", sink="metric", section=C
    )
    checkpoint_path: str | None = fact(
        "where it was saved (`save_checkpoint=true`)", since=2, section=C
    )
    wall_time_s: float = fact(
        "whole trial incl. model load", sink="metric", required=True, section=C
    )

    # -- frozen-prefix cache -----------------------------------------------------------------------
    frozen_prefix: str | None = fact(
        "`none`, `layers:<k>` or `pooled`: what the cache skipped", sink="param", since=2, section=K
    )
    cache_time_s: float | None = fact(
        "seconds this trial spent building caches (0 when reused)",
        sink="metric",
        since=2,
        section=K,
    )
    cache_build_s: float | None = fact(
        "build time of the caches this trial used, wherever built",
        sink="metric",
        since=2,
        section=K,
    )
    cache_share_s: float | None = fact(
        "`cache_build_s / train.cache_users`: this trial's share, counted in `train_time_s`",
        sink="metric",
        since=2,
        section=K,
    )
    cache_hit: bool | None = fact("the cache was reused from an earlier trial", since=2, section=K)
    cache_builds: int | None = fact(
        "caches (one per split) this trial built itself: 0 when all were reused; workers started "
        "together on one cell may split the splits between them, each built once",
        sink="metric",
        since=2,
        section=K,
    )

    # -- drift from the pretrained model ------------------------------------------------------------
    param_drift: float | None = fact(
        "relative L2 change of the pretrained encoder weights (PEFT merged); 0 when frozen",
        sink="metric",
        since=2,
        section=R,
    )
    repr_cka: float | None = fact(
        "linear CKA, pretrained vs tuned pooled representations of the first `train.drift_examples` test texts",
        sink="metric",
        since=2,
        section=R,
    )
