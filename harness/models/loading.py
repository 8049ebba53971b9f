"""Load the encoder and tokenizer: a local/packaged folder or hub id, or a tiny random BERT."""

from __future__ import annotations

import copy
from functools import lru_cache
from typing import Any

import torch
from torch import nn
from transformers import AutoModel, AutoTokenizer, BertConfig, BertModel
from transformers.utils import logging as hf_logging

from harness.config import ModelSpec
from harness.errors import ConfigError

__all__ = ["load_encoder", "load_tokenizer", "pretrained_encoder", "set_dropout"]

SUPPORTED = "BERT-style encoders with `embeddings` + `encoder.layer` (BERT, RoBERTa, ELECTRA, XLM-R, MiniLM)"


@lru_cache(maxsize=4)
def load_tokenizer(name_or_path: str) -> Any:
    """Tokenizer from a folder or hub id (cached per process)."""
    try:
        return AutoTokenizer.from_pretrained(name_or_path)
    except (OSError, ValueError) as exc:
        raise ConfigError(
            "model.name_or_path", f"cannot load a tokenizer from {name_or_path!r}: {exc}"
        ) from None


@lru_cache(maxsize=2)
def _pretrained(name_or_path: str) -> nn.Module:
    # loaded once per process: the first trial must see the same RNG state as later ones
    with torch.random.fork_rng(devices=[]):
        return _load_pretrained(name_or_path)


def _load_pretrained(name_or_path: str) -> nn.Module:
    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()  # the pooler we drop is reported as "unexpected"; it is expected
    try:
        model = AutoModel.from_pretrained(
            name_or_path, dtype=torch.float32, add_pooling_layer=False
        )
    except TypeError:  # architectures without a pooler argument
        model = AutoModel.from_pretrained(name_or_path, dtype=torch.float32)
    except (OSError, ValueError) as exc:
        raise ConfigError(
            "model.name_or_path", f"cannot load a model from {name_or_path!r}: {exc}"
        ) from None
    if not (hasattr(model, "embeddings") and hasattr(getattr(model, "encoder", None), "layer")):
        raise ConfigError(
            "model.name_or_path", f"architecture {type(model).__name__} is not supported", SUPPORTED
        )
    return model


@lru_cache(maxsize=4)
def _tiny(vocab_size: int, init: tuple[tuple[str, int], ...]) -> nn.Module:
    config = BertConfig(vocab_size=vocab_size)
    for key, value in init:
        setattr(config, key, value)
    # the tiny model's "pretrained" weights are the same in every trial; the global RNG is left
    # as it was, so the trial's seed (head init, dropout, data order) does not depend on whether
    # this process built the model before
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        return BertModel(config, add_pooling_layer=False)


def set_dropout(module: nn.Module, p: float) -> None:
    """Set every dropout (hidden + attention) in the encoder to p."""
    for m in module.modules():
        if isinstance(m, nn.Dropout):
            m.p = p


def pretrained_encoder(spec: ModelSpec, vocab_size: int) -> nn.Module:
    """The process-wide pristine encoder (read-only: drift metrics compare against it)."""
    if spec.random_init:
        return _tiny(vocab_size, tuple(sorted(spec.random_init.items())))
    return _pretrained(spec.name_or_path)


def load_encoder(spec: ModelSpec, vocab_size: int, dropout: float) -> nn.Module:
    """A fresh copy of the pretrained encoder (loaded once per process) with dropout p set."""
    if spec.random_init:
        base = _tiny(vocab_size, tuple(sorted(spec.random_init.items())))
    else:
        base = _pretrained(spec.name_or_path)
    encoder = copy.deepcopy(base)
    set_dropout(encoder, dropout)
    return encoder
