"""Sentence-pair classification (NLI, paraphrase): one label per pair of texts.

The pair is encoded as one sequence with the tokenizer's pair template (`[CLS] a [SEP] b [SEP]`,
the longer side truncated first) and its segment ids (`token_type_ids`), which reach the
encoder's embeddings: BERT-style models were pretrained to tell the two sentences apart by them.
Splits, loss and scores are sequence classification's. Sentence augmentation (eda,
backtranslation) edits single texts and is refused.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from harness.errors import ConfigError
from harness.tasks import sequence_classification
from harness.tasks._base import Task

__all__ = ["task"]


def _needs_pairs(d: dict[str, Any]) -> None:
    if not d.get("text_pair_column"):
        raise ConfigError(
            "dataset.text_pair_column", "is required: the column of each pair's second text"
        )


def task() -> Task:
    """Sequence classification's data, head, loss and scores, over pairs (no augmentation)."""
    return dataclasses.replace(
        sequence_classification.task(),
        name="sentence_pair_classification",
        augmentable=False,
        unit="sentence pairs",
        check=_needs_pairs,
    )
