"""Every model family end to end on a tiny seeded random model (no downloads): a trial completes
for full / head_only / top_k / lora, trains the parameters it claims, caches the frozen prefix
where the family runs layer by layer, and the cached forward gives the uncached logits."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import torch

from harness import cache as prefix_cache
from harness import trial as wiring
from harness.config import load_spec
from harness.data.batching import eval_batches
from harness.models import load_tokenizer
from harness.specs import TINY_FAMILIES

CPU = torch.device("cpu")
LAYERWISE = {
    "bert",
    "roberta",
    "electra",
    "deberta-v2",
    "distilbert",
    "modernbert",
    "gpt2",
    "llama",
    "qwen2",
}
DECODERS = {"gpt2", "llama", "qwen2"}
STRATEGIES = ("full", "head_only", "top_k", "lora")
RunTrial = Callable[..., tuple[dict[str, Any], Path]]


def _build(family: str, strategy: str, tiny_overrides: list[str], *more: str) -> tuple[Any, Any]:
    extra = ["strategy.k=1"] if strategy == "top_k" else []
    spec = load_spec(
        [*tiny_overrides, f"model.family={family}", f"strategy={strategy}", *extra, *more]
    )
    tokenizer = load_tokenizer(spec.model.name_or_path)
    model, _ = wiring._build_model(spec, len(tokenizer), 2, CPU)
    return spec, model


def _claimed(model: Any, strategy: str) -> int:
    """What the strategy says trains, counted from the model's own layout."""
    head = sum(p.numel() for p in model.head.parameters())
    if strategy == "full":
        return sum(p.numel() for p in model.parameters())
    if strategy == "head_only":
        return head
    if strategy == "top_k":
        return head + sum(p.numel() for p in model.layers[-1].parameters())
    return head + sum(p.numel() for n, p in model.encoder.named_parameters() if "lora_" in n)


def _expected_prefix(family: str, strategy: str, model: Any) -> str:
    if strategy == "head_only":
        return "pooled"
    if strategy == "top_k" and family in LAYERWISE:
        return f"layers:{model.num_layers - 1}"
    return "none"


@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize("family", TINY_FAMILIES)
def test_family_trial_completes(
    family: str, strategy: str, run_tiny: RunTrial, tiny_overrides: list[str]
) -> None:
    extra = ["strategy.k=1"] if strategy == "top_k" else []
    rec, _ = run_tiny(f"model.family={family}", f"strategy={strategy}", *extra)
    assert rec["status"] == "completed", rec.get("error")
    _, model = _build(family, strategy, tiny_overrides)
    assert rec["trainable_params"] == _claimed(model, strategy)
    assert rec["total_params"] == sum(p.numel() for p in model.parameters())
    assert rec["frozen_prefix"] == _expected_prefix(family, strategy, model)
    if strategy == "lora":
        assert any("lora_" in n for n, _ in model.encoder.named_parameters())


@pytest.mark.parametrize("family", TINY_FAMILIES)
@pytest.mark.parametrize("strategy", ["top_k", "head_only"])
def test_cached_prefix_gives_the_uncached_logits(
    family: str, strategy: str, tiny_overrides: list[str]
) -> None:
    spec, model = _build(family, strategy, tiny_overrides)
    model.eval()
    tokenizer = load_tokenizer(spec.model.name_or_path)
    data = wiring._task_data(spec, tokenizer).splits
    split = data["val"]
    prefix_cache.clear()
    caches, _ = prefix_cache.build_caches(model, {"val": split}, spec.model.key, 16, CPU)
    if strategy == "top_k" and family not in LAYERWISE:
        assert caches is None  # its own forward: no partial prefix
        return
    assert caches is not None
    cache = caches["val"]
    assert cache.pooled == (strategy == "head_only")
    with torch.no_grad():
        carried = prefix_cache.with_prefix({"val": split}, caches)["val"]
        for batch, fed in zip(eval_batches(split, 16), eval_batches(carried, 16), strict=True):
            cached = model(**fed.model_inputs())
            plain = model(**batch.model_inputs())
            torch.testing.assert_close(cached, plain, atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize("family", sorted(DECODERS))
def test_decoders_pool_the_last_real_token(family: str, tiny_overrides: list[str]) -> None:
    _, model = _build(family, "head_only", tiny_overrides, "head.pooling=cls")
    model.eval()  # a causal model's first token has seen nothing else: cls means the last token
    assert model.layout.causal and model.head.pooling == "last"
    ids = torch.tensor([[101, 2023, 2003, 102, 0, 0], [101, 2023, 2003, 2204, 3185, 102]])
    mask = (ids != 0).long()
    with torch.no_grad():
        hidden = model.hidden_states(ids, mask)
        pooled = model.pool(hidden, mask)
        alone = model.hidden_states(ids[:1, :4], mask[:1, :4])
    torch.testing.assert_close(pooled[0], hidden[0, 3])
    torch.testing.assert_close(pooled[1], hidden[1, 5])
    # right padding: the real tokens' states do not depend on the padding after them
    torch.testing.assert_close(alone[0], hidden[0, :4], atol=1e-5, rtol=1e-4)
