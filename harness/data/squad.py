"""SQuAD-v1.1-format questions: read (JSON files or the hub's `squad`), check and split.

Every answer must occur in its context at its `answer_start`: a file where it does not is
refused, naming the question id and the file (a shifted offset would silently train on the
wrong span). Validation is the dev file (`val_path`) or carved from the training questions by
`data_seed`, exactly as for other datasets; sizes count questions, not windows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.data.sources import load_hub_splits
from harness.data.splits import carve, dev_sample
from harness.data.text import read_text
from harness.errors import ConfigError
from harness.specs import DataSpec

__all__ = ["Question", "QuestionSplits", "make_question_splits", "read_questions", "read_squad"]


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    context: str
    answers: tuple[str, ...]  # gold answer texts (SQuAD dev/test: several annotators)
    starts: tuple[int, ...]  # character offsets of the answers in the context


@dataclass(frozen=True)
class QuestionSplits:
    pool: list[Question]
    test: list[Question]
    val: list[Question] | None = None  # None: carved from the pool


def _question(qa: dict[str, Any], context: str, key: str, where: str) -> Question:
    qid = str(qa.get("id"))
    answers = qa.get("answers") or []
    if not answers:
        raise ConfigError(key, f"question {qid!r} in {where} has no answer (SQuAD v1.1 format)")
    texts, starts = [], []
    for a in answers:
        text, start = str(a["text"]), int(a["answer_start"])
        if context[start : start + len(text)] != text:
            raise ConfigError(
                key,
                f"question {qid!r} in {where}: answer {text!r} does not occur at "
                f"answer_start {start} of its context",
            )
        texts.append(text)
        starts.append(start)
    return Question(qid, str(qa["question"]), context, tuple(texts), tuple(starts))


def read_squad(path: str, key: str, encoding: str = "utf-8") -> list[Question]:
    """The questions of one SQuAD-v1.1 JSON file (`{"data": [{"paragraphs": [...]}]}`)."""
    p = Path(path)
    if not p.is_file():
        raise ConfigError(key, f"data file not found: {path}")
    try:
        articles = json.loads(read_text(p, encoding, key))["data"]
        paragraphs = [para for art in articles for para in art["paragraphs"]]
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise ConfigError(key, f"{path} is not SQuAD v1.1 JSON ({exc})") from None
    out = [
        _question(qa, str(para["context"]), key, path) for para in paragraphs for qa in para["qas"]
    ]
    if not out:
        raise ConfigError(key, f"{path} has no questions")
    return out


def _hub_questions(rows: Any, key: str, where: str) -> list[Question]:
    """Rows of the hub's `squad` (id, question, context, answers{text, answer_start})."""
    return [
        _question(
            {
                "id": r["id"],
                "question": r["question"],
                "answers": [
                    {"text": t, "answer_start": s}
                    for t, s in zip(r["answers"]["text"], r["answers"]["answer_start"], strict=True)
                ],
            },
            str(r["context"]),
            key,
            where,
        )
        for r in rows
    ]


def read_questions(spec: DataSpec) -> QuestionSplits:
    """The training pool, the test questions and the dev questions when named; from the hub
    when `format=hub` or when `hub_name` stands in for the paths (`dataset.hub_name=squad`)."""
    if spec.format == "hub" or (spec.hub_name and not spec.train_path):
        ds = load_hub_splits(spec)
        named = {
            "pool": ("train_split", spec.train_split),
            "test": ("test_split", spec.test_split),
            "val": ("val_split", spec.val_split),
        }
        got = {
            role: _hub_questions(ds[s], f"dataset.{key}", f"{spec.hub_name}[{s}]")
            for role, (key, s) in named.items()
            if s is not None
        }
        return QuestionSplits(got["pool"], got["test"], got.get("val"))
    if not spec.train_path or not spec.test_path:
        raise ConfigError("dataset.train_path", "train_path and test_path are required")
    enc = spec.encoding
    val = read_squad(spec.val_path, "dataset.val_path", enc) if spec.val_path else None
    return QuestionSplits(
        read_squad(spec.train_path, "dataset.train_path", enc),
        read_squad(spec.test_path, "dataset.test_path", enc),
        val,
    )


def make_question_splits(
    raw: QuestionSplits, spec: DataSpec
) -> tuple[list[Question], list[Question], list[Question]]:
    """Train (nested by data_seed), validation (dev sample or carve) and test questions."""
    if raw.val is None:
        val_idx, train_idx = carve(len(raw.pool), spec, "questions")
        val = [raw.pool[i] for i in val_idx]
    else:
        train_idx = carve(len(raw.pool), spec, "questions", carved=0)[1]
        val = [raw.val[i] for i in dev_sample(len(raw.val), spec, "questions")]
    return [raw.pool[i] for i in train_idx], val, list(raw.test)
