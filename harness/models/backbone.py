"""Run a backbone the way its family's own `forward` does, one piece at a time.

`embed` -> `run_layers(start, end)` reproduces `model(...).last_hidden_state` (the final norm is
applied when the last layer has run), so the frozen bottom can be computed once and cached.
Masks and position embeddings are rebuilt from the hidden states' length, so a soft prompt
inserted after the embeddings (prompt tuning) is attended to like any token.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn
from transformers import masking_utils as masks

from harness.errors import ConfigError
from harness.models.layouts import Layout, find

__all__ = ["check_layout", "embed", "full_hidden", "layer_list", "model_forward", "run_layers"]


def layer_list(backbone: nn.Module, layout: Layout) -> nn.ModuleList:
    found = find(backbone, layout.layers)
    return found if isinstance(found, nn.ModuleList) else nn.ModuleList()


def embed(
    backbone: Any, layout: Layout, input_ids: torch.Tensor, token_type_ids: torch.Tensor | None
) -> torch.Tensor:
    """Token ids [B, L] -> the input of the first layer [B, L, H]."""
    if layout.style == "bert":
        hidden = backbone.embeddings(input_ids=input_ids, token_type_ids=token_type_ids)
        project = getattr(backbone, "embeddings_project", None)  # ELECTRA: embedding != hidden
        return project(hidden) if project is not None else hidden
    if layout.style == "deberta":  # padding is masked as keys: real positions need no mask here
        return backbone.embeddings(input_ids=input_ids, token_type_ids=token_type_ids)  # type: ignore[no-any-return]
    if layout.style == "gpt2":
        positions = torch.arange(input_ids.shape[1], device=input_ids.device).unsqueeze(0)
        return backbone.drop(backbone.wte(input_ids) + backbone.wpe(positions))
    module = find(backbone, layout.embeddings[0])
    return module(input_ids)  # type: ignore[no-any-return]


def _positions(hidden: torch.Tensor) -> torch.Tensor:
    return torch.arange(hidden.shape[1], device=hidden.device).unsqueeze(0)


def _context(
    backbone: Any, layout: Layout, hidden: torch.Tensor, mask: torch.Tensor
) -> dict[str, Any]:
    """What every layer needs besides the hidden states: masks (per attention type) and positions."""
    config = backbone.config
    if layout.style == "deberta":
        encoder = backbone.encoder
        return {
            "mask": encoder.get_attention_mask(mask),
            "relative_pos": encoder.get_rel_pos(hidden),
            "rel_embeddings": encoder.get_rel_embedding(),
        }
    if not layout.causal:
        full = masks.create_bidirectional_mask(
            config=config, inputs_embeds=hidden, attention_mask=mask
        )
        if layout.style != "rotary":
            return {"mask": full}
        by_type = {
            "full_attention": full,
            "sliding_attention": masks.create_bidirectional_sliding_window_mask(
                config=config, inputs_embeds=hidden, attention_mask=mask
            ),
        }
    else:
        kwargs = dict(
            config=config,
            inputs_embeds=hidden,
            attention_mask=mask,
            cache=None,
            position_ids=_positions(hidden),
        )
        by_type = {"full_attention": masks.create_causal_mask(**kwargs)}  # type: ignore[arg-type]
        if "sliding_attention" in (getattr(config, "layer_types", None) or ()):
            by_type["sliding_attention"] = masks.create_sliding_window_causal_mask(**kwargs)  # type: ignore[arg-type]
        if layout.style == "gpt2":
            return {"mask": by_type["full_attention"], "positions": _positions(hidden)}
    positions = _positions(hidden)
    rotary = backbone.rotary_emb
    if layout.family == "modernbert":  # one rotary table per attention type
        rope = {t: rotary(hidden, positions, t) for t in set(config.layer_types)}
    else:
        rope = dict.fromkeys(by_type, rotary(hidden, positions))
    return {"masks": by_type, "rope": rope, "positions": positions}


def _call(layer: Any, layout: Layout, hidden: torch.Tensor, ctx: dict[str, Any]) -> torch.Tensor:
    if layout.style in ("bert", "distilbert"):
        out = layer(hidden, ctx["mask"])
    elif layout.style == "deberta":
        out = layer(
            hidden,
            ctx["mask"],
            relative_pos=ctx["relative_pos"],
            rel_embeddings=ctx["rel_embeddings"],
        )
    elif layout.style == "gpt2":
        out = layer(hidden, attention_mask=ctx["mask"], position_ids=ctx["positions"])
    else:
        kind = getattr(layer, "attention_type", "full_attention")
        out = layer(
            hidden,
            attention_mask=ctx["masks"][kind],
            position_embeddings=ctx["rope"][kind],
            position_ids=ctx["positions"],
        )
    return out[0] if isinstance(out, tuple) else out


def run_layers(
    backbone: Any, layout: Layout, hidden: torch.Tensor, mask: torch.Tensor, start: int, end: int
) -> torch.Tensor:
    """Layers [start, end) on hidden states [B, L, H] (mask [B, L]); the final norm after the last."""
    layers = layer_list(backbone, layout)
    if start < end:
        ctx = _context(backbone, layout, hidden, mask)
        for layer in layers[start:end]:
            hidden = _call(layer, layout, hidden, ctx)
    if start < end == len(layers):
        norm = find(backbone, layout.final_norm)
        hidden = norm(hidden) if norm is not None else hidden
    return hidden


def full_hidden(
    backbone: Any,
    layout: Layout,
    input_ids: torch.Tensor,
    mask: torch.Tensor,
    token_type_ids: torch.Tensor | None = None,
) -> torch.Tensor:
    """Every layer, layer by layer: what `backbone(...).last_hidden_state` should equal."""
    hidden = embed(backbone, layout, input_ids, token_type_ids)
    return run_layers(backbone, layout, hidden, mask, 0, len(layer_list(backbone, layout)))


def model_forward(
    backbone: Any, input_ids: torch.Tensor, mask: torch.Tensor, token_type_ids: torch.Tensor | None
) -> torch.Tensor:
    """The family's own forward (generic layouts): last hidden states [B, L, H]."""
    kwargs = {} if token_type_ids is None else {"token_type_ids": token_type_ids}
    return backbone(input_ids=input_ids, attention_mask=mask, **kwargs).last_hidden_state  # type: ignore[no-any-return]


def check_layout(
    backbone: nn.Module, layout: Layout, vocab_size: int, where: str, atol: float = 1e-4
) -> None:
    """Refuse a layout whose layer-by-layer forward differs from the model's own on two padded
    token rows (real positions compared, eval mode, the global RNG left as it was)."""
    if not layout.layerwise:
        return
    with torch.random.fork_rng(devices=[]), torch.no_grad():
        torch.manual_seed(0)
        low = min(5, vocab_size - 1)
        ids = torch.randint(low, max(low + 1, min(vocab_size, 1000)), (2, 7))
        mask = torch.tensor([[1] * 7, [1] * 4 + [0] * 3])
        was_training = backbone.training
        backbone.eval()
        try:
            theirs = backbone(input_ids=ids, attention_mask=mask).last_hidden_state
            ours = full_hidden(backbone, layout, ids, mask)
        except Exception as exc:  # noqa: BLE001 - a layout that cannot even run is refused too
            raise ConfigError(
                where, f"the {layout.family!r} layout cannot run this model: {exc}"
            ) from None
        finally:
            backbone.train(was_training)
    real = mask.bool()
    gap = float((ours[real] - theirs[real]).abs().max())
    scale = float(theirs[real].abs().max())
    if not gap <= atol * max(1.0, scale):
        raise ConfigError(
            where,
            f"the {layout.family!r} layer-by-layer forward differs from the model's own forward "
            f"(max abs gap {gap:.3g}): its layout in harness/models/layouts.py does not describe "
            "this model",
        )
