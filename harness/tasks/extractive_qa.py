"""Extractive question answering (SQuAD v1.1): the answer is a span of the context.

Data: SQuAD-format questions (`harness.data.squad`), split by question, each cut into
question + context windows (`harness.data.windows`). The span head gives start and end logits
per token; the loss option applies to each end over the positions and the two are averaged
(BERT's SQuAD loss with cross-entropy). Evaluation takes, per question, the best-scoring span
(start + end logit) over all its windows among the n-best starts and ends, within
`max_answer_length` tokens and inside the context, and scores the text against the gold answers
with the official script's exact match and F1 (`f1` selects by default).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import torch
from torch.nn import functional as F

from harness.data.batching import EncodedSplit
from harness.data.squad import QuestionSplits, make_question_splits, read_questions
from harness.data.windows import SpanEncodedSplit, encode_questions
from harness.errors import ConfigError
from harness.losses import LossFn
from harness.metrics_qa import squad_scores
from harness.models.classifier import Classifier
from harness.specs import DataSpec
from harness.tasks._base import Augment, Evaluation, Metrics, Task, TaskData, TaskParts, eval_logits

__all__ = ["best_span", "span_loss", "task"]

METRICS = ("f1", "exact_match")
N_BEST, MAX_ANSWER_TOKENS, DOC_STRIDE = 20, 30, 128  # defaults of BERT's SQuAD recipe


@lru_cache(maxsize=2)
def _raw(data: DataSpec) -> QuestionSplits:
    return read_questions(data)


def qa_data(data: DataSpec, tokenizer: Any, augment: Augment) -> TaskData:
    """Windows of the train / val / test questions; sizes count questions."""
    train, val, test = make_question_splits(_raw(data), data)
    stride = data.doc_stride or DOC_STRIDE
    splits: dict[str, EncodedSplit] = {
        name: encode_questions(tokenizer, qs, data.max_length, stride)
        for name, qs in (("train", train), ("val", val), ("test", test))
    }
    return TaskData(splits, label_names=[], class_counts=[], head_outputs=2, test_size=len(test))


def span_loss(loss_fn: LossFn) -> LossFn:
    """The loss option over positions, for the start and the end: [B, L, 2] -> mean of two."""

    def loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        return (loss_fn(logits[..., 0], labels[:, 0]) + loss_fn(logits[..., 1], labels[:, 1])) / 2

    return loss


def best_span(
    start: torch.Tensor, end: torch.Tensor, valid: torch.Tensor, n_best: int, max_tokens: int
) -> tuple[float, int, int] | None:
    """(score, start, end) of the best span in one window: starts and ends among the n-best
    context tokens, end >= start, at most `max_tokens` long; None when no span qualifies."""
    neg = torch.finfo(start.dtype).min
    s_val, s_idx = start.masked_fill(~valid, neg).topk(min(n_best, len(start)))
    e_val, e_idx = end.masked_fill(~valid, neg).topk(min(n_best, len(end)))
    length = e_idx.unsqueeze(0) - s_idx.unsqueeze(1)  # [n_start, n_end]
    ok = (length >= 0) & (length < max_tokens) & valid[s_idx].unsqueeze(1) & valid[e_idx]
    if not bool(ok.any()):
        return None
    score = (s_val.unsqueeze(1) + e_val.unsqueeze(0)).masked_fill(~ok, neg)
    flat = int(score.argmax())
    i, j = divmod(flat, score.shape[1])
    return float(score[i, j]), int(s_idx[i]), int(e_idx[j])


def _answers(
    split: SpanEncodedSplit, logits: torch.Tensor, n_best: int, max_tokens: int
) -> list[str]:
    """The predicted answer text of every question (empty when no window yields a span)."""
    assert split.offsets is not None and split.question_index is not None
    best: dict[int, tuple[float, int, int, int]] = {}
    for w, q in enumerate(split.question_index.tolist()):
        valid = split.offsets[w, :, 0] >= 0
        span = best_span(logits[w, :, 0], logits[w, :, 1], valid, n_best, max_tokens)
        if span is not None and (q not in best or span[0] > best[q][0]):
            best[q] = (*span, w)
    out = []
    for q, question in enumerate(split.questions):
        if q not in best:
            out.append("")
            continue
        _, s, e, w = best[q]
        out.append(question.context[int(split.offsets[w, s, 0]) : int(split.offsets[w, e, 1])])
    return out


@torch.inference_mode()
def evaluate_spans(
    model: Classifier,
    split: EncodedSplit,
    ev: Evaluation,
    data: DataSpec,
) -> Metrics:
    """Exact match and F1 over questions, mean window loss (start/end cross-entropy)."""
    assert isinstance(split, SpanEncodedSplit), "extractive QA evaluates question windows"
    logits = torch.zeros(len(split), split.input_ids.shape[1], 2)
    loss_sum = 0.0
    for b, out in eval_logits(model, split, ev):
        loss_sum += float(span_loss(F.cross_entropy)(out, b.labels)) * len(b.index)
        logits[b.index.cpu(), : out.shape[1]] = out.cpu()
    answers = _answers(
        split, logits, data.n_best or N_BEST, data.max_answer_length or MAX_ANSWER_TOKENS
    )
    scores = squad_scores(answers, [q.answers for q in split.questions])
    return {**scores, "loss": loss_sum / len(split)}


def _correct(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Windows whose start and end are both right."""
    hit = logits.detach().argmax(1) == labels  # [B, 2]
    return hit.all(-1).sum()


def parts(loss: LossFn, data: TaskData, ev: Evaluation, spec: DataSpec) -> TaskParts:
    def evaluate(model: Classifier, split: EncodedSplit) -> Metrics:
        return evaluate_spans(model, split, ev, spec)

    return TaskParts(span_loss(loss), evaluate, _correct, METRICS)


def check_qa_data(d: dict[str, Any]) -> None:
    """SQuAD JSON by path or the hub; windows overlap less than they are long."""
    if d["format"] not in ("squad", "hub"):
        raise ConfigError("dataset.format", f"unknown value {d['format']!r}", ("squad", "hub"))
    if d.get("text_pair_column"):
        raise ConfigError("dataset.text_pair_column", "not supported for extractive_qa", ["null"])
    for key in ("doc_stride", "max_answer_length", "n_best"):
        v = d.get(key)
        if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < 1):
            raise ConfigError(f"dataset.{key}", f"must be a whole number > 0, got {v!r}")
    stride = d.get("doc_stride") or DOC_STRIDE
    if stride >= d["max_length"] // 2:
        raise ConfigError(
            "dataset.doc_stride",
            f"{stride} leaves too little room: windows of max_length={d['max_length']} hold the "
            "question too",
            f"1..{d['max_length'] // 2 - 1}",
        )


def task() -> Task:
    return Task(
        name="extractive_qa",
        head_kind="span",
        default_head="span",
        metrics=METRICS,
        selection_metrics=METRICS,
        read=qa_data,
        parts=parts,
        unit="questions",
        check=check_qa_data,
    )
