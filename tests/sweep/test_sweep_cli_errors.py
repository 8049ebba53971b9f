"""`harness sweep` with a bad sweep file, override or storage: exit code 2 and one `error:` line
naming the key (or the storage URL), before anything runs."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
import yaml
from sweeptools import ROOT, SMOKE, subprocess_env

from harness.cli import main


def sweep_cli(capsys, args: list[str]) -> tuple[int, str, str]:
    code = main(["sweep", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_error_line(err: str, *needles: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    assert "Traceback" not in err
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


@pytest.fixture
def where(tmp_path) -> list[str]:
    """Stores in tmp_path, so a check that slips through cannot touch the repository's."""
    return [
        f"out={tmp_path / 'out'}",
        f"storage=sqlite:///{tmp_path / 'study.db'}",
        "tracker.name=none",
    ]


@pytest.mark.parametrize(
    ("overrides", "needles"),
    [
        (["serach.n_trials=2"], ["serach", "unknown sweep key"]),
        (["search.n_trails=2"], ["search.n_trails", "unknown key"]),
        (["search.n_trials=0"], ["search.n_trials", ">= 1"]),
        (["search.space.lr={low: 0.1, high: 0.01}"], ["search.space.lr", "low < high"]),
        (["search.space.dropout.log=true"], ["search.space.dropout", "0 < low"]),
        (["search.sampler.name=grid"], ["search.sampler.name", "'grid'", "tpe"]),
        (["search.pruner.name=patient"], ["search.pruner.name", "'patient'", "median"]),
        (["nme=x"], ["nme", "unknown sweep key"]),
        (["grid.strategy=[full, nope]"], ["cell strategy=nope,train_size=32", "strategy", "nope"]),
        (  # a sentence task has no entity F1 to select on
            ["search.metric=val_entity_f1"],
            ["cell strategy=full,train_size=32", "train.selection_metric", "'entity_f1'"],
        ),
    ],
)
def test_bad_input_exits_2_with_one_error_line(capsys, where, overrides, needles):
    code, out, err = sweep_cli(capsys, [str(SMOKE), *where, *overrides])
    assert code == 2
    assert out == ""
    assert_one_error_line(err, *needles)


@pytest.mark.parametrize("name", ["../escaped", "{tmp}/escaped", "a/b", ".."])
def test_a_sweep_name_with_a_path_is_refused(capsys, tmp_path, monkeypatch, name):
    """`name=` names folders (runs/<name>, reports/<name>): a path there would write elsewhere."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)  # the default out= is runs/<name> under the working directory
    name = name.format(tmp=tmp_path)
    small = ["grid.strategy=[head_only]", "grid.train_size=[32]", "search.n_trials=1"]
    code, out, err = sweep_cli(
        capsys, [str(SMOKE), f"name={name}", "tracker.name=none", "confirm.seeds=1", *small]
    )
    assert code == 2 and out == ""
    assert_one_error_line(err, "name", repr(name), "out=")
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["work"]  # nothing written anywhere


def test_an_out_folder_of_another_sweep_is_refused(capsys, tmp_path):
    """Two sweeps in one out= would write the same record files and mix in one report."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "sweep.yaml").write_text("name: other\ngrid: {strategy: [full]}\n", encoding="utf-8")
    small = ["grid.strategy=[head_only]", "grid.train_size=[32]", "search.n_trials=1"]
    args = [str(SMOKE), f"out={out}", "tracker.name=none", "confirm.seeds=1", *small]
    code, _, err = sweep_cli(capsys, args)
    assert code == 2
    assert_one_error_line(err, "out", str(out), "'other'", "name=other")
    assert sorted(p.name for p in out.iterdir()) == ["sweep.yaml"]


def test_typo_in_the_file_itself(tmp_path, capsys, where):
    raw = yaml.safe_load(SMOKE.read_text(encoding="utf-8"))
    raw["serach"] = raw.pop("search")
    path = tmp_path / "typo.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    code, _, err = sweep_cli(capsys, [str(path), *where])
    assert code == 2
    assert_one_error_line(err, f"{path}: serach", "unknown key", "search")


def test_missing_sweep_file(capsys, tmp_path):
    code, _, err = sweep_cli(capsys, [str(tmp_path / "nope.yaml")])
    assert code == 2
    assert_one_error_line(err, "sweep file", "not found", "nope.yaml")
    code, _, err = sweep_cli(capsys, [])
    assert code == 2
    assert_one_error_line(err, "sweep file", "missing")


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg2://u@127.0.0.1:1/db",  # driver not installed
        "postgresql+psycopg://u@127.0.0.1:1/db",  # nothing listens on port 1
        "nosuchdialect://x/y",
    ],
)
def test_unreachable_storage_fails_at_once_naming_the_url(capsys, tmp_path, url):
    started = time.monotonic()
    code, out, err = sweep_cli(
        capsys, [str(SMOKE), f"out={tmp_path / 'out'}", f"storage={url}", "tracker.name=none"]
    )
    assert code == 2
    assert_one_error_line(err, "storage", url)
    assert (
        time.monotonic() - started < 120
    )  # a hang guard against connection retries, not a speed claim
    assert not (tmp_path / "out").exists(), "nothing is written when the storage cannot be opened"


def test_sqlite_storage_under_a_file_fails_naming_the_url(capsys, tmp_path):
    blocker = tmp_path / "not_a_dir"
    blocker.write_text("", encoding="utf-8")
    url = f"sqlite:///{blocker / 'study.db'}"
    code, _, err = sweep_cli(
        capsys, [str(SMOKE), f"out={tmp_path / 'out'}", f"storage={url}", "tracker.name=none"]
    )
    assert code == 2
    assert_one_error_line(err, "storage", url)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["does/not/exist.yaml"], "not found"),
        (
            [str(SMOKE), "storage=postgresql+psycopg://u@127.0.0.1:1/db"],
            "postgresql+psycopg://u@127.0.0.1:1/db",
        ),
    ],
)
def test_the_real_command_prints_no_traceback(tmp_path, args, needle):
    proc = subprocess.run(
        [sys.executable, "-m", "harness", "sweep", *args, f"out={tmp_path / 'out'}"],
        cwd=ROOT,
        env=subprocess_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2, proc.stderr
    assert_one_error_line(proc.stderr, needle)
