"""The report's statistical options, validated once so the sweep loader and the CLI agree.

`report.margin` (points), `report.alpha` and `report.spending` come from the sweep file's
optional `report:` section or from `harness report DIR report.margin=0.5`; `confirm.seeds` (a
count, a list, or `{min, max}`) says how many looks the sequential rule must allow for, and
`confirm.seeds_per_draw` how many runs arrive between two looks.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from harness.report.errors import ReportError

__all__ = ["MAX_SEEDS", "ReportOptions", "report_options", "seed_plan_bounds"]

MAX_SEEDS = 100  # confirm.seeds.max above this is a typo, not a plan
DEFAULT_MARGIN = 1.0  # points of the test metric: "equivalent" means within ±margin
DEFAULT_ALPHA = 0.05
SPENDING = ("obf", "pocock")  # error-spending over the looks (harness.stats.sequential)
REPORT_KEYS = ("margin", "margin_reason", "alpha", "spending", "previous")


@dataclass(frozen=True)
class ReportOptions:
    """Margin (points), family-wise alpha and the confirmation-seed plan (min..max runs)."""

    margin: float = DEFAULT_MARGIN
    alpha: float = DEFAULT_ALPHA
    seeds_min: int = 3
    seeds_max: int = 3
    spending: str = "obf"  # how alpha is spent over the looks: obf | pocock
    margin_reason: str = ""  # report.margin_reason: why this margin (stated in the report)
    previous: str = ""  # report.previous: CSV of a previous study's confirmation runs to compare
    look_step: int = 1  # runs per cell between two looks (confirm.seeds_per_draw)

    @property
    def sequential(self) -> bool:
        """True when the sweep may add seeds, so the verdicts need a sequential boundary."""
        return self.seeds_max > self.seeds_min


def _number(key: str, value: Any) -> float:
    """A finite real number, or an error naming the key."""
    if isinstance(value, bool):
        raise ReportError(f"{key}: must be a number, got {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ReportError(f"{key}: must be a number, got {value!r}") from None
    if not math.isfinite(number):
        raise ReportError(f"{key}: must be a finite number, got {value!r}")
    return number


def _count(key: str, value: Any) -> int:
    """A whole number of seeds in 1..MAX_SEEDS."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ReportError(f"{key}: must be a whole number, got {value!r}")
    try:
        count = int(value)
    except ValueError:
        raise ReportError(f"{key}: must be a whole number, got {value!r}") from None
    if not 1 <= count <= MAX_SEEDS:
        raise ReportError(f"{key}: must be between 1 and {MAX_SEEDS}, got {count}")
    return count


def seed_plan_bounds(seeds: Any) -> tuple[int, int]:
    """`confirm.seeds` as (min, max) runs per cell: a count or list is fixed, a mapping is a range."""
    if seeds is None:
        return 3, 3
    if isinstance(seeds, list):
        return len(seeds), len(seeds)
    if isinstance(seeds, Mapping):
        unknown = sorted(set(seeds) - {"min", "max"})
        if unknown:
            raise ReportError(f"confirm.seeds.{unknown[0]}: unknown key; allowed: min, max")
        low = _count("confirm.seeds.min", seeds.get("min", 3))
        high = _count("confirm.seeds.max", seeds.get("max", low))
        if low > high:
            raise ReportError(f"confirm.seeds.min: {low} is greater than confirm.seeds.max {high}")
        return low, high
    n = _count("confirm.seeds", seeds)
    return n, n


def _report_section(raw: Mapping[str, Any]) -> Mapping[str, Any]:
    """The sweep file's `report:` mapping (empty when absent)."""
    section = raw.get("report")
    if section is None:
        return {}
    if not isinstance(section, Mapping):
        raise ReportError(f"report: must be a mapping with margin/alpha, got {section!r}")
    unknown = sorted(set(section) - set(REPORT_KEYS))
    if unknown:
        raise ReportError(f"report.{unknown[0]}: unknown key; allowed: {', '.join(REPORT_KEYS)}")
    return section


def report_options(
    raw: Mapping[str, Any], overrides: Mapping[str, Any] | None = None
) -> ReportOptions:
    """Validate a sweep file's `report:` and `confirm.seeds` (plus CLI overrides) in one place."""
    section = {
        **_report_section(raw),
        **{k.removeprefix("report."): v for k, v in (overrides or {}).items()},
    }
    margin = _number("report.margin", section.get("margin", DEFAULT_MARGIN))
    if margin <= 0:
        raise ReportError(f"report.margin: must be > 0 points, got {margin:g}")
    alpha = _number("report.alpha", section.get("alpha", DEFAULT_ALPHA))
    if not 0 < alpha < 0.5:
        raise ReportError(f"report.alpha: must be in (0, 0.5), got {alpha:g}")
    spending = section.get("spending", "obf")
    if spending not in SPENDING:
        raise ReportError(
            f"report.spending: must be one of {', '.join(SPENDING)}, got {spending!r}"
        )
    confirm = raw.get("confirm")
    seeds = confirm.get("seeds") if isinstance(confirm, Mapping) else raw.get("confirm_seeds")
    low, high = seed_plan_bounds(seeds)
    step = confirm.get("seeds_per_draw", 1) if isinstance(confirm, Mapping) else 1
    step = _count("confirm.seeds_per_draw", step)
    reason = section.get("margin_reason", "")
    if not isinstance(reason, str):
        raise ReportError(f"report.margin_reason: must be text, got {reason!r}")
    previous = section.get("previous", "")
    if not isinstance(previous, str):
        raise ReportError(f"report.previous: must be a path to a CSV, got {previous!r}")
    return ReportOptions(
        previous=previous,
        margin=margin,
        alpha=alpha,
        seeds_min=low,
        seeds_max=high,
        spending=spending,
        look_step=step,
        margin_reason=" ".join(reason.split()),
    )
