"""Number and table formatting shared by the report sections, so every section reads alike."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

__all__ = [
    "cell_name",
    "fmt_count",
    "fmt_float",
    "fmt_num",
    "fmt_p",
    "fmt_pct",
    "fmt_points",
    "fmt_seconds",
    "md_table",
    "p_is",
    "row_label",
    "state_label",
]


def _missing(x: Any) -> bool:
    """NaN, None and pandas NA all print as a dash."""
    try:
        return x is None or bool(math.isnan(float(x)))
    except (TypeError, ValueError):
        return True


def fmt_pct(x: Any, digits: int = 1) -> str:
    """Accuracy (0-1) as percentage points, the unit the findings speak in."""
    return "—" if _missing(x) else f"{100 * float(x):.{digits}f}"


def fmt_p(p: Any) -> str:
    """p-values with two significant digits, floored so 0 never prints."""
    if _missing(p):
        return "n/a"
    return "<0.001" if float(p) < 0.001 else f"{float(p):.2g}"


def p_is(p: Any) -> str:
    """`p=0.16` or `p<0.001`: a p-value as a clause."""
    text = fmt_p(p)
    return f"p{text}" if text.startswith("<") else f"p={text}"


def fmt_float(x: Any, spec: str = ".3g") -> str:
    """Generic number, dash when absent."""
    return "—" if _missing(x) else format(float(x), spec)


def fmt_num(x: Any) -> str:
    """Measured quantities (MB, samples/s): three significant digits, no exponent for big ones."""
    if _missing(x):
        return "—"
    v = float(x)
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3g}"


def fmt_seconds(x: Any) -> str:
    """Durations in seconds, with a coarser unit once they get long."""
    if _missing(x):
        return "—"
    s = float(x)
    if s >= 3600:
        return f"{s / 3600:.2f} h"
    if s >= 120:
        return f"{s / 60:.1f} min"
    return f"{s:.2g} s" if s < 1 else f"{s:.1f} s"


def fmt_count(x: Any) -> str:
    """Parameter counts as 1.2k / 3.4M / 1.1B."""
    if _missing(x):
        return "—"
    n = float(x)
    for unit, scale in (("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(n) >= scale:
            return f"{n / scale:.3g}{unit}"
    return f"{n:.0f}"


def cell_name(strategy: str, train_size: int, group: str = "") -> str:
    """How findings cite a cell: `lora@1000` (with its extra grid axes when present)."""
    base = f"{strategy}@{int(train_size)}"
    return f"{base}[{group}]" if group else base


def md_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A GitHub-flavoured markdown table; pipes inside cells are escaped."""

    def line(cells: Sequence[Any]) -> str:
        """One table row."""
        return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"

    out = [line(header), "|" + "|".join("---" for _ in header) + "|"]
    out.extend(line(r) for r in rows)
    return "\n".join(out)


def state_label(row: Any) -> str:
    """What an unfinished cell shows instead of numbers: missing, failed, or search only."""
    state = row.get("state", "ok")
    if state == "missing":
        return "missing"
    if state == "search_only":
        return "search only"
    if state == "failed":
        n, failed = int(row.get("n_records", 0)), int(row.get("n_failed", 0))
        if failed == n:
            return f"failed ({n} trial{'s' if n != 1 else ''})"
        return f"no completed trials ({int(row.get('n_pruned', 0))} pruned, {failed} failed)"
    return ""


def fmt_points(x: float) -> str:
    """`1 point`, `0.5 points`: the margin as the findings speak of it."""
    return f"{x:g} point" + ("" if x == 1 else "s")


def row_label(group: str, strategy: str) -> str:
    """Table row name: the strategy, prefixed by extra grid axes when the sweep has them."""
    return f"{group}, {strategy}" if group else str(strategy)
