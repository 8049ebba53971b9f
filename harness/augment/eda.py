"""EDA-style token edits (Wei & Zou, 2019) that need no external resources: random swap,
random deletion and random insertion of words from the training split's own vocabulary
(synonym replacement is left out: it needs WordNet)."""

from __future__ import annotations

import random

__all__ = ["augment", "edit"]


def edit(
    words: list[str],
    vocab: list[str],
    rng: random.Random,
    p_swap: float,
    p_delete: float,
    p_insert: float,
) -> list[str]:
    """One augmented copy of a tokenized sentence."""
    out = [w for w in words if rng.random() >= p_delete] or [rng.choice(words)]
    for _ in range(max(1, round(p_swap * len(out))) if p_swap > 0 and len(out) > 1 else 0):
        i, j = rng.randrange(len(out)), rng.randrange(len(out))
        out[i], out[j] = out[j], out[i]
    for _ in range(max(1, round(p_insert * len(out))) if p_insert > 0 else 0):
        out.insert(rng.randrange(len(out) + 1), rng.choice(vocab))
    return out


def augment(
    texts: list[str],
    labels: list[int],
    seed: int,
    n_aug: int = 1,
    p_swap: float = 0.1,
    p_delete: float = 0.1,
    p_insert: float = 0.1,
) -> tuple[list[str], list[int]]:
    """`n_aug` edited copies of every training example (labels kept), seeded."""
    rng = random.Random(seed)
    vocab = sorted({w for t in texts for w in t.split()})
    new_texts, new_labels = [], []
    for text, label in zip(texts, labels, strict=True):
        words = text.split()
        if not words:
            continue
        for _ in range(n_aug):
            new_texts.append(" ".join(edit(words, vocab, rng, p_swap, p_delete, p_insert)))
            new_labels.append(label)
    return new_texts, new_labels
