"""Loading: hub options pass through to transformers; tiny models per family are seeded and fp32."""

from __future__ import annotations

from typing import Any

import pytest
import torch

from harness.config import load_spec
from harness.models import loading
from harness.specs import TINY_FAMILIES


def test_revision_and_trust_remote_code_reach_transformers(
    monkeypatch: pytest.MonkeyPatch, minilm_path: str
) -> None:
    seen: list[dict[str, Any]] = []
    real_model, real_tok = loading.AutoModel.from_pretrained, loading.AutoTokenizer.from_pretrained

    def model(name: str, **kwargs: Any) -> Any:
        seen.append({"name": name, **kwargs})
        return real_model(name, **{**kwargs, "revision": None, "trust_remote_code": False})

    def tokenizer(name: str, **kwargs: Any) -> Any:
        seen.append({"name": name, **kwargs})
        return real_tok(name, **{**kwargs, "revision": None, "trust_remote_code": False})

    monkeypatch.setattr(loading.AutoModel, "from_pretrained", model)
    monkeypatch.setattr(loading.AutoTokenizer, "from_pretrained", tokenizer)
    spec = load_spec(
        [
            "model=hub",
            f"model.name_or_path={minilm_path}",
            "model.revision=v1.0",
            "model.trust_remote_code=true",
        ]
    )
    loading._pretrained.cache_clear()
    loading.load_tokenizer.cache_clear()
    try:
        loading.load_tokenizer(
            spec.model.name_or_path, spec.model.revision, spec.model.trust_remote_code
        )
        encoder = loading.load_encoder(spec.model, 30522, 0.1)
    finally:
        loading._pretrained.cache_clear()
        loading.load_tokenizer.cache_clear()
    assert {p.dtype for p in encoder.parameters()} == {torch.float32}
    assert len(seen) >= 2
    assert all(s["revision"] == "v1.0" and s["trust_remote_code"] is True for s in seen)
    assert any(s.get("dtype") == torch.float32 for s in seen)


@pytest.mark.parametrize("family", TINY_FAMILIES)
def test_tiny_families_are_seeded_fp32_and_of_their_family(family: str) -> None:
    spec = load_spec(["model=tiny", f"model.family={family}"]).model
    first = loading.load_encoder(spec, 1000, 0.0)
    second = loading.load_encoder(spec, 1000, 0.0)
    assert first.config.model_type == family
    assert first.config.num_hidden_layers == 2 and first.config.hidden_size == 32
    assert {p.dtype for p in first.parameters()} == {torch.float32}
    for (n, a), (_, b) in zip(first.state_dict().items(), second.state_dict().items(), strict=True):
        assert torch.equal(a, b), n
