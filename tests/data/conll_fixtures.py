"""A synthetic CoNLL folder for the token-classification tests (no licence strings attached).

Not a test module: the conftest here and tests/test_token_classification.py load it by path.
"""

from __future__ import annotations

import random
from pathlib import Path

# word -> entity type; a name may be followed by a surname (I- tag of the same type)
ENTITIES = {
    "alice": "PER",
    "bob": "PER",
    "carol": "PER",
    "paris": "LOC",
    "london": "LOC",
    "acme": "ORG",
    "globex": "ORG",
    "german": "MISC",
    "french": "MISC",
}
SECOND = {"PER": "smith", "ORG": "corp", "LOC": "city", "MISC": "style"}
FILLER = ["the", "met", "in", "visited", "today", "said", "and", "a", "report"]


def synthetic_sentences(n: int, seed: int) -> list[list[tuple[str, str]]]:
    """Sentences whose tags follow from the words: a tiny model can learn them in seconds."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        rows: list[tuple[str, str]] = []
        for _ in range(rng.randint(3, 8)):
            if rng.random() < 0.35:
                word = rng.choice(sorted(ENTITIES))
                kind = ENTITIES[word]
                rows.append((word, f"B-{kind}"))
                if rng.random() < 0.4:
                    rows.append((SECOND[kind], f"I-{kind}"))
            else:
                rows.append((rng.choice(FILLER), "O"))
        out.append(rows)
    return out


def write_conll(folder: Path, n_train: int = 120, n_test: int = 40, seed: int = 0) -> Path:
    """A CoNLL folder (train/valid/test.txt, `token<TAB>tag`, blank line between sentences)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, n, s in (
        ("train", n_train, seed),
        ("valid", 10, seed + 1),
        ("test", n_test, seed + 2),
    ):
        text = "\n\n".join(
            "\n".join(f"{w}\t{t}" for w, t in sent) for sent in synthetic_sentences(n, s)
        )
        (folder / f"{name}.txt").write_text(text + "\n", encoding="utf-8")
    return folder
