"""Sequential, budget-aware confirmation: after every cell has its first confirmation runs, add
rounds of runs where a strategy-vs-full comparison is still open — the sizes whose open
comparisons are cheapest and closest to a verdict first — until each is decided, has
`confirm.seeds.max` runs, or the next round no longer fits in `budget.minutes`.

A round is one new training-subset draw run with `confirm.seeds_per_draw` training seeds, for
full fine-tuning and every strategy still undecided against it at that size: new blocks of the
block model, paired across those strategies. The decision is the report's own
(`harness.stats.decide_size`: block model, group-sequential repeated p-values, Shaffer within
the size), which stays valid when runs are added this way and when the budget stops early.
Runs are enqueued with their (seed, data_seed); a run enqueued twice by two workers is claimed
once (`claim_confirm`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.record import read_record
from harness.stats import LookPlan, block_frame, decide_size
from harness.sweep.spec import Cell, SweepSpec
from harness.sweep.study import FINISHED, valid_trials

__all__ = ["Round", "budget_left_s", "grow_confirmation", "open_rounds"]

FULL = "full"


def _runs(folder: Path, metric: str) -> dict[tuple[int, int], float]:
    """Completed confirmation runs of a cell: (seed, data_seed) -> test metric in points."""
    out = {}
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        rec = read_record(path)
        if rec.get("status") == "completed" and rec.get(metric) is not None:
            out[(int(rec["seed"]), int(rec.get("data_seed") or 0))] = 100 * float(rec[metric])
    return out


def _groups(cells: Iterable[Cell]) -> dict[tuple[tuple[str, Any], ...], dict[str, Cell]]:
    """Cells by their grid values other than the strategy: one size (per dataset) each."""
    out: dict[tuple[tuple[str, Any], ...], dict[str, Cell]] = {}
    for cell in cells:
        rest = tuple((k, v) for k, v in cell.values if k != "strategy")
        out.setdefault(rest, {})[str(cell.as_dict.get("strategy"))] = cell
    return out


@dataclass(frozen=True)
class Round:
    """The next round a size would get: its cells (full + the undecided), and why it ranks."""

    cells: list[Cell]
    runs: int  # blocks so far
    closest: int  # fewest more runs per cell any of its open comparisons would need
    cost_s: float  # estimated trial seconds of the round (all its cells, all its seeds)


def _cost(root: Path, cell: Cell) -> float:
    """Mean wall time of a cell's confirmation runs (its price per added run)."""
    times = [
        read_record(p).get("wall_time_s") or math.inf
        for p in sorted((root / cell.slug / "confirm").glob("*.json"))
    ]
    return sum(times) / len(times) if times else math.inf


def open_rounds(spec: SweepSpec, root: Path) -> list[Round]:
    """The next round of every size that still has an open comparison below max runs, ranked:
    sizes whose comparisons can be decided within the plan first, then cheapest x closest."""
    metric = "test_" + spec.metric.removeprefix("val_")
    plan = LookPlan(len(spec.seeds), spec.seeds_max, spec.spending, spec.seeds_per_draw)
    rounds = []
    for cells in _groups(spec.cells).values():
        if FULL not in cells or len(cells) < 2:
            continue
        runs = {s: _runs(root / c.slug / "confirm", metric) for s, c in cells.items()}
        decided = decide_size(block_frame(runs), plan, spec.margin, spec.alpha, FULL)
        n = len(runs[FULL])
        open_ = [
            (s, comp)
            for s, comp in decided.comparisons.items()
            if comp.verdict == "undecided" and n < spec.seeds_max
        ]
        if not open_:
            continue
        members = [cells[FULL], *(cells[s] for s, _ in open_)]
        needed = [comp.runs_needed for _, comp in open_ if comp.runs_needed is not None]
        closest = min(needed) - n if needed else 10**6
        cost = spec.seeds_per_draw * sum(_cost(root, c) for c in members)
        rounds.append(Round(members, n, closest, cost))
    within = [r for r in rounds if r.runs + r.closest <= spec.seeds_max]
    beyond = [r for r in rounds if r.runs + r.closest > spec.seeds_max]
    return sorted(within, key=lambda r: r.cost_s * max(r.closest, 1)) + sorted(
        beyond, key=lambda r: r.cost_s
    )


def budget_left_s(spec: SweepSpec, root: Path, confirm_studies: dict[str, Any]) -> float:
    """Trial seconds per worker still to spend: the budget minus every record's wall time and
    the estimated time of runs enqueued or running but not yet recorded."""
    if spec.budget_minutes is None:
        return math.inf
    spent = sum(read_record(p).get("wall_time_s") or 0.0 for p in sorted(root.glob("*/*/*.json")))
    pending = 0.0
    for cell in spec.cells:
        waiting = sum(t.state not in FINISHED for t in valid_trials(confirm_studies[cell.id]))
        if waiting:
            pending += waiting * _cost(root, cell)
    return 60 * spec.budget_minutes - (spent + pending) / spec.workers


def _busy(study: Any) -> bool:
    """A run of the cell is waiting or running (not yet in the records)."""
    return any(t.state not in FINISHED for t in valid_trials(study))


def _enqueue(study: Any, spec: SweepSpec, k: int) -> bool:
    """Enqueue confirmation run k of a cell unless it is there already."""
    seed, data_seed = spec.confirm_run(k)
    if any(t.user_attrs.get("seed") == seed for t in valid_trials(study)):
        return False
    study.enqueue_trial({}, user_attrs={"seed": seed, "data_seed": data_seed})
    return True


def grow_confirmation(spec: SweepSpec, confirm_studies: dict[str, Any]) -> list[Cell]:
    """Enqueue the next round of every open size that fits in the budget, best-ranked first;
    returns the cells that got runs, cheapest first — empty when every comparison is decided,
    at its maximum, or the budget is spent."""
    if spec.seeds_max <= len(spec.seeds):
        return []
    root = spec.out / "records"
    left = budget_left_s(spec, root, confirm_studies)
    grown: dict[str, Cell] = {}
    for rnd in open_rounds(spec, root):
        if any(_busy(confirm_studies[c.id]) for c in rnd.cells):
            continue  # a run of this size is still out: decide once it is in
        if rnd.cost_s / spec.workers > left:
            continue  # does not fit in what is left of the budget
        # the next run index: past every run this size's reference attempted (failed ones too)
        k = len({t.user_attrs.get("seed") for t in valid_trials(confirm_studies[rnd.cells[0].id])})
        added = False
        for j in range(k, min(k + spec.seeds_per_draw, spec.seeds_max)):
            for c in rnd.cells:
                if _enqueue(confirm_studies[c.id], spec, j):
                    grown[c.id], added = c, True
        if added:
            left -= rnd.cost_s / spec.workers
    return sorted(grown.values(), key=lambda c: _cost(root, c))
