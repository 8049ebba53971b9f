"""Frozen-prefix cache: the same numbers with and without it, and reuse across trials."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import torch

from harness import cache
from harness.config import load_spec
from harness.models import load_tokenizer
from harness.trial import _build_model

RunTrial = Callable[..., tuple[dict[str, Any], Path]]
NO_DROPOUT = ("regularization.dropout=0", "head.dropout=0", "train.epochs=2", "optimizer.lr=1e-3")
STRATEGIES = {"head_only": ("strategy=head_only",), "top_k": ("strategy=top_k", "strategy.k=1")}


@pytest.mark.parametrize(("name", "prefix"), [("head_only", "pooled"), ("top_k", "layers:1")])
def test_cached_and_uncached_trials_agree(name: str, prefix: str, run_tiny: RunTrial) -> None:
    cached, _ = run_tiny(*STRATEGIES[name], *NO_DROPOUT, "train.cache_frozen=true")
    plain, _ = run_tiny(*STRATEGIES[name], *NO_DROPOUT, "train.cache_frozen=false")
    assert (cached["frozen_prefix"], plain["frozen_prefix"]) == (prefix, "none")
    for key in ("val_accuracy", "val_loss", "test_accuracy", "test_macro_f1", "train_loss"):
        assert cached[key] == pytest.approx(plain[key], abs=1e-5), key
    assert len(cached["history"]) == len(plain["history"]) == 2
    for a, b in zip(cached["history"], plain["history"], strict=True):
        assert a["step"] == b["step"] and a["val_accuracy"] == b["val_accuracy"]
        assert a["train_loss"] == pytest.approx(b["train_loss"], abs=1e-5)
        assert a["val_loss"] == pytest.approx(b["val_loss"], abs=1e-5)
    torch.testing.assert_close(
        torch.tensor(cached["test_probs"]), torch.tensor(plain["test_probs"]), atol=2e-5, rtol=0
    )


def test_a_second_trial_reuses_the_cache(run_tiny: RunTrial) -> None:
    cache.clear()
    first, _ = run_tiny("strategy=head_only", "seed=0")
    second, _ = run_tiny("strategy=head_only", "seed=1")
    assert first["cache_hit"] is False and first["cache_time_s"] > 0
    assert second["cache_hit"] is True and second["cache_time_s"] == 0
    assert second["frozen_prefix"] == "pooled"
    other, _ = run_tiny("strategy=top_k", "strategy.k=1")  # another prefix: built, not reused
    assert other["cache_hit"] is False and other["frozen_prefix"] == "layers:1"


def test_each_trial_of_a_cell_is_charged_its_share_of_the_build(run_tiny: RunTrial) -> None:
    cache.clear()
    users = ("strategy=head_only", "train.cache_users=3")
    builder, _ = run_tiny(*users, "seed=0")
    reusers = [run_tiny(*users, f"seed={s}")[0] for s in (1, 2)]
    build = builder["cache_build_s"]
    assert 0 < build <= builder["cache_time_s"]  # spent: the build plus hashing and the disk write
    for rec in [builder, *reusers]:
        assert rec["cache_build_s"] == build  # the same caches, wherever they were built
        assert rec["cache_share_s"] == pytest.approx(build / 3)
        assert rec["train_time_s"] >= rec["cache_share_s"]
    assert all(r["cache_time_s"] == 0 and r["cache_hit"] for r in reusers)
    # over the cell the shares add up to the one build; wall time holds what was really spent
    assert sum(r["cache_share_s"] for r in [builder, *reusers]) == pytest.approx(build)
    assert builder["wall_time_s"] >= builder["cache_time_s"]


def test_a_standalone_trial_is_charged_what_it_spent(run_tiny: RunTrial) -> None:
    cache.clear()
    rec, _ = run_tiny("strategy=head_only")
    assert rec["cache_share_s"] == rec["cache_time_s"] >= rec["cache_build_s"] > 0
    again, _ = run_tiny("strategy=head_only", "seed=1")  # the caches are in memory now
    assert again["cache_hit"] and again["cache_share_s"] == again["cache_time_s"] == 0
    full, _ = run_tiny("strategy=full")
    assert full["cache_share_s"] == full["cache_build_s"] == full["cache_time_s"] == 0


@pytest.mark.parametrize(
    ("overrides", "prefix"),
    [
        (("strategy=full",), 0),
        (("strategy=top_k", "strategy.k=1"), 1),
        (("strategy=top_k", "strategy.k=2"), 0),
        (("strategy=freeze_bottom", "strategy.k=1"), 1),
        (("strategy=head_only",), 2),
        (("strategy=bitfit",), 0),
    ],
)
def test_frozen_prefix_counts_the_frozen_bottom(overrides: tuple[str, ...], prefix: int) -> None:
    spec = load_spec(["model=tiny", "tracker=none", *overrides])
    model, plan = _build_model(
        spec, len(load_tokenizer(spec.model.name_or_path)), 2, torch.device("cpu")
    )
    assert cache.frozen_prefix(model) == prefix
    cache.set_train_mode(model)
    frozen_blocks = [model.encoder.embeddings, *model.layers][: prefix + 1 if prefix else 0]
    assert all(not b.training for b in frozen_blocks)  # frozen blocks never see dropout
    assert model.head.training


def test_a_fresh_process_reads_the_cache_from_disk(
    run_tiny: RunTrial, prefix_cache_dir: Path
) -> None:
    """A second trial after the in-memory caches are gone (as in a new process) builds nothing:
    it reads the files the first one wrote, keyed by content, and gets the same numbers."""
    cache.clear()
    first, _ = run_tiny("strategy=head_only", *NO_DROPOUT)
    files = sorted(prefix_cache_dir.glob("*.prefix"))
    assert first["cache_hit"] is False and len(files) == 3  # train, val, test
    cache.clear()  # what a new process starts with
    second, _ = run_tiny("strategy=head_only", *NO_DROPOUT)
    assert second["cache_hit"] is True and second["cache_build_s"] == pytest.approx(
        first["cache_build_s"]
    )
    # reading the files is not timed against building them here: on 2 busy cores the
    # tiny model's forward pass and a file read take the same ~30 ms (make bench measures it)
    assert second["cache_share_s"] == second["cache_time_s"]
    assert (first["cache_builds"], second["cache_builds"]) == (2, 0)  # train and val, then none
    for key in ("val_accuracy", "val_loss", "test_accuracy", "train_loss"):
        assert second[key] == pytest.approx(first[key], abs=1e-6), key
    assert sorted(prefix_cache_dir.glob("*.prefix")) == files


def test_the_disk_key_follows_the_weights_not_the_path(tmp_path: Path) -> None:
    """Same split, changed frozen weights: another key; same weights: the same key."""
    spec = load_spec(["model=tiny", "strategy=head_only", "train.precision=fp32"])
    tok = load_tokenizer(spec.model.name_or_path)
    model, _ = _build_model(spec, len(tok), 2, torch.device("cpu"))
    before = cache._frozen_digest(model, model.num_layers)
    assert cache._frozen_digest(model, model.num_layers) == before
    with torch.no_grad():
        model.layers[0].attention.self.query.weight.add_(1e-3)
    assert cache._frozen_digest(model, model.num_layers) != before
