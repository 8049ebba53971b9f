"""strategy=peft: any PEFT method through PEFT's config classes; adapters saved in PEFT's format
load back with `PeftModel.from_pretrained` and reproduce the trial's predictions."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import torch
from peft import PeftModel
from safetensors.torch import load_file

from harness.checkpoint import adapter_dir
from harness.config import load_spec
from harness.data.batching import eval_batches
from harness.errors import ConfigError
from harness.models import load_tokenizer
from harness.models.heads import pool
from harness.models.loading import pretrained_encoder
from harness.trial import _build_model, _task_data

RunTrial = Callable[..., tuple[dict[str, Any], Path]]


@pytest.mark.parametrize(
    ("overrides", "marker"),
    [
        (("strategy.peft_type=LOHA",), ".hada_"),
        (("strategy.peft_type=LORA", "strategy.use_dora=true"), ".lora_magnitude_vector."),
        (("strategy.peft_type=LORA", "strategy.use_rslora=true", "strategy.r=4"), ".lora_A."),
    ],
)
def test_peft_methods_complete(overrides: tuple[str, ...], marker: str, run_tiny: RunTrial) -> None:
    rec, _ = run_tiny("strategy=peft", *overrides)
    assert rec["status"] == "completed", rec.get("error")
    spec = load_spec(["model=tiny", "tracker=none", "strategy=peft", *overrides])
    model, _ = _build_model(
        spec, len(load_tokenizer(spec.model.name_or_path)), 2, torch.device("cpu")
    )
    names = [n for n, p in model.named_parameters() if p.requires_grad]
    assert any(marker in n for n in names)
    assert rec["trainable_params"] == sum(p.numel() for p in model.parameters() if p.requires_grad)


def test_an_option_peft_does_not_know_fails_under_its_key(tiny_overrides: list[str]) -> None:
    spec = load_spec(
        [*tiny_overrides, "strategy=peft", "strategy.peft_type=LOHA", "strategy.use_dora=true"]
    )
    with pytest.raises(ConfigError) as info:
        _build_model(spec, len(load_tokenizer(spec.model.name_or_path)), 2, torch.device("cpu"))
    assert info.value.key == "strategy.use_dora" and "LoHaConfig" in str(info.value)


@pytest.mark.parametrize(
    ("peft_type", "key"), [("PREFIX_TUNING", "strategy.peft_type"), ("NOPE", "strategy.peft_type")]
)
def test_unusable_methods_are_refused(peft_type: str, key: str, tiny_overrides: list[str]) -> None:
    spec = load_spec([*tiny_overrides, "strategy=peft", f"strategy.peft_type={peft_type}"])
    with pytest.raises(ConfigError) as info:
        _build_model(spec, len(load_tokenizer(spec.model.name_or_path)), 2, torch.device("cpu"))
    assert info.value.key == key


@pytest.mark.parametrize("strategy", ["lora", "ia3", "dora"])
def test_saved_adapter_reloads_through_peft_and_reproduces_predictions(
    strategy: str, run_tiny: RunTrial, tmp_path: Path, tiny_overrides: list[str]
) -> None:
    rec, path = run_tiny(f"strategy={strategy}", "save_checkpoint=true")
    assert rec["status"] == "completed", rec.get("error")
    folder = adapter_dir(Path(rec["checkpoint_path"]))
    assert (folder / "adapter_config.json").is_file()
    assert (folder / "adapter_model.safetensors").is_file()

    spec = load_spec([*tiny_overrides, f"strategy={strategy}"])
    tokenizer = load_tokenizer(spec.model.name_or_path)
    base = copy.deepcopy(pretrained_encoder(spec.model, len(tokenizer)))
    backbone = PeftModel.from_pretrained(base, str(folder)).eval()
    head = load_file(str(folder / "head.safetensors"))
    test = _task_data(spec, tokenizer).splits["test"]
    probs = torch.zeros(len(test), 2)
    with torch.no_grad():
        for batch in eval_batches(test, 64):
            hidden = backbone(input_ids=batch.input_ids, attention_mask=batch.attention_mask)
            pooled = pool(hidden.last_hidden_state, batch.attention_mask, "mean")
            logits = pooled @ head["out.weight"].T + head["out.bias"]
            probs[batch.index] = logits.softmax(-1)
    torch.testing.assert_close(probs, torch.tensor(rec["test_probs"]), atol=1e-4, rtol=0)
