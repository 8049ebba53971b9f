"""Where each model family keeps its embeddings, layers and final norm, and how its layers run.

The harness runs a backbone layer by layer so a frozen prefix can be cached and layer-wise
strategies (top_k, llrd, gradual unfreezing, ...) can find the layers. Each family gets a small
`Layout`: attribute paths of its embedding modules, its layer list and its final norm, and the
`style` in which one layer is called (mask format, positions, rotary embeddings):

- `bert`: BERT, RoBERTa, XLM-R, CamemBERT, ELECTRA (its `embeddings_project` runs after the
  embeddings when the embedding size differs from the hidden size);
- `distilbert`: `transformer.layer` with a bidirectional mask;
- `deberta`: DeBERTa-v2/v3, with the encoder's relative positions and (normed) relative
  embeddings passed to every layer (checkpoints with a convolution after the first layer run
  through their own forward);
- `gpt2`: learned positions added to the token embeddings, causal mask, `ln_f` at the end;
- `rotary`: Llama / Qwen2 (causal) and ModernBERT (bidirectional, global + sliding-window
  layers): rotary position embeddings per attention type, a final norm;
- `generic`: every other family (ALBERT's shared layers, unknown models): the model's own `forward`; prefix caching is then limited to
  the fully-frozen case (pooled features). The layer list is still found for the layer-wise
  strategies: for ALBERT it is `albert_layer_groups` (one shared group by default, reused at
  every depth: `top_k=1` trains that shared group, i.e. every layer).

`backbone.check_layout` compares the layer-by-layer forward with the model's own at load, so a wrong
description is refused instead of silently training a different function.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from torch import nn

__all__ = ["Layout", "find", "layout_for"]


@dataclass(frozen=True)
class Layout:
    family: str  # the config's model_type
    embeddings: tuple[str, ...]  # dotted paths of the embedding modules (absent ones are skipped)
    layers: str | None  # dotted path of the layer list
    final_norm: str | None = None  # applied after the last layer
    style: str = "generic"  # bert | distilbert | deberta | gpt2 | rotary | generic
    causal: bool = False  # decoders: pooling takes the last real token, not the first
    # LoRA-style / IA3 targets for families PEFT has no default for (PEFT's own mapping wins)
    lora_targets: tuple[str, ...] = ()
    ia3_targets: tuple[str, ...] = ()
    ia3_feedforward: tuple[str, ...] = ()
    # the attention-output and FFN-output projections inside a layer (bottleneck adapters)
    adapter_sites: tuple[str, ...] = ()

    @property
    def layerwise(self) -> bool:
        return self.style != "generic"


_BERT = dict(
    embeddings=("embeddings", "embeddings_project"),
    layers="encoder.layer",
    style="bert",
    lora_targets=("query", "value"),
    ia3_targets=("key", "value", "output.dense"),
    ia3_feedforward=("output.dense",),
    adapter_sites=("attention.output.dense", "output.dense"),
)
_DECODER = dict(
    embeddings=("embed_tokens",),
    layers="layers",
    final_norm="norm",
    style="rotary",
    causal=True,
    adapter_sites=("self_attn.o_proj", "mlp.down_proj"),
)
LAYOUTS: dict[str, Layout] = {
    **{f: Layout(f, **_BERT) for f in ("bert", "roberta", "xlm-roberta", "camembert", "electra")},  # type: ignore[arg-type]
    "distilbert": Layout(
        "distilbert",
        ("embeddings",),
        "transformer.layer",
        style="distilbert",
        lora_targets=("q_lin", "v_lin"),
        ia3_targets=("k_lin", "v_lin", "lin2"),
        ia3_feedforward=("lin2",),
        adapter_sites=("attention.out_lin", "ffn.lin2"),
    ),
    "gpt2": Layout(
        "gpt2",
        ("wte", "wpe"),
        "h",
        "ln_f",
        style="gpt2",
        causal=True,
        adapter_sites=("attn.c_proj", "mlp.c_proj"),
    ),
    "llama": Layout("llama", **_DECODER),  # type: ignore[arg-type]
    "qwen2": Layout("qwen2", **_DECODER),  # type: ignore[arg-type]
    "modernbert": Layout(
        "modernbert",
        ("embeddings",),
        "layers",
        "final_norm",
        style="rotary",
        lora_targets=("Wqkv",),
        ia3_targets=("Wqkv", "mlp.Wo"),
        ia3_feedforward=("mlp.Wo",),
        adapter_sites=("attn.Wo", "mlp.Wo"),
    ),
    # relative-position embeddings (and their norm) feed every layer: counted with the embeddings
    "deberta-v2": Layout(
        "deberta-v2",
        ("embeddings", "encoder.rel_embeddings", "encoder.LayerNorm"),
        "encoder.layer",
        style="deberta",
        adapter_sites=("attention.output.dense", "output.dense"),
    ),
    "albert": Layout(
        "albert",
        ("embeddings",),
        "encoder.albert_layer_groups",
        lora_targets=("query", "value"),
        ia3_targets=("key", "value", "ffn_output"),
        ia3_feedforward=("ffn_output",),
        adapter_sites=("attention.dense", "ffn_output"),
    ),
}
_LAYER_PATHS = ("encoder.layer", "layers", "encoder.layers", "h", "transformer.layer")


def find(root: nn.Module, path: str | None) -> Any:
    """The submodule at a dotted path, or None."""
    module: Any = root
    for part in (path or "").split(".") if path else ():
        module = getattr(module, part, None)
        if module is None:
            return None
    return module if path else None


def layout_for(backbone: nn.Module) -> Layout:
    """The family's layout; an unknown family runs through its own forward (`generic`)."""
    family = str(getattr(getattr(backbone, "config", None), "model_type", "unknown"))
    if family == "deberta-v2" and getattr(backbone.config, "conv_kernel_size", 0) > 0:
        return Layout(family, ("embeddings",), "encoder.layer")  # its conv mixes in the embeddings
    if family in LAYOUTS:
        return LAYOUTS[family]
    layers = next((p for p in _LAYER_PATHS if isinstance(find(backbone, p), nn.ModuleList)), None)
    return Layout(family, (), layers)
