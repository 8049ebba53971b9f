"""Extractive QA: SQuAD reading and its bad input, windows that keep answers recoverable, the
best-span search, the hub path (monkeypatched loader), a trial end to end on the fixture."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
import torch

from harness.config import load_spec
from harness.data.squad import make_question_splits, read_questions, read_squad
from harness.data.windows import encode_questions
from harness.errors import ConfigError
from harness.models import load_tokenizer
from harness.record import read_record, validate_record
from harness.tasks.extractive_qa import _answers, best_span, span_loss
from harness.trial import run_trial


@pytest.fixture(scope="module")
def tokenizer() -> Any:
    return load_tokenizer(load_spec(["model=tiny", "tracker=none"]).model.name_or_path)


def test_reads_every_question_with_its_answers(squad_dir: Path) -> None:
    train = read_squad(str(squad_dir / "train.json"), "dataset.train_path")
    test = read_squad(str(squad_dir / "test.json"), "dataset.test_path")
    assert (len(train), len(test)) == (16, 6)
    assert len({q.id for q in train + test}) == 22
    first = next(q for q in test if q.id == "t1")
    assert first.answers == ("after the storm of 1953", "1953")  # several gold answers kept
    for q in train + test:
        for text, start in zip(q.answers, q.starts, strict=True):
            assert q.context[start : start + len(text)] == text


def test_an_answer_not_at_its_start_names_the_question_and_file(
    squad_dir: Path, tmp_path: Path
) -> None:
    data = json.loads((squad_dir / "train.json").read_text())
    data["data"][1]["paragraphs"][0]["qas"][2]["answers"][0]["answer_start"] += 3  # b3
    bad = tmp_path / "shifted.json"
    bad.write_text(json.dumps(data))
    with pytest.raises(ConfigError) as err:
        read_squad(str(bad), "dataset.train_path")
    assert err.value.key == "dataset.train_path"
    assert "'b3'" in str(err.value) and str(bad) in str(err.value)


def test_windows_keep_every_answer_recoverable(squad_dir: Path, tokenizer: Any) -> None:
    questions = read_squad(str(squad_dir / "train.json"), "dataset.train_path")
    split = encode_questions(tokenizer, questions, max_length=64, doc_stride=16)
    assert split.offsets is not None and split.question_index is not None
    owner = split.question_index.tolist()
    assert len(split) > len(questions)  # long contexts are cut into several windows
    found: dict[int, list[int]] = {}
    for w, q in enumerate(owner):
        s, e = split.labels[w].tolist()
        if (s, e) == (0, 0):  # answer not (wholly) in this window: [CLS]
            continue
        assert split.token_type_ids is not None and split.token_type_ids[w, s] == 1  # context
        context = questions[q].context
        decoded = context[int(split.offsets[w, s, 0]) : int(split.offsets[w, e, 1])]
        assert decoded == questions[q].answers[0]
        found.setdefault(q, []).append(w)
    assert set(found) == set(range(len(questions)))  # every answer lies wholly in some window
    late = next(i for i, q in enumerate(questions) if q.id == "r4")  # the river's last words
    first_window = owner.index(late)
    assert min(found[late]) > first_window  # found in a later window, not the first
    assert split.labels[first_window].tolist() == [0, 0]  # ... whose label is [CLS]


def test_a_question_longer_than_its_window_is_refused(squad_dir: Path, tokenizer: Any) -> None:
    questions = read_squad(str(squad_dir / "train.json"), "dataset.train_path")
    assert len(encode_questions(tokenizer, questions[:3], max_length=32, doc_stride=8)) >= 3
    wordy = dataclasses.replace(questions[1], question=" ".join(["why"] * 25))  # 25 tokens
    with pytest.raises(ConfigError) as err:  # 32 - 3 - 25 = 4 context tokens per window < 8
        encode_questions(tokenizer, [questions[0], wordy], max_length=32, doc_stride=8)
    assert err.value.key == "dataset.max_length" and "question 'a2'" in str(err.value)


def test_best_span_respects_context_order_and_length() -> None:
    start = torch.tensor([9.0, 1.0, 5.0, 0.0, 4.0, 0.0])
    end = torch.tensor([9.0, 0.0, 1.0, 6.0, 0.0, 8.0])
    valid = torch.tensor([False, True, True, True, True, True])  # position 0 is [CLS]
    # [CLS] (9 + 9) is no candidate; 2 -> 5 scores 5 + 8, ends never precede starts
    assert best_span(start, end, valid, n_best=20, max_tokens=30) == (13.0, 2, 5)
    assert best_span(start, end, valid, n_best=20, max_tokens=2) == (12.0, 4, 5)  # 4 + 8
    assert best_span(start, end, valid, n_best=20, max_tokens=1) == (8.0, 5, 5)  # one token: 0 + 8
    assert best_span(start, end, valid, n_best=1, max_tokens=2) is None  # only 2 -> 5: too long
    assert best_span(start, end, torch.zeros(6, dtype=torch.bool), 20, 30) is None


def test_gold_logits_score_perfectly_across_windows(squad_dir: Path, tokenizer: Any) -> None:
    """Logits that point at each window's labelled span: every question's best span over its
    windows is its gold answer, so EM = F1 = 1."""
    questions = read_squad(str(squad_dir / "train.json"), "dataset.train_path")
    split = encode_questions(tokenizer, questions, max_length=64, doc_stride=16)
    logits = torch.zeros(len(split), split.input_ids.shape[1], 2)
    for w, (s, e) in enumerate(split.labels.tolist()):
        if (s, e) != (0, 0):
            logits[w, s, 0] = logits[w, e, 1] = 10.0
    assert _answers(split, logits, 20, 30) == [q.answers[0] for q in questions]


def test_span_loss_averages_start_and_end() -> None:
    logits = torch.randn(3, 7, 2)
    labels = torch.tensor([[1, 2], [0, 0], [4, 6]])
    ce = torch.nn.functional.cross_entropy
    expected = (ce(logits[..., 0], labels[:, 0]) + ce(logits[..., 1], labels[:, 1])) / 2
    assert torch.allclose(span_loss(ce)(logits, labels), expected)


def test_validation_is_carved_by_data_seed(qa_overrides: list[str]) -> None:
    spec = load_spec(qa_overrides).data
    train, val, test = make_question_splits(read_questions(spec), spec)
    assert (len(train), len(val), len(test)) == (12, 4, 6)
    assert not {q.id for q in train} & {q.id for q in val}
    other = load_spec([*qa_overrides, "dataset.data_seed=1"]).data
    assert [q.id for q in make_question_splits(read_questions(other), other)[1]] != [
        q.id for q in val
    ]


def test_hub_squad_goes_through_load_dataset(
    squad_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`dataset.hub_name=squad` reads the hub's rows (id, question, context, answers{...});
    the loader is replaced here: tests never download."""

    def rows(name: str) -> list[dict[str, Any]]:
        questions = read_squad(str(squad_dir / name), "x")
        return [
            {
                "id": q.id,
                "title": "t",
                "context": q.context,
                "question": q.question,
                "answers": {"text": list(q.answers), "answer_start": list(q.starts)},
            }
            for q in questions
        ]

    calls = []

    def fake_load(spec: Any) -> dict[str, Any]:
        calls.append((spec.hub_name, spec.train_split, spec.test_split))
        return {"train": rows("train.json"), "validation": rows("test.json")}

    monkeypatch.setattr("harness.data.squad.load_hub_splits", fake_load)
    spec = load_spec(
        [
            "model=tiny",
            "tracker=none",
            "dataset=squad",
            "dataset.hub_name=squad",
            "dataset.train_size=10",
            "dataset.val_size=4",
        ]
    ).data
    assert spec.train_path is None and spec.hub_name == "squad"
    raw = read_questions(spec)
    assert calls == [("squad", "train", "validation")]
    assert (len(raw.pool), len(raw.test)) == (16, 6) and raw.test[0].answers[
        0
    ] == "after the storm of 1953"


def test_qa_trial_end_to_end(qa_overrides: list[str]) -> None:
    spec = load_spec(qa_overrides)
    assert spec.choices["head"] == "span" and spec.train.selection_metric == "f1"
    rec, path = run_trial(spec)
    assert rec["status"] == "completed", rec.get("traceback")
    assert validate_record(read_record(path)) == []
    assert (rec["task"], rec["train_size"], rec["test_size"]) == ("extractive_qa", 12, 6)
    for key in ("val_f1", "val_exact_match", "test_f1", "test_exact_match", "train_f1"):
        assert 0.0 <= rec[key] <= 1.0, key
    assert rec["test_exact_match"] <= rec["test_f1"]
    assert rec["val_accuracy"] is None and rec["test_accuracy"] is None  # no faked accuracy
    best = max(rec["history"], key=lambda row: row["val_f1"])
    assert rec["best_step"] == best["step"]  # selected on validation F1
    assert rec["test_probs"] is None and rec["label_names"] == []


def test_head_only_qa_caches_every_token_state(qa_overrides: list[str]) -> None:
    rec, _ = run_trial(load_spec([*qa_overrides, "strategy=head_only"]))
    assert rec["status"] == "completed", rec.get("traceback")
    assert rec["frozen_prefix"] == "layers:2"  # span heads need every position, not a pooled one
