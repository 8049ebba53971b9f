"""The outcome of a trained trial, measured once on the selected weights."""

from __future__ import annotations

from typing import Any

import pytest
import torch

from harness.config import load_spec
from harness.models import load_tokenizer
from harness.outcome import final_metrics
from harness.tasks import Evaluation, load_task
from harness.train import LoopResult
from harness.trial import _build_model, _task_data


def _outcome(
    overrides: list[str], best: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """final_metrics on an untrained tiny model whose loop selected `best`."""
    spec = load_spec(overrides)
    tokenizer = load_tokenizer(spec.model.name_or_path)
    task_data = _task_data(spec, tokenizer)
    names = task_data.label_names
    rec: dict[str, Any] = {"label_names": names}
    cpu = torch.device("cpu")
    model, _ = _build_model(spec, len(tokenizer), len(names), cpu)
    parts = load_task(spec.data.task).parts(
        torch.nn.functional.cross_entropy, task_data, Evaluation(16, cpu, "fp32"), spec.data
    )
    data = task_data.splits
    final_metrics(spec, model, data, LoopResult(best=best), parts, rec, len(tokenizer), cpu)
    return rec, data, names


def test_untrained_model_outcome(tiny_overrides: list[str]) -> None:
    best = {"epoch": 1, "val_accuracy": 0.25, "val_macro_f1": 0.2, "val_loss": 0.7}
    rec, data, names = _outcome(tiny_overrides, best)
    assert rec["val_accuracy"] == 0.25 and rec["best_epoch"] == 1  # the selected epoch's values
    assert 0 <= rec["test_accuracy"] <= 1 and 0 <= rec["train_accuracy"] <= 1
    assert rec["overfit_gap"] == pytest.approx(rec["train_accuracy"] - 0.25)
    probs = torch.tensor(rec["test_probs"])
    assert probs.shape == (len(data["test"]), len(names))
    torch.testing.assert_close(probs.sum(-1), torch.ones(len(probs)), atol=1e-4, rtol=0)
    assert rec["test_labels"] == data["test"].labels.tolist()
    # nothing trained yet: the encoder is its pretrained self
    assert rec["param_drift"] == pytest.approx(0.0, abs=1e-9)
    assert rec["repr_cka"] == pytest.approx(1.0, abs=1e-6)


def test_a_search_trial_never_looks_at_test(tiny_overrides: list[str]) -> None:
    """A selection-only trial evaluates neither test nor the train split (its overfitting gap is
    never read): only the selected validation scores."""
    best = {"epoch": 1, "step": 3, "val_accuracy": 0.6, "val_macro_f1": 0.5}
    rec, _, _ = _outcome([*tiny_overrides, "train.test_eval=false"], best)
    assert "test_accuracy" not in rec and "test_probs" not in rec and "param_drift" not in rec
    assert "train_accuracy" not in rec and "overfit_gap" not in rec
    assert rec["val_accuracy"] == 0.6
    assert isinstance(rec["flags"], list) and "near_chance" not in rec["flags"]
