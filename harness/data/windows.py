"""Question + context windows for extractive QA, with start/end labels in token positions.

A context longer than `max_length` is cut into overlapping windows (`doc_stride` tokens of
overlap, the question repeated in each), as in BERT's SQuAD recipe. A window's label is the
(start, end) token of the first gold answer when the whole answer lies inside it, else (0, 0):
the [CLS] position means "not in this window". Offsets map each context token back to its
characters so evaluation can cut the predicted answer out of the context.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import torch

from harness.data.batching import EncodedSplit
from harness.data.squad import Question
from harness.errors import ConfigError

__all__ = ["SpanEncodedSplit", "encode_questions", "token_span"]


@dataclass(frozen=True)
class SpanEncodedSplit(EncodedSplit):
    """One row per window: `labels` [W, 2] (start, end); `offsets` [W, L, 2] character span of
    each context token (-1 elsewhere); `question_index` [W] the question a window belongs to."""

    offsets: torch.Tensor | None = None
    question_index: torch.Tensor | None = None
    questions: tuple[Question, ...] = ()


def token_span(
    offsets: list[tuple[int, int]], in_context: list[bool], start: int, end: int
) -> tuple[int, int]:
    """Token positions of characters [start, end) in one window, or (0, 0) when the answer is
    not wholly inside the window's context."""
    positions = [i for i, inside in enumerate(in_context) if inside]
    if not positions:
        return 0, 0
    first, last = positions[0], positions[-1]
    if offsets[first][0] > start or offsets[last][1] < end:
        return 0, 0
    s = first
    while s <= last and offsets[s][0] <= start:
        s += 1
    e = last
    while e >= first and offsets[e][1] >= end:
        e -= 1
    return s - 1, e + 1


def _digest(questions: list[Question]) -> str:
    h = hashlib.sha1()
    for q in questions:
        h.update("\x01".join([q.id, q.question, q.context, *q.answers]).encode("utf-8"))
        h.update(bytes(str(q.starts), "ascii") + b"\x00")
    return h.hexdigest()


def _check_room(
    tokenizer: Any, questions: list[Question], max_length: int, doc_stride: int
) -> None:
    """Each window must hold the question, 3 special tokens and more context than the overlap
    (else windows cannot advance); a question too long for that is refused, naming it."""
    lengths = tokenizer([q.question.lstrip() for q in questions], add_special_tokens=False)
    for q, ids in zip(questions, lengths["input_ids"], strict=True):
        if max_length - len(ids) - 3 <= doc_stride:
            raise ConfigError(
                "dataset.max_length",
                f"{max_length} tokens leave no room for the context of question {q.id!r} "
                f"({len(ids)} tokens) beyond doc_stride={doc_stride}",
            )


def encode_questions(
    tokenizer: Any, questions: list[Question], max_length: int, doc_stride: int
) -> SpanEncodedSplit:
    """Windows of every question (question first, then a slice of the context)."""
    if not getattr(tokenizer, "is_fast", False):
        raise ConfigError(
            "model.name_or_path", "extractive QA needs a fast tokenizer (character offsets)"
        )
    _check_room(tokenizer, questions, max_length, doc_stride)
    enc = tokenizer(
        [q.question.lstrip() for q in questions],
        [q.context for q in questions],
        truncation="only_second",
        max_length=max_length,
        stride=doc_stride,
        return_overflowing_tokens=True,
        return_offsets_mapping=True,
        padding="longest",
        return_tensors="pt",
    )
    owner = enc["overflow_to_sample_mapping"]
    offsets = torch.full((*enc["input_ids"].shape, 2), -1, dtype=torch.long)
    labels = torch.zeros(len(owner), 2, dtype=torch.long)
    for w, q in enumerate(owner.tolist()):
        in_context = [s == 1 for s in enc.sequence_ids(w)]
        pairs = [tuple(p) for p in enc["offset_mapping"][w].tolist()]
        offsets[w][torch.tensor(in_context)] = enc["offset_mapping"][w][torch.tensor(in_context)]
        start = questions[q].starts[0]
        labels[w] = torch.tensor(
            token_span(pairs, in_context, start, start + len(questions[q].answers[0]))
        )
    return SpanEncodedSplit(
        input_ids=enc["input_ids"],
        lengths=enc["attention_mask"].sum(dim=1),
        labels=labels,
        key=f"qa:{_digest(questions)}:{max_length}:{doc_stride}",
        token_type_ids=enc.get("token_type_ids"),
        offsets=offsets,
        question_index=owner,
        questions=tuple(questions),
    )
