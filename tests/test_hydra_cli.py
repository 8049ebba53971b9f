"""Hydra's conventions on `harness trial`: `--help` lists the groups, `--cfg job` prints the
config, `-m` runs the product of comma-separated values, user config folders add options, and
every record keeps the overrides that made it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from harness import trial as wiring
from harness.cli import main
from harness.config import GROUPS, group_options, load_spec
from harness.multirun import expand
from harness.paths import CONFIG_PATH_ENV
from harness.record import read_record, validate_record


def _no_training(*args: object, **kwargs: object) -> None:
    raise AssertionError("training started")


@pytest.fixture
def user_conf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A user's config folder with `strategy=mine` (top-1 layers), on $HARNESS_CONFIG_PATH."""
    folder = tmp_path / "my-conf"
    (folder / "strategy").mkdir(parents=True)
    (folder / "strategy" / "mine.yaml").write_text(
        "# my strategy: the top_k option with k=1\ndefaults:\n  - top_k\n  - _self_\nk: 1\n",
        encoding="utf-8",
    )
    monkeypatch.setenv(CONFIG_PATH_ENV, str(folder))
    return folder


def test_help_lists_every_group_with_its_options_and_the_main_keys(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["trial", "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: harness trial")
    listing = re.sub(r"\n {17}", " ", out)  # undo the wrapping of long option lists
    for group in GROUPS:
        line = re.search(rf"^  {group} +(.+)$", listing, re.M)
        assert line, group
        assert [o.rstrip("*") for o in line.group(1).split(", ")] == group_options(group)
    assert re.search(r"^  strategy +.*\bfull\*", listing, re.M)  # the default is marked
    assert re.search(r"^  seed=0 +training seed", out, re.M)
    assert re.search(r"^  train\.batch_size=\S+ ", out, re.M)
    assert "--multirun" in out and "--cfg" in out and "--config-dir" in out


def test_cfg_job_prints_the_composed_yaml_and_trains_nothing(
    tiny_overrides: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(wiring, "train", _no_training)
    assert main(["trial", "--cfg", "job", *tiny_overrides, "strategy=top_k", "strategy.k=2"]) == 0
    cfg = yaml.safe_load(capsys.readouterr().out)
    assert "hydra" not in cfg and cfg["strategy"]["k"] == 2
    assert cfg["model"]["name"] == "tiny" and cfg["dataset"]["train_size"] == 48
    assert not list(tmp_path.rglob("*.json"))

    assert main(["trial", "-m", "--cfg=job", "strategy=full,lora", "model=tiny"]) == 0
    out = capsys.readouterr().out
    assert out.count("# trial ") == 2 and "strategy=lora" in out


def test_multirun_runs_the_product_and_each_record_keeps_its_overrides(
    tiny_overrides: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["trial", *tiny_overrides, "-m", "strategy=full,head_only", "dataset.train_size=32,48"]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    lines = [line for line in out.splitlines() if line.startswith("[")]
    assert len(lines) == 4 and all(" completed " in line for line in lines)
    # Hydra's order: a key keeps the place of its first mention (train_size is in tiny_overrides)
    assert lines[1].startswith("[2/4] completed dataset.train_size=32 strategy=head_only  val ")
    records = sorted((tmp_path / "runs").glob("*.json"))
    assert f"records: {tmp_path / 'runs'}" in out
    combos = set()
    for path in records:
        rec = read_record(path)
        assert validate_record(rec) == [] and rec["status"] == "completed"
        swept = (f"dataset.train_size={rec['train_size']}", f"strategy={rec['strategy']}")
        assert [o for o in rec["overrides"] if o not in swept] == [
            o for o in tiny_overrides if not o.startswith("dataset.train_size=")
        ]
        assert set(swept) <= set(rec["overrides"])
        combos.add((rec["strategy"], rec["train_size"]))
    assert combos == {(s, n) for s in ("full", "head_only") for n in (32, 48)}


def test_multirun_splits_commas_only_where_hydra_does() -> None:
    jobs = expand(["strategy=full,lora", "x=[1,2]", "y='a,b'", "seed=range(0,2)", "+z=3"])
    assert len(jobs) == 4
    assert jobs[0] == ["strategy=full", "x=[1,2]", "y='a,b'", "seed=0", "+z=3"]
    assert jobs[3] == ["strategy=lora", "x=[1,2]", "y='a,b'", "seed=1", "+z=3"]
    globbed = [job[0] for job in expand(["strategy=glob(l*)"])]
    assert globbed == [f"strategy={o}" for o in group_options("strategy") if o.startswith("l")]


def test_several_values_without_multirun_say_so(
    tiny_overrides: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["trial", *tiny_overrides, "strategy=full,lora"]) == 2
    err = capsys.readouterr().err
    assert err == "error: strategy: several values: add -m (--multirun) to run each\n"


def test_unknown_flag_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trial", "--cfgg", "job"]) == 2
    assert capsys.readouterr().err.startswith("error: --cfgg: unknown flag")


def test_user_config_folder_adds_an_option_beside_conf(
    user_conf: Path, tiny_overrides: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    options = group_options("strategy")
    assert "mine" in options and "full" in options and "top_k" in options
    spec = load_spec([*tiny_overrides, "strategy=mine"])
    assert spec.choices["strategy"] == "mine"
    assert spec.strategy_cfg["k"] == 1 and spec.strategy_cfg["_target_"].endswith("top_k.apply")
    assert spec.overrides == (*tiny_overrides, "strategy=mine")
    assert main(["trial", "--help"]) == 0
    listing = re.sub(r"\n {17}", " ", capsys.readouterr().out)
    assert re.search(r"^  strategy .*\bmine\b", listing, re.M)


def test_config_dir_flag_adds_a_folder(
    user_conf: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(CONFIG_PATH_ENV, "")  # only the flag now; restored after the test
    assert main(["trial", "--cfg", "job", "model=tiny", "strategy=mine"]) == 2
    capsys.readouterr()
    assert main(["trial", "--config-dir", str(user_conf), "--cfg", "job", "strategy=mine"]) == 0
    assert yaml.safe_load(capsys.readouterr().out)["strategy"]["k"] == 1


def test_missing_user_config_folder_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(CONFIG_PATH_ENV, str(tmp_path / "nope"))
    assert main(["trial", "--cfg", "job"]) == 2
    assert capsys.readouterr().err == (
        f"error: {CONFIG_PATH_ENV}: no such config folder: {tmp_path / 'nope'}\n"
    )


def test_help_and_cfg_through_the_real_process(tmp_path: Path) -> None:
    """`python -m harness trial --help | --cfg job`, as a user runs them: exit 0, nothing written."""
    for args in (["--help"], ["--cfg", "job", "model=tiny", "strategy=lora"]):
        proc = subprocess.run(
            [sys.executable, "-m", "harness", "trial", *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    assert yaml.safe_load(proc.stdout)["strategy"]["_target_"].startswith("harness.strategies")
    assert list(tmp_path.iterdir()) == []
