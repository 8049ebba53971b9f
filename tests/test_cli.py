"""`harness trial ...`: bad input gives one line on stderr and exit 2; a real run through the CLI
(a subprocess, as a user runs it) writes a valid record and exactly one MLflow run."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import torch
from bad_inputs import BAD_INPUTS, BadInput
from clitools import harness as _harness
from clitools import no_training as _no_training

from harness import trial as wiring
from harness.cli import main
from harness.record import read_record, validate_record


@pytest.mark.parametrize("bad", BAD_INPUTS, ids=[b.id for b in BAD_INPUTS])
def test_bad_input_prints_one_error_line_and_exits_2(
    bad: BadInput,
    tiny_overrides: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if bad.needs_no_gpu and torch.cuda.is_available():
        pytest.skip("a GPU is present: device=cuda is valid here")
    monkeypatch.setattr(wiring, "train", _no_training)
    code = main(["trial", *tiny_overrides, *bad.overrides(tmp_path)])
    out, err = capsys.readouterr()
    assert code == 2
    assert re.fullmatch(rf"error: {re.escape(bad.key)}: {bad.message}.*\n", err, re.S), err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "record:" not in out
    assert not list(tmp_path.rglob("*.json"))


def test_bad_input_exit_status_of_the_real_process(tmp_path: Path) -> None:
    proc = _harness("trial", "model=tiny", "strategy=top_k", "strategy.kk=2", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip() == "error: strategy.kk: no such key in strategy=top_k (allowed: k)"
    assert proc.stdout == "" and not list(tmp_path.rglob("*.json"))


@pytest.mark.slow
def test_trial_end_to_end_through_the_cli(tmp_path: Path, mlflow_uri: str) -> None:
    import mlflow

    out = tmp_path / "runs"
    proc = _harness(
        "trial",
        "model=tiny",
        "strategy=top_k",
        "strategy.k=1",
        "dataset.train_size=48",
        "dataset.val_size=32",
        "train.epochs=2",
        "train.batch_size=16",
        "train.drift_examples=16",
        "seed=3",
        "tracker=mlflow",
        f"tracker.uri={mlflow_uri}",
        "tracker.experiment=e2e",
        f"out={out}",
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    # the summary names the strategy, the model and its family, the data and its size
    assert proc.stdout.startswith("completed: top_k on tiny (bert), sst2 n=48 (seed=3, cpu"), (
        proc.stdout
    )
    last = proc.stdout.strip().splitlines()[-1]
    match = re.fullmatch(r"record: (.+\.json)", last)
    assert match, proc.stdout
    path = Path(match.group(1))
    assert path.parent == out and path.name.endswith("-top_k-n48-s3.json")
    assert f"mlflow: {mlflow_uri}" in proc.stdout
    rec = read_record(path)
    assert validate_record(rec) == []
    assert rec["status"] == "completed" and rec["epochs_run"] == 2 and len(rec["history"]) == 2

    client = mlflow.MlflowClient(tracking_uri=mlflow_uri)
    experiment = client.get_experiment_by_name("e2e")
    assert experiment is not None
    runs = client.search_runs([experiment.experiment_id])
    assert len(runs) == 1
    run = runs[0]
    assert run.info.run_id == rec["mlflow_run_id"] and run.info.status == "FINISHED"
    assert run.info.run_name == "top_k-n48-s3"
    params = run.data.params
    assert params["strategy"] == "top_k" and params["model"] == "tiny"
    assert params["train_size"] == "48" and params["seed"] == "3"
    assert float(params["lr"]) == rec["lr"] and params["frozen_prefix"] == "layers:1"
    metrics = run.data.metrics
    for key in ("val_accuracy", "test_accuracy", "test_macro_f1", "train_time_s"):
        assert metrics[key] == pytest.approx(rec[key])
    assert metrics["trainable_params"] == rec["trainable_params"]
    assert metrics["param_drift"] == pytest.approx(rec["param_drift"])  # every numeric field
    assert metrics["repr_cka"] == pytest.approx(rec["repr_cka"])
    # the resolved config as params: what was loaded, strategy and train settings
    assert params["model_name_or_path"] == rec["model_name_or_path"]
    assert rec["model_name_or_path"].startswith("bert, random init; tokenizer from ")
    assert params["config.model.name_or_path"] == rec["config"]["model"]["name_or_path"]
    assert params["config.strategy.k"] == "1" and params["batch_size"] == str(rec["batch_size"])
    history = client.get_metric_history(run.info.run_id, "epoch/val_accuracy")
    assert [m.value for m in history] == pytest.approx([h["val_accuracy"] for h in rec["history"]])
    assert [m.step for m in history] == [h["step"] for h in rec["history"]]
    # real times: the run spans the trial, evaluations are stamped when they happened
    assert 0 < run.info.start_time <= history[0].timestamp <= history[-1].timestamp
    assert history[-1].timestamp <= run.info.end_time
    tags = run.data.tags
    assert tags["status"] == "completed" and tags["strategy"] == "top_k" and tags["seed"] == "3"
    assert tags["mlflow.source.git.commit"] == rec["git_sha"]
    assert tags["git_dirty"] in ("True", "False")
    inputs = run.inputs.dataset_inputs
    assert [d.dataset.name for d in inputs] == [rec["dataset"]]
    artifacts = {a.path for a in client.list_artifacts(run.info.run_id)}
    assert {"config.yaml", "record.json"} <= artifacts
    assert Path(experiment.artifact_location.removeprefix("file://")).is_relative_to(tmp_path)


def test_cache_info_and_clear(tmp_path: Path, prefix_cache_dir: Path) -> None:
    """`harness cache info|clear` on the folder `train.cache_dir=auto` uses ($HARNESS_CACHE_DIR)."""
    from harness.cache_store import DiskStore

    DiskStore(prefix_cache_dir, max_mb=10).save("k", {"values": torch.zeros(3)})
    info = _harness("cache", "info", cwd=tmp_path)
    assert info.returncode == 0 and f"{prefix_cache_dir}: 1 cache file(s)" in info.stdout
    cleared = _harness("cache", "clear", cwd=tmp_path)
    assert cleared.returncode == 0 and cleared.stdout.startswith("cleared 1 cache file(s)")
    assert not list(prefix_cache_dir.glob("*.prefix"))
    bad = _harness("cache", "wipe", cwd=tmp_path)
    assert bad.returncode == 2 and bad.stderr.startswith("error: cache: unknown arguments 'wipe'")


@pytest.mark.parametrize("command", ["sweep", "worker", "report", "advise", "cache"])
def test_every_command_answers_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    """`harness <command> --help` prints its usage and exits 0 (not `error: --help: not found`)."""
    for flag in ("--help", "-h"):
        assert main([command, flag]) == 0
        out, err = capsys.readouterr()
        assert out.startswith(f"usage: harness {command} ") and not err
