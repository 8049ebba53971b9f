"""Token classification end to end: task/head pairing, per-token logits, loss, cache, trials."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import torch
from hydra.utils import instantiate

from harness import cache as prefix_cache
from harness.config import group_options, load_spec
from harness.data.align import IGNORE, encode_words
from harness.data.batching import eval_batches
from harness.errors import ConfigError
from harness.models import Classifier, load_encoder, load_tokenizer
from harness.models.heads import TokenLinearHead
from harness.record import validate_record
from harness.tasks.token_classification import token_loss
from harness.trial import run_trial

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def synthetic_conll(tmp_path: Path, write_conll: Callable[..., Path]) -> Path:
    return write_conll(tmp_path / "conll", n_train=160, n_test=60)


def _overrides(data_dir: Path, tmp_path: Path, *extra: str) -> list[str]:
    return [
        "model=tiny",
        "tracker=none",
        "dataset=conll2003",
        f"dataset.data_dir={data_dir}",
        "head=token_linear",
        "dataset.train_size=64",
        "dataset.val_size=32",
        "train.epochs=1",
        "train.drift_examples=16",
        f"record_path={tmp_path / 'rec.json'}",
        *extra,
    ]


# -- compose-time pairing of task and head --------------------------------------------------------
def test_sequence_head_on_a_token_dataset_names_head(synthetic_conll: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_spec(["dataset=conll2003", f"dataset.data_dir={synthetic_conll}", "head=linear"])
    assert err.value.key == "head"
    assert err.value.allowed is not None and "token_linear" in err.value.allowed
    assert "linear" not in err.value.allowed.split(", ")  # only heads that fit are offered


def test_token_head_on_a_sequence_dataset_names_head() -> None:
    with pytest.raises(ConfigError) as err:
        load_spec(["dataset=sst2", "head=token_linear"])
    assert err.value.key == "head"
    assert err.value.allowed is not None and "linear" in err.value.allowed.split(", ")
    assert "token_linear" not in err.value.allowed


def test_token_tasks_select_on_entity_f1_unless_told(synthetic_conll: Path) -> None:
    overrides = _overrides(synthetic_conll, synthetic_conll)
    assert load_spec(overrides).train.selection_metric == "entity_f1"
    told = load_spec([*overrides, "train.selection_metric=macro_f1"])
    assert told.train.selection_metric == "macro_f1"


def test_sentence_augmentation_is_refused_for_token_tasks(synthetic_conll: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_spec(_overrides(synthetic_conll, synthetic_conll, "augmentation=eda"))
    assert err.value.key == "augmentation"


# -- model, loss, cache ---------------------------------------------------------------------------
@pytest.fixture
def tiny_token_model(synthetic_conll: Path, tmp_path: Path) -> tuple[Classifier, object]:
    spec = load_spec(_overrides(synthetic_conll, tmp_path))
    tokenizer = load_tokenizer(spec.model.name_or_path)
    torch.manual_seed(0)
    encoder = load_encoder(spec.model, len(tokenizer), 0.0)
    head = TokenLinearHead(encoder.config.hidden_size, 9, dropout=0.0)
    return Classifier(encoder, head).eval(), tokenizer


def test_classifier_returns_per_token_logits(tiny_token_model) -> None:  # noqa: ANN001
    model, tokenizer = tiny_token_model
    split = encode_words(tokenizer, [["alice", "met", "bob"], ["paris"]], [[4, 0, 4], [1]], 32)
    batch = next(eval_batches(split, 2))
    logits = model(batch.attention_mask, input_ids=batch.input_ids)
    assert logits.shape == (2, batch.input_ids.shape[1], 9)


def test_token_loss_ignores_unlabelled_positions() -> None:
    torch.manual_seed(0)
    logits = torch.randn(2, 5, 4)
    labels = torch.tensor([[IGNORE, 1, IGNORE, 3, IGNORE], [IGNORE, 0, 2, IGNORE, IGNORE]])
    keep = labels != IGNORE
    for smoothing in (0.0, 0.1):
        base = instantiate(load_spec(["loss=ce"]).loss_cfg)(label_smoothing=smoothing)
        expected = torch.nn.functional.cross_entropy(
            logits[keep], labels[keep], label_smoothing=smoothing
        )
        assert torch.allclose(token_loss(base)(logits, labels), expected)
    changed = logits.clone()
    changed[~keep] = 100.0  # whatever the model says at ignored positions does not count
    assert torch.allclose(token_loss(base)(changed, labels), token_loss(base)(logits, labels))


@pytest.mark.parametrize("loss", group_options("loss"))
def test_every_loss_option_works_per_token(loss: str) -> None:
    cfg = load_spec([f"loss={loss}"]).loss_cfg
    fn = instantiate(cfg, _convert_="all")(label_smoothing=0.05, class_counts=[50, 5, 5, 3])
    logits = torch.randn(3, 6, 4, requires_grad=True)
    labels = torch.full((3, 6), IGNORE)
    labels[:, 1], labels[0, 2], labels[2, 4] = 0, 1, 3
    value = token_loss(fn)(logits, labels)
    value.backward()
    assert torch.isfinite(value) and value.ndim == 0
    assert logits.grad is not None and float(logits.grad[labels == IGNORE].abs().sum()) == 0.0


def test_frozen_encoder_caches_last_hidden_states_not_pooled(tiny_token_model) -> None:  # noqa: ANN001
    model, tokenizer = tiny_token_model
    for p in model.encoder.parameters():
        p.requires_grad_(False)
    split = encode_words(
        tokenizer, [["alice", "smith", "met"], ["acme", "corp"]], [[4, 8, 0], [3, 7]], 32
    )
    prefix_cache.clear()
    caches, _ = prefix_cache.build_caches(
        model, {"train": split}, "tiny-test", 8, torch.device("cpu")
    )
    assert caches is not None
    cache = caches["train"]
    assert not cache.pooled and cache.start == model.num_layers
    assert cache.describe() == f"layers:{model.num_layers}"
    assert cache.values.shape == (2, split.input_ids.shape[1], model.encoder.config.hidden_size)
    carried = prefix_cache.with_prefix({"train": split}, caches)["train"]
    for batch, fed in zip(eval_batches(split, 2), eval_batches(carried, 2), strict=True):
        assert batch.features is None and fed.features is not None  # the data side swaps inputs
        cached = model(**fed.model_inputs())
        fresh = model(**batch.model_inputs())
        assert torch.allclose(cached, fresh, atol=1e-5)
    prefix_cache.clear()


# -- trials ---------------------------------------------------------------------------------------
def test_trial_records_entity_scores(synthetic_conll: Path, tmp_path: Path) -> None:
    rec, path = run_trial(load_spec(_overrides(synthetic_conll, tmp_path, "train.epochs=2")))
    assert rec["status"] == "completed", rec.get("error")
    assert validate_record(json.loads(path.read_text())) == []
    assert rec["task"] == "token_classification" and rec["dataset"] == "conll2003"
    for key in (
        "val_entity_f1",
        "test_entity_f1",
        "val_accuracy",
        "test_accuracy",
        "test_macro_f1",
    ):
        assert 0.0 <= rec[key] <= 1.0, key
    assert rec["test_probs"] is None  # per-token probabilities are not stored
    best = max(rec["history"], key=lambda row: row["val_entity_f1"])
    assert rec["best_epoch"] == best["epoch"]  # selection on entity F1, not accuracy
    assert rec["label_names"][0] == "O" and rec["test_size"] == 60


def test_tiny_model_learns_the_synthetic_tags(synthetic_conll: Path, tmp_path: Path) -> None:
    """Tags follow from the words, so 3 epochs on 96 sentences nearly solve it (seeded: ~1.0)."""
    overrides = _overrides(synthetic_conll, tmp_path, "train.epochs=3", "optimizer.lr=5e-3")
    spec = load_spec([*overrides, "dataset.train_size=96", "train.batch_size=16"])
    rec, _ = run_trial(spec)
    assert rec["status"] == "completed", rec.get("error")
    assert rec["test_entity_f1"] > 0.8, rec["history"]


def test_head_only_trial_uses_the_hidden_state_cache(synthetic_conll: Path, tmp_path: Path) -> None:
    rec, _ = run_trial(load_spec(_overrides(synthetic_conll, tmp_path, "strategy=head_only")))
    assert rec["status"] == "completed", rec.get("error")
    assert rec["frozen_prefix"] == "layers:2"  # tiny has 2 layers: every token state is cached
    assert rec["param_drift"] == 0.0 and rec["test_entity_f1"] is not None


@pytest.mark.slow
def test_cli_trial_on_shared_conll2003(tmp_path: Path, conll_dir: Path) -> None:
    """The documented command, on the shared copy (skipped when ../shared is absent): the task
    picks its token_linear head."""
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "harness",
            "trial",
            "model=tiny",
            "tracker=none",
            "dataset=conll2003",
            f"dataset.data_dir={conll_dir}",
            "dataset.train_size=64",  # no head: the task's
            "dataset.val_size=32",
            "train.epochs=1",
            f"out={tmp_path}",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    (path,) = tmp_path.glob("*.json")
    rec = json.loads(path.read_text())
    assert rec["status"] == "completed" and rec["test_size"] == 3453
    assert rec["test_entity_f1"] is not None and rec["val_entity_f1"] is not None
    assert rec["head"] == "token_linear"
