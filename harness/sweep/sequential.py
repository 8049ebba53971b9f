"""Sequential confirmation: after every cell has its first confirmation runs, add runs where a
strategy-vs-full comparison is still undecided, cheapest cells first, until each is decided or
has `confirm.seeds.max` runs.

The decision is the report's own (`harness.report.sequential`): paired t-test and TOST at a
Pocock-type per-look level over the planned looks (min..max runs), Holm over the family, so
adding runs while undecided does not inflate false verdicts, and the sweep stops exactly where
the report would say "decided". Runs are enqueued with their (seed, data_seed); a run enqueued
twice by two workers is claimed once (`claim_confirm`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from harness.record import read_record
from harness.report.sequential import SeedPlan, decide_family, paired
from harness.sweep.spec import Cell, SweepSpec
from harness.sweep.study import FINISHED, valid_trials

__all__ = ["grow_confirmation", "undecided_cells"]

FULL = "full"


def _runs(folder: Path, metric: str) -> dict[tuple[int, int], float]:
    """Completed confirmation runs of a cell: (seed, data_seed) -> test metric."""
    out = {}
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        rec = read_record(path)
        if rec.get("status") == "completed" and rec.get(metric) is not None:
            out[(int(rec["seed"]), int(rec.get("data_seed") or 0))] = float(rec[metric])
    return out


def _partner(cell: Cell, cells: Iterable[Cell]) -> Cell | None:
    """The full fine-tuning cell with the same other grid values."""
    want = {k: (FULL if k == "strategy" else v) for k, v in cell.values}
    return next((c for c in cells if c.as_dict == want), None)


def undecided_cells(spec: SweepSpec, root: Path) -> list[tuple[Cell, Cell, int]]:
    """(partial cell, full cell, runs so far) of every comparison still undecided and below max."""
    metric = "test_" + spec.metric.removeprefix("val_")
    plan = SeedPlan(len(spec.seeds), spec.seeds_max)
    pairs, decisions = [], []
    for cell in spec.cells:
        full = _partner(cell, spec.cells)
        if cell.as_dict.get("strategy") == FULL or full is None:
            continue
        a = _runs(root / cell.slug / "confirm", metric)
        b = _runs(root / full.slug / "confirm", metric)
        shared = sorted(set(a) & set(b))
        pairs.append((cell, full, len(shared)))
        decisions.append(paired([100 * (a[k] - b[k]) for k in shared], plan, spec.margin))
    if not decisions:
        return []
    decided, _, _ = decide_family(decisions, spec.alpha)
    return [
        (cell, full, n)
        for (cell, full, n), d in zip(pairs, decided, strict=True)
        if d.verdict == "undecided" and n < spec.seeds_max
    ]


def _enqueue(study: Any, spec: SweepSpec, k: int) -> bool:
    """Enqueue confirmation run k of a cell unless it is there already."""
    seed, data_seed = spec.confirm_run(k)
    if any(t.user_attrs.get("seed") == seed for t in valid_trials(study)):
        return False
    study.enqueue_trial({}, user_attrs={"seed": seed, "data_seed": data_seed})
    return True


def _busy(study: Any) -> bool:
    """A run of the cell is waiting or running (not yet in the records)."""
    return any(t.state not in FINISHED for t in valid_trials(study))


def _cost(root: Path, cell: Cell) -> float:
    """Mean wall time of a cell's confirmation runs (its price per added run)."""
    times = [
        read_record(p).get("wall_time_s") or math.inf
        for p in sorted((root / cell.slug / "confirm").glob("*.json"))
    ]
    return sum(times) / len(times) if times else math.inf


def grow_confirmation(spec: SweepSpec, confirm_studies: dict[str, Any]) -> list[Cell]:
    """Enqueue one more run for each undecided comparison (both its cells); returns the cells
    that got one, cheapest first — empty when every comparison is decided or at its maximum."""
    if spec.seeds_max <= len(spec.seeds):
        return []
    root = spec.out / "records"
    grown: dict[str, Cell] = {}
    for cell, full, _ in undecided_cells(spec, root):
        if _busy(confirm_studies[cell.id]) or _busy(confirm_studies[full.id]):
            continue  # a run of this comparison is still out: decide once it is in
        # the next run index: past every run this cell attempted (failed ones too)
        k = len({t.user_attrs.get("seed") for t in valid_trials(confirm_studies[cell.id])})
        if k >= spec.seeds_max:
            continue
        for c in (cell, full):
            if _enqueue(confirm_studies[c.id], spec, k):
                grown[c.id] = c
    return sorted(grown.values(), key=lambda c: _cost(root, c))
