"""Exact match and token F1 of extractive QA, as the official SQuAD v1.1 evaluation script
computes them (normalize: lower case, drop punctuation, drop the articles a/an/the, collapse
whitespace; each prediction scored against its best gold answer). Fractions in [0, 1], not the
script's percentages, like every other metric here."""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Sequence

__all__ = ["exact_match", "normalize_answer", "squad_f1", "squad_scores"]

_PUNCT = set(string.punctuation)


def normalize_answer(s: str) -> str:
    """Lower text and remove punctuation, articles and extra whitespace (the script's order)."""
    s = s.lower()
    s = "".join(ch for ch in s if ch not in _PUNCT)
    s = re.sub(r"\b(a|an|the)\b", " ", s)
    return " ".join(s.split())


def squad_f1(prediction: str, truth: str) -> float:
    pred, gold = normalize_answer(prediction).split(), normalize_answer(truth).split()
    same = sum((Counter(pred) & Counter(gold)).values())
    if same == 0:
        return 0.0
    precision, recall = same / len(pred), same / len(gold)
    return 2 * precision * recall / (precision + recall)


def exact_match(prediction: str, truth: str) -> float:
    return float(normalize_answer(prediction) == normalize_answer(truth))


def squad_scores(predictions: Sequence[str], answers: Sequence[Sequence[str]]) -> dict[str, float]:
    """Mean over questions of the max over gold answers: `exact_match` and `f1`."""
    if len(predictions) != len(answers) or not predictions:
        raise ValueError("one prediction per question, at least one question")
    em = sum(
        max(exact_match(p, a) for a in golds) for p, golds in zip(predictions, answers, strict=True)
    )
    f1 = sum(
        max(squad_f1(p, a) for a in golds) for p, golds in zip(predictions, answers, strict=True)
    )
    return {"exact_match": em / len(predictions), "f1": f1 / len(predictions)}
