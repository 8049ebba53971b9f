"""Entity-level precision / recall / F1 for BIO tags, as conlleval and seqeval (default mode) score.

An entity is a maximal span of one type; a span starts at `B-X`, or at `I-X` after `O` or after a
tag of another type (conlleval's lenient decoding), and ends before `O`, `B-*` or a tag of another
type. Scores are micro-averaged over entities: a prediction counts only on an exact span + type
match.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["entity_scores", "entity_spans"]


def _split(tag: str) -> tuple[str, str | None]:
    """`B-PER` -> ("B", "PER"); `O` -> ("O", None); a bare type `PER` is read as `I-PER`."""
    if tag == "O":
        return "O", None
    prefix, sep, kind = tag.partition("-")
    return (prefix, kind) if sep else ("I", tag)


def entity_spans(tags: Sequence[str]) -> list[tuple[str, int, int]]:
    """(type, first word, last word) of every entity in one sentence's tags."""
    spans: list[tuple[str, int, int]] = []
    start, kind = 0, None
    for i, tag in enumerate([*tags, "O"]):  # the sentinel closes a span at the sentence end
        prefix, this = _split(tag)
        if kind is not None and (prefix in ("B", "O") or this != kind):
            spans.append((kind, start, i - 1))
            kind = None
        if prefix == "B" or (prefix != "O" and kind is None):
            start, kind = i, this
    return spans


def entity_scores(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]]) -> dict[str, float]:
    """Micro precision, recall and F1 over exact entity matches (0 when undefined, as seqeval)."""
    if len(gold) != len(pred):
        raise ValueError(f"{len(gold)} gold sentences but {len(pred)} predicted")
    true = {(n, *s) for n, tags in enumerate(gold) for s in entity_spans(tags)}
    found = {(n, *s) for n, tags in enumerate(pred) for s in entity_spans(tags)}
    hits = len(true & found)
    precision = hits / len(found) if found else 0.0
    recall = hits / len(true) if true else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"entity_precision": precision, "entity_recall": recall, "entity_f1": f1}
