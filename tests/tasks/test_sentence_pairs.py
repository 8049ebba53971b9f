"""Sentence pairs: segment ids are encoded, batched, cached and reach the encoder embeddings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from datafiles import write_pairs

from harness import cache as prefix_cache
from harness.config import load_spec
from harness.data.batching import eval_batches
from harness.data.tokenize import encode
from harness.models import load_tokenizer
from harness.trial import _build_model, run_trial

CPU = torch.device("cpu")


def _model_and_split(tiny_overrides: list[str], tmp_path: Path) -> tuple[Any, Any]:
    spec = load_spec([*tiny_overrides, *write_pairs(tmp_path / "pairs")])
    tokenizer = load_tokenizer(spec.model.name_or_path)
    model, _ = _build_model(spec, len(tokenizer), 2, CPU)
    split = encode(tokenizer, ["a fine day", "rain"], [0, 1], 32, pairs=["sun", "a wet day"])
    return model.eval(), split


def test_pairs_carry_segment_ids_into_batches(tiny_overrides: list[str], tmp_path: Path) -> None:
    _, split = _model_and_split(tiny_overrides, tmp_path)
    assert split.token_type_ids is not None and split.token_type_ids.shape == split.input_ids.shape
    for batch in eval_batches(split, 2):
        assert batch.token_type_ids is not None
        assert batch.token_type_ids.shape == batch.input_ids.shape
        for row, n in zip(batch.token_type_ids, batch.attention_mask.sum(1), strict=True):
            ones = row[: int(n)].tolist()
            assert ones[0] == 0 and ones[-1] == 1  # [CLS] a [SEP] | b [SEP]


def test_segment_ids_change_what_the_encoder_sees(
    tiny_overrides: list[str], tmp_path: Path
) -> None:
    model, split = _model_and_split(tiny_overrides, tmp_path)
    batch = next(eval_batches(split, 2))
    with torch.no_grad():
        with_types = model(**batch.model_inputs())
        without = model(batch.attention_mask, input_ids=batch.input_ids)
    assert not torch.allclose(with_types, without)  # BERT's segment embeddings are added


def test_frozen_prefix_cache_keeps_segment_embeddings(
    tiny_overrides: list[str], tmp_path: Path
) -> None:
    model, split = _model_and_split(tiny_overrides, tmp_path)
    for p in model.encoder.parameters():
        p.requires_grad_(False)
    prefix_cache.clear()
    caches, _ = prefix_cache.build_caches(model, {"train": split}, "pairs-test", 8, CPU)
    assert caches is not None
    with torch.no_grad():
        carried = prefix_cache.with_prefix({"train": split}, caches)["train"]
        for batch, fed in zip(eval_batches(split, 2), eval_batches(carried, 2), strict=True):
            cached = model(**fed.model_inputs())
            assert torch.allclose(cached, model(**batch.model_inputs()), atol=1e-5)
    prefix_cache.clear()


def test_pair_trial_records_the_pair_task(tiny_overrides: list[str], tmp_path: Path) -> None:
    rec, _ = run_trial(load_spec([*tiny_overrides, *write_pairs(tmp_path / "pairs")]))
    assert rec["status"] == "completed", rec.get("traceback")
    assert rec["task"] == "sentence_pair_classification" and rec["head"] == "linear"
    assert 0.0 <= rec["test_accuracy"] <= 1.0 and len(rec["test_probs"]) == rec["test_size"]
