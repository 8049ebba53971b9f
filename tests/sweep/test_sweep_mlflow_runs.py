"""What a sweep's runs look like in MLflow (a real SQLite store in tmp_path, the smoke sweep):
names that read at a glance, one unit for every score, parents that carry model, dataset and
source, an experiment that opens as a model-training one with the comparison columns saved."""

from __future__ import annotations

import json
import re

import pytest

from harness.sweep.names import cell_label, run_name
from harness.sweep.session import comparison_columns
from harness.sweep.spec import Cell

pytestmark = pytest.mark.slow

SCORES = re.compile(r"(accuracy|macro_f1|entity_f1|exact_match|f1)(_mean|_ci_low|_ci_high)?$")


def test_cells_and_runs_are_named_by_what_varies() -> None:
    default = Cell((("strategy", "lora"), ("train_size", 300)))
    suite = Cell((("dataset", "sst5"), ("strategy", "lora"), ("train_size", 300)))
    tuned = Cell((("optimizer.lr", 0.001), ("strategy", "full"), ("train_size", 100)))
    assert [cell_label(c) for c in (default, suite, tuned)] == [
        "lora@300",
        "sst5 lora@300",
        "lr=0.001 full@100",
    ]
    assert run_name(default, "cell") == "lora@300"
    assert run_name(default, "search", 4) == "lora@300 search #4"
    assert run_name(suite, "confirm", seed=2) == "sst5 lora@300 seed 2"


def test_run_names_and_units_in_the_runs_table(smoke_run, tmp_path) -> None:
    import mlflow

    from harness.cli import main

    run, _ = smoke_run
    assert main(["report", str(run.root / "out"), f"out={tmp_path / 'report'}"]) == 0
    client = mlflow.MlflowClient(tracking_uri=f"sqlite:///{run.root / 'mlflow.db'}")
    exp = client.get_experiment_by_name("sweep-smoke")
    runs = client.search_runs([exp.experiment_id], max_results=1000)
    parents = {r.info.run_id: r for r in runs if r.data.tags.get("phase") == "cell"}
    children = [r for r in runs if "mlflow.parentRunId" in r.data.tags]

    # names: the cell as strategy@size; its runs as the cell plus search #n or seed n
    assert sorted(p.info.run_name for p in parents.values()) == ["full@32", "head_only@32"]
    for child in children:
        parent = parents[child.data.tags["mlflow.parentRunId"]].info.run_name
        tags = child.data.tags
        want = (
            f"{parent} search #{child.data.params['trial_number']}"
            if tags["phase"] == "search"
            else f"{parent} seed {tags['seed']}"
        )
        assert child.info.run_name == want
        assert parent == f"{tags['strategy']}@{tags['train_size']}"

    # one unit: every score is a fraction, on trials, on cells and in the comparison with full
    for r in runs:
        for key, value in r.data.metrics.items():
            if SCORES.search(key.removeprefix("epoch/")) and key != "diff_vs_full":
                assert 0.0 <= value <= 1.0, (r.info.run_name, key, value)
    by_name = {p.info.run_name: p.data.metrics for p in parents.values()}
    full, head = by_name["full@32"], by_name["head_only@32"]
    kids = [
        c
        for c in children
        if c.data.tags["phase"] == "confirm" and c.info.run_name.startswith("full@32")
    ]
    assert full["test_accuracy_mean"] == pytest.approx(
        sum(c.data.metrics["test_accuracy"] for c in kids) / len(kids)
    )
    # the difference is in the cells' unit: head_only's mean minus full's, not points
    assert head["diff_vs_full"] == pytest.approx(
        head["test_accuracy_mean"] - full["test_accuracy_mean"], abs=1e-9
    )
    assert head["diff_vs_full_ci_low"] <= head["diff_vs_full"] <= head["diff_vs_full_ci_high"]

    # parents: model, dataset (params and an input, as the children), source, commit
    child = children[0]
    for parent in parents.values():
        assert parent.data.params["model"] == "tiny" and parent.data.params["dataset"] == "sst2"
        assert parent.data.params["model_name_or_path"] == child.data.params["model_name_or_path"]
        assert parent.data.params["model_name_or_path"].startswith("bert, random init; tokenizer")
        [given] = parent.inputs.dataset_inputs
        assert given.dataset.name == "sst2"
        assert parent.data.tags["mlflow.source.name"].startswith("harness sweep ")
        assert parent.data.tags["mlflow.source.name"].endswith("smoke.yaml")
    assert (
        child.data.tags["mlflow.source.name"]
        == parents[child.data.tags["mlflow.parentRunId"]].data.tags["mlflow.source.name"]
    )

    # the experiment: a model-training one whose description names the unit, with the saved
    # view of the comparison columns that `make ui` links to
    assert exp.tags["mlflow.experimentKind"] == "custom_model_development"
    assert "fraction" in exp.tags["mlflow.note.content"]
    view = json.loads(exp.tags["mlflow.sharedViewState.harness-compare"])
    state = json.loads(view["state"])
    assert state["selectedColumns"] == state["columnOrder"] == comparison_columns("val_accuracy")
    assert state["selectedColumns"][0] == "metrics.`test_accuracy_mean`"
    assert view["name"] == "compare smoke" and isinstance(view["createdAt"], int)
