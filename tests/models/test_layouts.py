"""Family layouts: the load-time equivalence check, hub-style loading from local folders (a
decoder whose tokenizer has no pad token), and the fallback for a family without a layout."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import torch
from transformers import AutoModel, AutoTokenizer

from harness.config import ModelSpec
from harness.errors import ConfigError
from harness.models import load_tokenizer
from harness.models.backbone import check_layout
from harness.models.layouts import LAYOUTS, layout_for
from harness.models.loading import load_encoder, tiny_config

SIZES = {
    "num_hidden_layers": 2,
    "hidden_size": 32,
    "num_attention_heads": 2,
    "intermediate_size": 64,
    "max_position_embeddings": 128,
}
RunTrial = Callable[..., tuple[dict[str, Any], Path]]


def _tiny(family: str, vocab: int = 200) -> Any:
    return load_encoder(ModelSpec("tiny", "unused", SIZES, family=family), vocab, 0.0)


@pytest.mark.parametrize(
    ("family", "broken"),
    [
        ("gpt2", {"final_norm": None}),  # forgets ln_f
        ("llama", {"causal": False}),  # a decoder run bidirectionally
        ("electra", {"style": "distilbert"}),  # skips ELECTRA's embedding projection
    ],
)
def test_the_equivalence_check_refuses_a_broken_layout(family: str, broken: dict[str, Any]) -> None:
    model = _tiny(family)
    check_layout(model, layout_for(model), 200, "model.family")  # the real layout passes
    bad = dataclasses.replace(LAYOUTS[family], **broken)
    with pytest.raises(ConfigError) as info:
        check_layout(model, bad, 200, "model.family")
    assert info.value.key == "model.family"
    assert "differs" in str(info.value) or "cannot run" in str(info.value)


def test_a_wrong_final_norm_is_refused_with_the_gap() -> None:
    model = _tiny("gpt2")
    with pytest.raises(ConfigError, match="max abs gap"):
        check_layout(model, dataclasses.replace(LAYOUTS["gpt2"], final_norm=None), 200, "x")


def _save_folder(folder: Path, family: str, minilm_path: str, pad: bool) -> Path:
    """A tiny random model + tokenizer saved the way a hub repository holds them."""
    tokenizer = AutoTokenizer.from_pretrained(minilm_path)
    if not pad:  # a GPT-2 / Llama-style tokenizer: an eos token and no pad token
        tokenizer.eos_token = "[SEP]"
        tokenizer.pad_token = None
    torch.manual_seed(0)
    model = AutoModel.from_config(tiny_config(family, len(tokenizer), SIZES))
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def test_a_decoder_from_a_local_folder_gets_pad_eq_eos_and_trains(
    tmp_path: Path, minilm_path: str, run_tiny: RunTrial
) -> None:
    folder = _save_folder(tmp_path / "tiny-llama", "llama", minilm_path, pad=False)
    assert AutoTokenizer.from_pretrained(folder).pad_token is None
    tokenizer = load_tokenizer(str(folder))
    assert tokenizer.pad_token == tokenizer.eos_token and tokenizer.padding_side == "right"
    rec, _ = run_tiny("model=hub", f"model.name_or_path={folder}", "strategy=lora")
    assert rec["status"] == "completed", rec.get("error")
    assert rec["model_name_or_path"] == str(folder)
    # LoRA r=8 on q_proj (32 -> 32: 256 + 256) and v_proj (32 -> 16, one kv head: 256 + 128)
    # in 2 layers, + the linear head (32 x 2 + 2)
    assert rec["trainable_params"] == 2 * (512 + 384) + 66


def test_an_unknown_family_runs_through_its_own_forward(
    tmp_path: Path, minilm_path: str, run_tiny: RunTrial
) -> None:
    folder = _save_folder(tmp_path / "tiny-mpnet", "mpnet", minilm_path, pad=True)
    model = AutoModel.from_pretrained(folder)
    layout = layout_for(model)
    assert layout.family == "mpnet" and not layout.layerwise and layout.layers == "encoder.layer"
    probe, _ = run_tiny("model=hub", f"model.name_or_path={folder}", "strategy=head_only")
    assert probe["status"] == "completed", probe.get("error")
    assert probe["frozen_prefix"] == "pooled"  # the fully-frozen backbone is still cached
    top, _ = run_tiny("model=hub", f"model.name_or_path={folder}", "strategy=top_k", "strategy.k=1")
    assert top["status"] == "completed", top.get("error")
    assert top["frozen_prefix"] == "none"  # no layer-by-layer path: no partial prefix
    layer = sum(p.numel() for p in model.encoder.layer[1].parameters())
    assert top["trainable_params"] == layer + 66


def test_a_tiny_family_outside_the_list_is_refused(tiny_overrides: list[str]) -> None:
    from harness.config import load_spec

    with pytest.raises(ConfigError) as info:
        load_spec([*tiny_overrides, "model.family=t5"])
    assert info.value.key == "model.family"


@pytest.mark.parametrize("family", ["gpt2", "deberta-v2", "albert"])
def test_frozen_prefix_follows_the_layout(family: str) -> None:
    from harness.cache import frozen_prefix
    from harness.models import Classifier, LinearHead

    model = Classifier(_tiny(family), LinearHead(32, 2))
    for p in model.encoder.parameters():
        p.requires_grad_(False)
    assert frozen_prefix(model) == model.num_layers  # fully frozen: pooled features
    if not model.layout.layerwise:
        model.layers[-1].requires_grad_(True)
        assert frozen_prefix(model) == 0  # its own forward: no partial prefix
        return
    model.layers[-1].requires_grad_(True)
    assert frozen_prefix(model) == model.num_layers - 1
    model.layers[-1].requires_grad_(False)
    if model.final_norm is not None:  # the final norm runs after the top layer
        model.final_norm.requires_grad_(True)
        assert frozen_prefix(model) == model.num_layers - 1
        model.final_norm.requires_grad_(False)
    model.encoder.stray = torch.nn.Parameter(torch.zeros(1))  # a tensor the layout does not place
    assert frozen_prefix(model) == 0
