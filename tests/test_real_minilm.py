"""The real thing, offline: all-MiniLM-L6-v2 (from its PyPI package) on the vendored SST-2.

One linear probe and one full fine-tune on 64 examples, one epoch (about 35 CPU-seconds in all).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
import torch

from harness.config import load_spec
from harness.models import load_tokenizer
from harness.models.loading import pretrained_encoder
from harness.runtime import pick_precision
from harness.trial import run_trial

CPU = torch.device("cpu")

pytestmark = pytest.mark.real

# all-MiniLM-L6-v2 has 22.71M parameters with its pooler (147,840); the harness pools itself
# (mean pooling) and does not load it, so the encoder holds 22,565,376 + a 384 x 2 linear head.
ENCODER_PARAMS = 22_565_376
HEAD_PARAMS = 384 * 2 + 2
BASE = (
    "model=minilm",
    "dataset=sst2",
    "tracker=none",
    "dataset.train_size=64",
    "dataset.val_size=64",
    "train.epochs=1",
    "train.batch_size=8",
    "train.drift_examples=32",
)
LR = {"head_only": "optimizer.lr=1e-2", "full": "optimizer.lr=1e-4"}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    out = tmp_path_factory.mktemp("real")
    return {
        name: run_trial(load_spec([*BASE, f"strategy={name}", lr, f"out={out}"]))[0]
        for name, lr in LR.items()
    }


def test_minilm_loads_in_float32_with_its_parameter_count(runs: dict[str, dict[str, Any]]) -> None:
    spec = load_spec(list(BASE))
    encoder = pretrained_encoder(spec.model, len(load_tokenizer(spec.model.name_or_path)))
    assert {p.dtype for p in encoder.parameters()} == {torch.float32}
    assert sum(p.numel() for p in encoder.parameters()) == ENCODER_PARAMS
    assert len(encoder.encoder.layer) == 6 and encoder.config.hidden_size == 384
    for rec in runs.values():
        assert rec["total_params"] == ENCODER_PARAMS + HEAD_PARAMS  # 22.6M
        assert rec["model_name_or_path"] == spec.model.name_or_path


def test_both_strategies_complete_on_the_real_data(runs: dict[str, dict[str, Any]]) -> None:
    for name, rec in runs.items():
        assert rec["status"] == "completed", rec.get("error")
        assert (rec["train_size"], rec["val_size"], rec["test_size"]) == (64, 64, 1821)
        # the default precision: bf16 autocast where this CPU runs it natively, else fp32
        assert rec["steps"] == 8 and rec["precision"] == pick_precision("auto", CPU), name
    assert runs["head_only"]["trainable_params"] == HEAD_PARAMS
    assert runs["head_only"]["frozen_prefix"] == "pooled" and runs["head_only"]["param_drift"] == 0
    assert runs["full"]["trainable_params"] == ENCODER_PARAMS + HEAD_PARAMS
    assert runs["full"]["param_drift"] > 0 and runs["full"]["repr_cka"] < 1


def test_both_beat_the_majority_class_on_the_test_split(runs: dict[str, dict[str, Any]]) -> None:
    # SST-2 test is balanced (909 of 1,821 positive): always guessing one class scores <= 50.1%.
    # 64 examples are enough for MiniLM's sentence features to carry some sentiment.
    for name, rec in runs.items():
        majority = max(Counter(rec["test_labels"]).values()) / len(rec["test_labels"])
        assert rec["test_accuracy"] > max(0.5, majority), name
        assert rec["train_accuracy"] > 0.6, name  # it fit its 64 training examples somewhat
