"""Every strategy option on every tiny family: it builds and takes two optimizer steps that move
exactly its trainable parameters (the head included), or it refuses with one clear ConfigError
where the family lacks what it needs (a layer-by-layer path for `prompt_tuning`, a layer type
the PEFT method supports)."""

from __future__ import annotations

import pytest
import torch

from harness import trial as wiring
from harness.cache import set_train_mode
from harness.config import load_spec
from harness.errors import ConfigError
from harness.models import load_tokenizer
from harness.paths import conf_dir
from harness.specs import TINY_FAMILIES

CPU = torch.device("cpu")
STRATEGIES = sorted(p.stem for p in (conf_dir() / "strategy").glob("*.yaml"))
# (strategy, family) -> the key of the refusal
REFUSED = {
    ("prompt_tuning", "albert"): "strategy",
    # PEFT's LoHa / LoKr have no layer for GPT-2's Conv1D projections
    ("loha", "gpt2"): "strategy.target_modules",
    ("lokr", "gpt2"): "strategy.target_modules",
}
TEXTS = ["a great film", "a dull mess", "i loved every minute of it", "boring"]


@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize("family", TINY_FAMILIES)
def test_strategy_runs_on_family(family: str, strategy: str, tiny_overrides: list[str]) -> None:
    k = 0 if (family, strategy) == ("albert", "freeze_bottom") else 1  # ALBERT: 1 shared group
    extra = [f"strategy.k={k}"] if strategy in ("top_k", "freeze_bottom", "reinit_top") else []
    spec = load_spec(
        [
            *tiny_overrides,
            f"model.family={family}",
            f"strategy={strategy}",
            "scheduler=constant",
            *extra,
        ]
    )
    tokenizer = load_tokenizer(spec.model.name_or_path)
    torch.manual_seed(0)
    if (strategy, family) in REFUSED:
        with pytest.raises(ConfigError) as info:
            wiring._build_model(spec, len(tokenizer), 2, CPU)
        assert info.value.key == REFUSED[strategy, family]
        return
    model, plan = wiring._build_model(spec, len(tokenizer), 2, CPU)
    if plan.on_step is not None:
        plan.on_step(10**6, 10**6)  # the end of the schedule: everything that ever trains
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    assert {n for n, _ in model.head.named_parameters(prefix="head")} <= trainable
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    optimizer, scheduler, loss_fn = wiring._optimization(spec, model, plan, 2, [2, 2])
    enc = tokenizer(TEXTS, padding=True, return_tensors="pt")
    set_train_mode(model)
    for _ in range(2):  # zero-initialised parts (LoRA B) let the rest move in step 2
        loss = loss_fn(
            model(enc["attention_mask"], input_ids=enc["input_ids"]), torch.tensor([1, 0, 1, 0])
        )
        assert torch.isfinite(loss)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        scheduler.step()
    changed = {n for n, p in model.named_parameters() if not torch.equal(p, before[n])}
    if strategy == "adapter":  # bottlenecks on both output projections of every layer
        assert sum(".adapter.up." in n for n in trainable) == 2 * 2 * model.num_layers
    assert changed == trainable, (sorted(changed - trainable), sorted(trainable - changed))
