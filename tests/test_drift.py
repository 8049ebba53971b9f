"""Drift metrics: parameter distance and representation CKA, and the cached pretrained side."""

from __future__ import annotations

import pytest
import torch

from harness import drift
from harness.config import load_spec
from harness.data.tokenize import encode
from harness.models import Classifier, load_encoder, load_tokenizer
from harness.models.heads import LinearHead
from harness.models.loading import pretrained_encoder

TEXTS = ["a fine film", "dull and slow", "the best of the year", "not good", "oddly moving", "meh"]


@pytest.fixture
def tiny() -> tuple[Classifier, torch.nn.Module, object]:
    spec = load_spec(["model=tiny", "tracker=none"])
    tokenizer = load_tokenizer(spec.model.name_or_path)
    torch.manual_seed(0)
    encoder = load_encoder(spec.model, len(tokenizer), 0.0)
    model = Classifier(encoder, LinearHead(encoder.config.hidden_size, 2, dropout=0.0))
    base = pretrained_encoder(spec.model, len(tokenizer))
    split = encode(tokenizer, TEXTS, [1, 0, 1, 0, 1, 0], 16)
    return model, base, split


def test_untouched_model_has_no_drift(tiny) -> None:  # noqa: ANN001
    model, base, split = tiny
    assert drift.param_drift(model, base) == pytest.approx(0.0, abs=1e-12)
    assert drift.repr_cka(model, base, split, 6, torch.device("cpu")) == pytest.approx(1.0)


def test_cached_pretrained_side_gives_the_same_cka(tiny) -> None:  # noqa: ANN001
    model, base, split = tiny
    with torch.no_grad():
        for p in model.layers[-1].parameters():
            p.add_(torch.randn_like(p) * 0.5)  # move the top layer
    cpu = torch.device("cpu")
    plain = drift.repr_cka(model, base, split, 6, cpu)
    drift._BASE_REPS.clear()
    first = drift.repr_cka(model, base, split, 6, cpu, base_key="tiny")
    assert len(drift._BASE_REPS) == 1
    second = drift.repr_cka(model, base, split, 6, cpu, base_key="tiny")
    assert plain < 1 - 1e-6 and first == pytest.approx(plain, abs=1e-9) == second
    assert drift.param_drift(model, base) > 0
