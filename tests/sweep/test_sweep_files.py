"""Every committed sweep file loads and every one of its cells composes before anything runs, and the
studies share the default study's search design (no sweep left on the old 2-draw, seed-0 design)."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.sweep.cli import _preflight
from harness.sweep.spec import load_sweep

ROOT = Path(__file__).resolve().parents[2]
SWEEPS = sorted((ROOT / "sweeps").glob("*.yaml"))
STUDIES = [p for p in SWEEPS if p.stem != "smoke"]  # smoke: a minute-long plumbing check


@pytest.mark.parametrize("path", SWEEPS, ids=lambda p: p.stem)
def test_every_cell_of_every_sweep_file_composes(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)  # data paths in sweep files are relative to the repo root
    spec = load_sweep(path)
    if any("../shared/" in b for b in spec.base) and not (ROOT.parent / "shared").is_dir():
        pytest.skip("reads ../shared/datasets, which is absent here")
    _preflight(spec)  # raises ConfigError naming the cell and key


@pytest.mark.parametrize("path", STUDIES, ids=lambda p: p.stem)
def test_studies_search_with_their_own_seeds_and_enough_configurations(path: Path) -> None:
    spec = load_sweep(path)
    assert spec.n_trials >= 6, "a search of a few draws does not search"
    assert not spec.reuse_search_run, "confirmation seeds must be apart from search seeds"
    assert (spec.data_seeds or spec.seeds_per_draw >= 2) and len(spec.seeds) >= 3
    # the budget spent per configuration is bounded: pruned, or a low-fidelity search
    assert spec.pruner["name"] in ("successive_halving", "hyperband") or spec.search_steps
