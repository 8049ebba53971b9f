"""`harness sweep --help`: the sweep file's keys and the shipped sweep files with their size."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.paths import conf_dir
from harness.sweep.spec import TOP_KEYS, load_sweep
from harness.sweep.usage import sweep_help

SWEEPS = conf_dir().parent / "sweeps"


def test_the_help_lists_every_sweep_file_key() -> None:
    text = sweep_help(SWEEPS)
    keys = text.split("sweep file keys:")[1].split("sweep files in")[0]
    assert [
        line.split()[0] for line in keys.splitlines() if line.startswith("  ") and line[2] != " "
    ] == list(TOP_KEYS)


def test_each_shipped_sweep_file_says_what_it_costs_and_what_it_asks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(SWEEPS.parent)  # where `harness sweep --help` is run: the checkout
    text = sweep_help()
    for path in sorted(SWEEPS.glob("*.yaml")):
        spec = load_sweep(path)
        runs = len(spec.cells) * (spec.n_trials + len(spec.seeds))
        line = next(x for x in text.splitlines() if x.startswith(f"  sweeps/{path.name}: "))
        assert line.endswith(f"= {runs} runs") or f"= {runs} runs (up to" in line, line
        about = text.split(line, 1)[1].splitlines()[1]
        assert about.startswith("      ") and "no description" not in about


def test_a_sweep_file_without_a_description_is_described_by_its_leading_comment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "mine.yaml").write_text(
        "# Two strategies on the tiny model. Budget: seconds.\nname: mine\nbase: [model=tiny]\n"
        "grid: {strategy: [full, lora]}\nsearch: {n_trials: 2, space: {lr: {low: 1.0e-4, high: 1.0e-2}}}\n"
        "confirm: {seeds: 3}\n",
        encoding="utf-8",
    )
    text = sweep_help(tmp_path)
    assert (
        f"  {(tmp_path / 'mine.yaml').as_posix()}: 2 cells x (2 search + 3 confirmation) = 10 runs"
        in text
    )
    assert "      Two strategies on the tiny model." in text
