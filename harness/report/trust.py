"""Which cells can be trusted: the records' own flags plus a falling learning curve.

Trials flag themselves (`flags`: `still_improving`, `not_converged`, `near_chance`,
`lr_at_boundary`); a cell is flagged when any of its confirmation runs is. The report adds
`curve_falls`: a larger nested train size of the same strategy scoring below a smaller one
beyond noise. Findings resting on a flagged cell are marked *suspect* with the reason.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from harness.report.fmt import cell_name, md_table
from harness.report.load import json_list
from harness.stats import paired_contrast

__all__ = [
    "FLAG_MEANINGS",
    "CellKey",
    "budget_ended",
    "cell_flags",
    "suspect_note",
    "trust_section",
]

CellKey = tuple[str, str, int]  # (group, strategy, train_size)

FLAG_MEANINGS = {
    "still_improving": "the best evaluation was the last and the step budget ran out",
    "not_converged": "training loss / accuracy say the model has not fit the training set",
    "near_chance": "test metric within 2 points of the majority-class rate",
    "lr_at_boundary": "a chosen learning rate (named: `lr` or `head_lr`) in the outer 10 % of its (log) search range, or the most extreme value the search tried",
    "curve_falls": "scores below a smaller nested train size of the same strategy beyond noise (upper 95 % bound of the difference < 0)",
}


def _flags_of(value: Any) -> list[str]:
    """A record's flags; absent in old records means none."""
    return [str(v) for v in json_list(value)]


def _record_flags(records: pd.DataFrame, summary: pd.DataFrame) -> dict[CellKey, list[str]]:
    """Per cell: each flag with how many of its completed confirmation runs carry it."""
    out: dict[CellKey, list[str]] = {}
    if "flags" not in records.columns:
        return out
    done = records[(records["phase"] == "confirm") & (records["status"] == "completed")]
    for (group, strategy, size), block in done.groupby(
        ["group", "grid_strategy", "grid_train_size"]
    ):
        counts = Counter(f for v in block["flags"] for f in set(_flags_of(v)))
        named = sorted(
            {
                str(p)
                for v in block.get("boundary_params", pd.Series(dtype=object))
                for p in json_list(v)
            }
        )
        if counts:
            key = (str(group), str(strategy), int(size))
            out[key] = [
                f"{f}{' (' + ', '.join(named) + ')' if f == 'lr_at_boundary' and named else ''} "
                f"({n} of {len(block)} runs)"
                for f, n in sorted(counts.items())
            ]
    return out


def _difference(a: dict[Any, float], b: dict[Any, float]) -> tuple[float, float, float]:
    """Mean difference a - b in points with its 95 % t interval: paired over the runs that share
    (seed, data seed), else Welch's on the unpaired runs; NaN with fewer than 2 runs."""
    shared = sorted(set(a) & set(b))
    if len(shared) >= 2:
        frame = pd.DataFrame(
            [
                {"strategy": s, "block": k, "score": 100 * x[k]}
                for s, x in (("a", a), ("b", b))
                for k in shared
            ]
        )
        c = paired_contrast(frame, "a", "b")
        return (c.diff, *c.interval())
    xa, xb = (100 * np.array(list(x.values()), dtype=float) for x in (a, b))
    if len(xa) < 2 or len(xb) < 2:
        return math.nan, math.nan, math.nan
    test = stats.ttest_ind(xa, xb, equal_var=False)
    low, high = test.confidence_interval(0.95)
    return float(xa.mean() - xb.mean()), float(low), float(high)


def _curve_falls(summary: pd.DataFrame) -> dict[CellKey, list[str]]:
    """Flag a cell that scores below a smaller train size of its strategy beyond noise."""
    out: dict[CellKey, list[str]] = {}
    ok = summary[summary["state"] == "ok"]
    for (group, strategy), block in ok.groupby(["group", "strategy"], sort=True):
        rows = sorted((r for _, r in block.iterrows()), key=lambda r: int(r["train_size"]))
        for i, large in enumerate(rows):
            for small in rows[:i]:
                diff, low, high = _difference(large["seed_acc"], small["seed_acc"])
                if high < 0:
                    key = (str(group), str(strategy), int(large["train_size"]))
                    out.setdefault(key, []).append(
                        f"curve_falls (below {cell_name(strategy, small['train_size'], str(group))} "
                        f"by {-diff:.1f} points, 95 % CI {low:.1f} to {high:.1f})"
                    )
    return out


def budget_ended(records: pd.DataFrame) -> dict[CellKey, str]:
    """Per cell: how many completed confirmation runs the step budget ended (`stopped_by` =
    `max_steps`, i.e. no plateau yet: the best evaluation lies within the last `patience`).
    Not a flag (`still_improving` is the strict one): the cell's score is at that budget."""
    if "stopped_by" not in records.columns:
        return {}
    done = records[(records["phase"] == "confirm") & (records["status"] == "completed")]
    out: dict[CellKey, str] = {}
    for (group, strategy, size), block in done.groupby(
        ["group", "grid_strategy", "grid_train_size"]
    ):
        n = int((block["stopped_by"] == "max_steps").sum())
        if n:
            out[(str(group), str(strategy), int(size))] = f"{n} of {len(block)}"
    return out


def cell_flags(records: pd.DataFrame, summary: pd.DataFrame) -> dict[CellKey, list[str]]:
    """Every flagged cell with its reasons, records' flags first, then curve_falls."""
    out = _record_flags(records, summary)
    for key, reasons in _curve_falls(summary).items():
        out.setdefault(key, []).extend(reasons)
    return out


def suspect_note(cells: list[CellKey], flags: dict[CellKey, list[str]]) -> str:
    """` *suspect*: full@100 still_improving (2 of 3 runs)` for a finding on flagged cells."""
    reasons = [
        f"{cell_name(s, n, g)} {'; '.join(flags[(g, s, n)])}"
        for g, s, n in cells
        if (g, s, n) in flags
    ]
    return f" *suspect*: {'; '.join(reasons)}." if reasons else ""


def trust_section(
    flags: dict[CellKey, list[str]], figure: str | None, budget: dict[CellKey, str] | None = None
) -> str:
    """List flagged cells with reasons, say what each flag means, name the cells whose runs the
    step budget ended, and show the training curves."""
    rows = [
        [cell_name(s, n, g), "; ".join(reasons)] for (g, s, n), reasons in sorted(flags.items())
    ]
    table = (
        md_table(["cell", "flags (confirmation runs carrying each)"], rows)
        if rows
        else "No cell is flagged."
    )
    meanings = "\n".join(f"- `{name}`: {text}" for name, text in FLAG_MEANINGS.items())
    parts = [
        "## Trust",
        "A cell is flagged when any of its confirmation runs carries a flag (records without "
        "`flags` count as unflagged); findings resting on a flagged cell are marked *suspect*.",
        table,
        meanings,
    ]
    if budget:
        cells = ", ".join(f"{cell_name(s, n, g)} ({k})" for (g, s, n), k in sorted(budget.items()))
        parts.append(
            "Confirmation runs that the step budget ended before a plateau (`stopped_by` = "
            f"`max_steps`: the best evaluation lies within the last `patience` ones): {cells}. "
            "Their scores hold at this budget; a longer one may move them."
        )
    if figure:
        parts += [
            "### Training curves of the confirmation runs",
            f"![Training curves per cell]({figure})",
        ]
    return "\n\n".join(parts)
