"""Token classification (NER) pieces the wiring and the loop plug in: data, loss, evaluation.

Only a word's first sub-token carries a label (the rest are -100). The loss sees just those
positions, so every option of the loss group works unchanged; evaluation scores them as tokens
(accuracy, macro-F1 over tags) and decodes BIO entities per sentence (entity-level P/R/F1).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import torch
from torch.nn import functional as F

from harness.cache import PrefixCache, forward
from harness.config import DataSpec
from harness.data.align import IGNORE, TokenEncodedSplit, encode_token_splits
from harness.data.batching import EncodedSplit, eval_batches
from harness.data.conll import TokenRawSplits, make_token_splits, read_token_dataset
from harness.losses import LossFn
from harness.metrics import accuracy, macro_f1
from harness.metrics_ner import entity_scores
from harness.models.classifier import Classifier
from harness.runtime import autocast

__all__ = ["evaluate_tokens", "token_data", "token_loss"]


@lru_cache(maxsize=2)
def _raw(data: DataSpec) -> TokenRawSplits:
    return read_token_dataset(data)


def token_data(
    data: DataSpec, tokenizer: Any
) -> tuple[dict[str, EncodedSplit], list[str], list[int]]:
    """Encoded train/val/test, the tag names (`O` first) and tag counts over training words."""
    splits = make_token_splits(_raw(data), data)
    encoded = encode_token_splits(tokenizer, splits, data.max_length)
    counts = [0] * len(splits.label_names)
    for row in splits.train_tags:
        for tag in row:
            counts[tag] += 1
    return encoded, splits.label_names, counts


def token_loss(loss_fn: LossFn) -> LossFn:
    """Any sequence-level loss applied to the labelled positions: [B, L, C] -> [T, C]."""

    def loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        keep = labels != IGNORE
        return loss_fn(logits[keep], labels[keep])

    return loss


def _word_tags(split: TokenEncodedSplit, preds: torch.Tensor, names: list[str]) -> list[list[str]]:
    """Predicted tag per word (words cut off by max_length are predicted `O`)."""
    assert split.word_index is not None
    out = []
    for i, gold in enumerate(split.word_tags):
        row = ["O"] * len(gold)
        keep = split.word_index[i] >= 0
        for word, tag in zip(
            split.word_index[i][keep].tolist(), preds[i][keep].tolist(), strict=True
        ):
            row[word] = names[tag]
        out.append(row)
    return out


@torch.inference_mode()  # no autograd bookkeeping at all: cheaper than no_grad
def evaluate_tokens(
    model: Classifier,
    split: EncodedSplit,
    cache: PrefixCache | None,
    batch_size: int,
    device: torch.device,
    precision: str,
    label_names: list[str],
) -> dict[str, Any]:
    """Token accuracy, macro-F1 over tags, mean token cross-entropy, entity P/R/F1."""
    assert isinstance(split, TokenEncodedSplit), "token tasks evaluate word-aligned splits"
    model.eval()
    preds = torch.full_like(split.labels, IGNORE, device=device)
    loss_sum = torch.zeros((), device=device)
    for batch in eval_batches(split, batch_size, pin=device.type == "cuda"):
        b = batch.to(device)
        with autocast(device, precision):
            logits = forward(model, b, cache).float()
        loss_sum += F.cross_entropy(
            logits.flatten(0, 1), b.labels.flatten(), ignore_index=IGNORE, reduction="sum"
        )
        preds[b.index, : logits.shape[1]] = logits.argmax(-1)
    preds = preds.cpu()
    mask = split.labels != IGNORE
    p, y = preds[mask], split.labels[mask]
    gold = [[label_names[t] for t in row] for row in split.word_tags]
    return {
        "accuracy": accuracy(p, y),
        "macro_f1": macro_f1(p, y, len(label_names)),
        "loss": float(loss_sum) / max(int(mask.sum()), 1),
        **entity_scores(gold, _word_tags(split, preds, label_names)),
    }
