"""The sweep file: cells, per-strategy ranges, overrides, and an error naming the key for each mistake."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from sweeptools import SMOKE

from harness.errors import ConfigError
from harness.sweep.spec import Cell, ParamRange, load_sweep


def write(tmp_path: Path, **changes: object) -> Path:
    """The smoke sweep file with some top-level keys replaced (None removes a key)."""
    raw = yaml.safe_load(SMOKE.read_text(encoding="utf-8"))
    for key, value in changes.items():
        if value is None:
            raw.pop(key, None)
        else:
            raw[key] = value
    path = tmp_path / "sweep.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def search(**changes: object) -> dict[str, object]:
    raw = yaml.safe_load(SMOKE.read_text(encoding="utf-8"))["search"]
    return {**raw, **changes}


# -- cells ------------------------------------------------------------------------------------------


def test_cells_are_the_grid_product_in_file_order():
    spec = load_sweep(SMOKE)
    assert [c.values for c in spec.cells] == [
        (("strategy", "full"), ("train_size", 32)),
        (("strategy", "full"), ("train_size", 64)),
        (("strategy", "head_only"), ("train_size", 32)),
        (("strategy", "head_only"), ("train_size", 64)),
    ]


def test_cell_id_slug_and_overrides():
    cell = Cell((("strategy", "top_k"), ("train_size", 100)))
    assert cell.id == "strategy=top_k,train_size=100"
    assert cell.slug == "strategy-top_k__train_size-100"
    assert cell.as_dict == {"strategy": "top_k", "train_size": 100}
    assert cell.overrides() == ["strategy=top_k", "dataset.train_size=100"]
    odd = Cell((("model.name_or_path", "org/model v2"), ("strategy.k", 2)))
    assert odd.slug == "model.name_or_path-org_model_v2__strategy.k-2"  # no '/' or space
    assert odd.overrides() == ["model.name_or_path=org/model v2", "strategy.k=2"]


def test_space_for_merges_the_strategy_space(tmp_path):
    path = write(
        tmp_path,
        search=search(
            strategy_space={
                "head_only": {
                    "lr": {"low": 1e-3, "high": 1e-1, "log": True},
                    "strategy.k": {"low": 1, "high": 4},
                }
            }
        ),
    )
    spec = load_sweep(path)
    full, head = spec.cells[0], spec.cells[2]
    assert [r.name for r in spec.space_for(full)] == ["dropout", "lr", "weight_decay"]
    assert {r.name: r for r in spec.space_for(full)}["lr"] == ParamRange("lr", 1e-4, 1e-2, True)
    merged = {r.name: r for r in spec.space_for(head)}
    assert sorted(merged) == ["dropout", "lr", "strategy.k", "weight_decay"]
    assert merged["lr"] == ParamRange("lr", 1e-3, 1e-1, True)
    assert merged["dropout"] == ParamRange("dropout", 0.0, 0.3, False)
    assert merged["lr"].override_key == "optimizer.lr"
    assert merged["weight_decay"].override_key == "regularization.weight_decay"
    assert merged["strategy.k"].override_key == "strategy.k"


# -- overrides --------------------------------------------------------------------------------------


def test_overrides_replace_sweep_keys(tmp_path):
    spec = load_sweep(
        SMOKE,
        [
            "grid.train_size=[32]",
            "search.n_trials=2",
            "search.sampler.name=random",
            "confirm.seeds=[5, 7]",
            f"out={tmp_path / 'o'}",
            "workers=3",
            "tracker.name=none",
        ],
    )
    assert spec.grid == {"strategy": ["full", "head_only"], "train_size": [32]}
    assert [c.id for c in spec.cells] == [
        "strategy=full,train_size=32",
        "strategy=head_only,train_size=32",
    ]
    assert spec.n_trials == 2
    assert spec.sampler == {"name": "random", "seed": 0}
    assert spec.seeds == [5, 7]
    assert spec.out == tmp_path / "o"
    assert spec.storage == f"sqlite:///{(tmp_path / 'o' / 'study.db').resolve()}"
    assert spec.workers == 3 and spec.tracker["name"] == "none"
    assert spec.raw["search"]["n_trials"] == 2  # what is written to <out>/sweep.yaml


def test_a_bare_name_picks_a_tracker_sampler_or_pruner(tmp_path):
    tracked = write(tmp_path, tracker={"name": "mlflow", "uri": "http://mlflow-host:5000"})
    spec = load_sweep(tracked, ["tracker=none", "search.pruner=hyperband", "search.sampler=random"])
    assert spec.tracker == {"name": "none", "uri": "http://mlflow-host:5000"}  # the uri is kept
    assert spec.pruner == {"name": "hyperband"}  # median's options do not leak into hyperband
    assert spec.sampler == {"name": "random", "seed": 0}
    assert load_sweep(write(tmp_path, tracker="none")).tracker["name"] == "none"


def test_trials_select_their_epoch_on_the_studys_metric(tmp_path):
    spec = load_sweep(SMOKE, ["search.metric=val_macro_f1"])
    assert spec.trial_base == [*spec.base, "train.selection_metric=macro_f1"]
    with pytest.raises(ConfigError) as err:
        load_sweep(write(tmp_path, base=["model=tiny", "train.selection_metric=accuracy"]))
    assert err.value.key.endswith(": base") and "search.metric" in err.value.problem


def test_defaults_without_overrides():
    spec = load_sweep(SMOKE)
    assert spec.name == "smoke" and spec.n_trials == 3 and spec.seeds == [0, 1]
    assert spec.metric == "val_accuracy"
    assert spec.pruner == {"name": "median", "n_startup_trials": 1}
    assert spec.out == Path("runs") / "smoke" and spec.workers == 1
    # what <out>/sweep.yaml records is the file as written: no keys added by defaults
    assert set(spec.raw) == set(yaml.safe_load(SMOKE.read_text(encoding="utf-8")))


# -- errors -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"serach": {"n_trials": 2}}, "serach"),
        ({"search": search(n_trails=2)}, "search.n_trails"),
        ({"search": search(n_trials=0)}, "search.n_trials"),
        ({"search": search(n_trials=1.5)}, "search.n_trials"),
        ({"search": search(space={"lr": {"low": 1e-2, "high": 1e-4}})}, "search.space.lr"),
        ({"search": search(space={"lr": {"low": 1e-3, "high": 1e-3}})}, "search.space.lr"),
        (
            {"search": search(space={"dropout": {"low": 0.0, "high": 0.3, "log": True}})},
            "search.space.dropout",
        ),
        ({"search": search(space={"lr": {"low": 1e-4}})}, "search.space.lr"),
        ({"search": search(space={})}, "search.space"),
        (
            {
                "search": search(
                    strategy_space={"full": {"lr": {"low": -1, "high": 1, "log": True}}}
                )
            },
            "search.strategy_space.full.lr",
        ),
        ({"search": search(sampler={"name": "grid"})}, "search.sampler.name"),
        ({"search": search(pruner={"name": "patient"})}, "search.pruner.name"),
        ({"grid": {}}, "grid"),
        ({"grid": {"strategy": []}}, "grid.strategy"),
        ({"confirm": {"seeds": 2, "reuse": True}}, "confirm.reuse"),
        ({"workers": 0}, "workers"),
        ({"workers": True}, "workers"),
        ({"base": ["model"]}, "base"),
        ({"search": 3}, "search"),
        ({"search": search(space=3)}, "search.space"),
        ({"search": search(space={"lr": {"low": "tiny", "high": 1e-3}})}, "search.space.lr"),
        (
            {"search": search(space={"lr": {"low": 1e-5, "high": 1e-3, "log": "yes"}})},
            "search.space.lr.log",
        ),
        ({"search": search(strategy_space={"lora": 3})}, "search.strategy_space.lora"),
        ({"search": search(metric="val_loss")}, "search.metric"),  # the study maximises
        ({"search": search(metric="val_acc")}, "search.metric"),
        ({"search": search(heartbeat_s=0)}, "search.heartbeat_s"),
        ({"search": search(sampler={"name": "tpe", "seed": "x"})}, "search.sampler.seed"),
        ({"search": search(sampler={"name": "random", "n_startup_trials": 5})}, "search.sampler"),
        (
            {"search": search(sampler={"name": "tpe", "n_startup_trials": "x"})},
            "search.sampler.n_startup_trials",
        ),
        ({"search": search(pruner={"name": "median", "patience": 2})}, "search.pruner"),
        ({"confirm": 3}, "confirm"),
        ({"confirm": {"seeds": 0}}, "confirm.seeds"),
        ({"confirm": {"seeds": [1, 1]}}, "confirm.seeds"),
        ({"confirm": {"seeds": ["a"]}}, "confirm.seeds"),
        ({"confirm": {"seeds": 2, "reuse_search_run": "maybe"}}, "confirm.reuse_search_run"),
        ({"confirm": {"seeds": 3, "data_seeds": [0, 0, 1]}}, "confirm.data_seeds"),
        ({"confirm": {"seeds": 3, "data_seeds": [-1]}}, "confirm.data_seeds"),
        ({"confirm": {"seeds": {"min": 4, "max": 3}}}, "confirm.seeds.min"),
        ({"confirm": {"seeds": {"min": 3, "max": 101}}}, "confirm.seeds.max"),
        ({"report": {"margin": 0}}, "report.margin"),
        ({"report": {"margin": "wide"}}, "report.margin"),
        ({"report": {"alpha": 0.7}}, "report.alpha"),
        (
            {"search": search(pruner={"name": "successive_halving", "warmup_share": 1})},
            "search.pruner.warmup_share",
        ),
        ({"tracker": 3}, "tracker"),
        ({"tracker": {"name": "wandb"}}, "tracker.name"),
        ({"tracker": {"name": "mlflow", "url": "http://x"}}, "tracker.url"),
        ({"name": ["a"]}, "name"),
        ({"out": {"dir": "x"}}, "out"),
    ],
)
def test_bad_sweep_file_names_the_key(tmp_path, changes, key):
    path = write(tmp_path, **changes)
    with pytest.raises(ConfigError) as err:
        load_sweep(path)
    assert err.value.key == f"{path}: {key}"
    assert key in str(err.value)


@pytest.mark.parametrize(
    ("override", "key"),
    [
        ("serach.n_trials=2", "serach.n_trials"),
        ("nme=x", "nme"),
        ("search.n_trials=0", "search.n_trials"),
        ("search.space.lr.low=1", "search.space.lr"),
        ("search.pruner.name=patient", "search.pruner.name"),
        ("search.n_trails=2", "search.n_trails"),
        ("n_trials", "n_trials"),
        ("tracker=wandb", "tracker.name"),
        ("search.pruner=patient", "search.pruner.name"),
        ("confirm.seeds=abc", "confirm.seeds"),
    ],
)
def test_bad_override_names_the_key(override, key):
    with pytest.raises(ConfigError) as err:
        load_sweep(SMOKE, [override])
    assert key in err.value.key


def test_missing_sweep_file_lists_the_known_ones(tmp_path, monkeypatch):
    monkeypatch.chdir(SMOKE.parents[1])
    with pytest.raises(ConfigError) as err:
        load_sweep(tmp_path / "nope.yaml")
    assert err.value.key == "sweep file"
    assert "not found" in err.value.problem and "nope.yaml" in err.value.problem
    assert "smoke.yaml" in str(err.value.allowed)
