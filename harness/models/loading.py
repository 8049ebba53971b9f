"""Load the backbone and tokenizer: a local/packaged folder or hub id, or a tiny random model.

Any family with an `AutoModel` loads; `layouts` says how the harness runs it. Weights load in
float32 (transformers 5 keeps the checkpoint's dtype unless asked), decoders get a pad token
(their eos) and every tokenizer pads on the right, which the batching and last-token pooling
assume.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from typing import Any

import torch
from torch import nn
from transformers import AutoConfig, AutoModel, AutoTokenizer
from transformers.utils import logging as hf_logging

from harness.errors import ConfigError
from harness.models.backbone import check_layout
from harness.models.hub import hub_unreachable, is_local
from harness.models.layouts import layout_for
from harness.specs import ModelSpec

__all__ = [
    "load_encoder",
    "load_tokenizer",
    "model_family",
    "pretrained_encoder",
    "set_dropout",
    "tiny_config",
]

# tiny models: BERT-named sizes (conf/model/tiny.yaml) -> the family's own names, plus settings
# that make the tiny model exercise what the real family has (ELECTRA's projection, DeBERTa-v3's
# relative attention, grouped-query attention, ModernBERT's sliding-window layers)
_RENAMES = {
    "distilbert": {"intermediate_size": "hidden_dim"},
    "gpt2": {"intermediate_size": "n_inner"},
}
_EXTRAS: dict[str, dict[str, Any]] = {
    "electra": {"embedding_size": 16},
    "albert": {"embedding_size": 16},
    "deberta-v2": {
        "relative_attention": True,
        "pos_att_type": ["p2c", "c2p"],
        "position_buckets": 32,
        "max_relative_positions": -1,
        "norm_rel_ebd": "layer_norm",
        "share_att_key": True,
    },
    "llama": {"num_key_value_heads": 1},
    "qwen2": {"num_key_value_heads": 1},
    "modernbert": {"local_attention": 8, "global_attn_every_n_layers": 2},
}
_SPECIAL = ("pad_token_id", "bos_token_id", "eos_token_id", "cls_token_id", "sep_token_id")


def _local_only(name_or_path: str) -> dict[str, Any]:
    """`from_pretrained` options: a hub id while the hub is unreachable reads the local cache
    only (no retries)."""
    return {} if is_local(name_or_path) or hub_unreachable() is None else {"local_files_only": True}


def _cannot_load(what: str, name_or_path: str, exc: Exception) -> ConfigError:
    """One line: a missing folder or an uncached id while offline says so; else the library's
    first line."""
    reason = None if is_local(name_or_path) else hub_unreachable()
    if name_or_path.startswith(("/", ".", "~")) and not is_local(name_or_path):
        problem = f"cannot load {what} from {name_or_path!r}: no such folder"
    elif reason is not None:
        problem = (
            f"cannot load {what} from {name_or_path!r}: not a local folder, not in the Hugging "
            f"Face cache, and the hub cannot be reached ({reason}); give a local folder, or connect"
        )
    else:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        problem = f"cannot load {what} from {name_or_path!r}: {first}"
    return ConfigError("model.name_or_path", problem)


@lru_cache(maxsize=4)
def load_tokenizer(
    name_or_path: str, revision: str | None = None, trust_remote_code: bool = False
) -> Any:
    """Tokenizer from a folder or hub id (cached per process), padding on the right."""
    try:
        tokenizer = AutoTokenizer.from_pretrained(
            name_or_path,
            revision=revision,
            trust_remote_code=trust_remote_code,
            **_local_only(name_or_path),
        )
    except (OSError, ValueError) as exc:
        raise _cannot_load("a tokenizer", name_or_path, exc) from None
    if tokenizer.pad_token is None and tokenizer.eos_token is not None:  # GPT-2, Llama, ...
        tokenizer.pad_token = tokenizer.eos_token
    tokenizer.padding_side = "right"
    return tokenizer


def _from_pretrained(name_or_path: str, revision: str | None, trust_remote_code: bool) -> nn.Module:
    kwargs: dict[str, Any] = dict(
        dtype=torch.float32, revision=revision, trust_remote_code=trust_remote_code
    )
    kwargs.update(_local_only(name_or_path))
    try:
        try:
            return AutoModel.from_pretrained(name_or_path, add_pooling_layer=False, **kwargs)  # type: ignore[no-any-return]
        except TypeError:  # architectures without a pooler argument
            return AutoModel.from_pretrained(name_or_path, **kwargs)  # type: ignore[no-any-return]
    except (OSError, ValueError) as exc:
        raise _cannot_load("a model", name_or_path, exc) from None


@lru_cache(maxsize=2)
def _pretrained(name_or_path: str, revision: str | None, trust_remote_code: bool) -> nn.Module:
    # loaded once per process: the first trial must see the same RNG state as later ones
    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()  # the pooler we drop is reported as "unexpected"; it is expected
    model: Any
    with torch.random.fork_rng(devices=[]):
        model = _from_pretrained(name_or_path, revision, trust_remote_code)
    if getattr(model.config, "is_encoder_decoder", False):
        raise ConfigError(
            "model.name_or_path",
            f"{type(model).__name__} is an encoder-decoder model: give its encoder or a decoder",
        )
    vocab = int(model.get_input_embeddings().num_embeddings)
    check_layout(model, layout_for(model), vocab, "model.name_or_path")
    return model


def tiny_config(family: str, vocab_size: int, sizes: dict[str, Any]) -> Any:
    """A family's config with the tiny sizes (BERT names) and the tokenizer's vocabulary."""
    renames = _RENAMES.get(family, {})
    kwargs = {renames.get(k, k): v for k, v in sizes.items()}
    config = AutoConfig.for_model(
        family, vocab_size=vocab_size, **kwargs, **_EXTRAS.get(family, {})
    )
    for name in _SPECIAL:  # the family's ids may lie outside the borrowed tokenizer's vocabulary
        value = getattr(config, name, None)
        if isinstance(value, int) and not 0 <= value < vocab_size:
            setattr(config, name, None)
    return config


def model_family(spec: ModelSpec) -> str | None:
    """The model's transformers `model_type` (bert, roberta, ...), for what a trial prints; None
    when its config cannot be read offline."""
    if spec.random_init:
        return spec.family
    try:
        config = AutoConfig.from_pretrained(
            spec.name_or_path,
            revision=spec.revision,
            trust_remote_code=spec.trust_remote_code,
            **_local_only(spec.name_or_path),
        )
    except Exception:  # noqa: BLE001 - a name only: the trial has run already
        return None
    return str(config.model_type)


@lru_cache(maxsize=4)
def _tiny(vocab_size: int, family: str, init: tuple[tuple[str, int], ...]) -> nn.Module:
    config = tiny_config(family, vocab_size, dict(init))
    # the tiny model's "pretrained" weights are the same in every trial; the global RNG is left
    # as it was, so the trial's seed (head init, dropout, data order) does not depend on whether
    # this process built the model before
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        try:
            model = AutoModel.from_config(config, add_pooling_layer=False)
        except TypeError:  # architectures without a pooler argument
            model = AutoModel.from_config(config)
    check_layout(model, layout_for(model), vocab_size, "model.family")
    return model  # type: ignore[no-any-return]


def set_dropout(module: nn.Module, p: float) -> None:
    """Set every dropout (hidden + attention) in the encoder to p."""
    for m in module.modules():
        if isinstance(m, nn.Dropout):
            m.p = p


def pretrained_encoder(spec: ModelSpec, vocab_size: int) -> nn.Module:
    """The process-wide pristine encoder (read-only: drift metrics compare against it)."""
    if spec.random_init:
        return _tiny(vocab_size, spec.family, tuple(sorted(spec.random_init.items())))
    return _pretrained(spec.name_or_path, spec.revision, spec.trust_remote_code)


def load_encoder(spec: ModelSpec, vocab_size: int, dropout: float) -> nn.Module:
    """A fresh copy of the pretrained encoder (loaded once per process) with dropout p set."""
    encoder = copy.deepcopy(pretrained_encoder(spec, vocab_size))
    set_dropout(encoder, dropout)
    return encoder
