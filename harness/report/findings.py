"""Plain-language findings that follow from the verdicts, each citing the cells it rests on.

Pure functions over the cell summary (one row per cell: `strategy, train_size, state, mean`,
optional `group`, `train_time_s`, `trainable_params`) and the verdict table of `verdicts`.
"""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd

from harness.report.fmt import (
    cell_name,
    fmt_count,
    fmt_p,
    fmt_pct,
    fmt_points,
    fmt_seconds,
    state_label,
)
from harness.report.trust import CellKey, suspect_note

__all__ = [
    "cheapest_within",
    "comparison_finding",
    "generate_findings",
    "incomplete_cells",
    "verdict_phrase",
    "when_full_pays",
]


def _groups(summary: pd.DataFrame) -> Iterator[tuple[str, str, pd.DataFrame]]:
    """Findings are made per setting of the extra grid axes (if any)."""
    frame = summary if "group" in summary.columns else summary.assign(group="")
    for group, block in frame.groupby("group", sort=True):
        yield str(group), (f"[{group}] " if group else ""), block


def _best(rows: pd.DataFrame) -> pd.Series:
    """Highest mean; ties go to the alphabetically first strategy, so output is stable."""
    return rows.sort_values(["mean", "strategy"], ascending=[False, True]).iloc[0]


def _cite(*rows: pd.Series) -> str:
    """The bracketed list of cells a statement rests on."""
    names = [cell_name(r["strategy"], r["train_size"], str(r.get("group", ""))) for r in rows]
    return "[" + ", ".join(names) + "]"


def verdict_phrase(v: pd.Series, margin: float) -> str:
    """`better`, `equivalent (±1 point)`, or `undecided — would need about 14 seeds`."""
    if v["verdict"] == "equivalent":
        return f"equivalent (±{fmt_points(margin)})"
    if v["verdict"] != "undecided":
        return str(v["verdict"])
    if v["test"] == "none":
        return "undecided — fewer than 2 runs to compare"
    need = v["seeds_needed"]
    more = f"about {int(need)} runs per cell" if pd.notna(need) else "more than 200 runs per cell"
    return f"undecided — would need {more}"


def _eq(p: float) -> str:
    """`=0.16` or `<0.001`, to follow a `p`."""
    text = fmt_p(p)
    return text if text.startswith("<") else f"={text}"


def _interval(v: pd.Series) -> str:
    """The difference with both intervals and the corrected p-values."""
    if v["test"] == "none":
        return f"{v['diff']:+.1f} points, no interval"
    boot = (
        f"; bootstrap ({v['boot_kind']}) {v['boot_low']:.1f} to {v['boot_high']:.1f}"
        if pd.notna(v["boot_low"])
        else ""
    )
    text = f"{v['diff']:+.1f} points (95 % CI {v['ci_low']:.1f} to {v['ci_high']:.1f}{boot}; n={int(v['n'])} {v['test']}, adjusted p{_eq(v['p_diff_adj'])}, TOST adjusted p{_eq(v['p_equiv_adj'])}"
    if v["verdict"] == "undecided" and pd.notna(v["mdd"]):
        text += f"; minimum detectable difference now {v['mdd']:.1f} points"
    return text + ")"


def _keys(v: pd.Series) -> list[CellKey]:
    """The two cells a comparison rests on."""
    g, n = str(v["group"]), int(v["train_size"])
    return [(g, str(v["strategy"]), n), (g, str(v["reference"]), n)]


def comparison_finding(v: pd.Series, margin: float, flags: dict[CellKey, list[str]]) -> str:
    """`lora vs full at train_size=100: better, +4.7 points (…) [lora@100, full@100].`"""
    cells = ", ".join(cell_name(s, n, g) for g, s, n in _keys(v))
    head = f"{v['strategy']} vs {v['reference']} at train_size={int(v['train_size'])}"
    return f"{head}: **{verdict_phrase(v, margin)}**, {_interval(v)} [{cells}].{suspect_note(_keys(v), flags)}"


def when_full_pays(vs_full: pd.DataFrame, margin: float) -> str:
    """Sizes where full beats every partial strategy, where some partial one suffices, and the rest."""
    pays, suffices, open_ = [], [], []
    for size, at in vs_full.groupby("train_size", sort=True):
        verdicts = set(at["verdict"])
        if verdicts == {"worse"}:
            pays.append(str(size))
        elif verdicts & {"better", "equivalent"}:
            names = ", ".join(
                f"{r['strategy']} ({r['verdict']})"
                for _, r in at.iterrows()
                if r["verdict"] in ("better", "equivalent")
            )
            suffices.append(f"{size}: {names}")
        else:
            open_.append(str(size))
    parts = [
        f"full fine-tuning is better than every partial strategy at train_size {', '.join(pays)}"
        if pays
        else "full fine-tuning is better than every partial strategy at no size",
        *(
            [f"a partial strategy is better or equivalent (±{margin:g}) at {'; '.join(suffices)}"]
            if suffices
            else []
        ),
        *([f"neither holds yet at {', '.join(open_)} (undecided or mixed)"] if open_ else []),
    ]
    return "When full fine-tuning pays: " + "; ".join(parts) + "."


def _cheapest(cands: pd.DataFrame, cost: str, best: pd.Series) -> pd.Series | None:
    """Lowest cost among candidates, the best itself on a tie (costing the same is not cheaper);
    None when no candidate recorded that cost."""
    valid = cands.dropna(subset=[cost]) if cost in cands.columns else cands.iloc[0:0]
    if valid.empty:
        return None
    order = valid.assign(_other=valid["strategy"] != best["strategy"])
    return valid.loc[order.sort_values([cost, "_other", "strategy"]).index[0]]


def _cost_phrase(label: str, row: pd.Series, best: pd.Series, cost: str) -> str:
    """`by train time head_only (74.0; 3.2 s vs 8.6 s)` — the candidate's cost beside the best's."""
    fmt = fmt_seconds if cost == "train_time_s" else fmt_count
    if row["strategy"] == best["strategy"]:
        return f"by {label} the best itself ({fmt(best[cost])})"
    return f"by {label} {row['strategy']} ({fmt_pct(row['mean'])}; {fmt(row[cost])} vs {fmt(best[cost])})"


def _cheapest_text(size: int, best: pd.Series, picks: dict[str, pd.Series | None], tol: str) -> str:
    """One statement per size naming the cheapest within-tolerance strategy by each cost."""
    found = {cost: row for cost, row in picks.items() if row is not None}
    others = {r["strategy"]: r for r in found.values() if r["strategy"] != best["strategy"]}
    head = f"At train_size={size}"
    if not others:
        return f"{head}, no cheaper strategy comes within {tol} of the best mean ({best['strategy']}, {fmt_pct(best['mean'])}) {_cite(best)}."
    labels = {"train_time_s": "train time", "trainable_params": "trainable params"}
    phrases = "; ".join(_cost_phrase(labels[c], r, best, c) for c, r in found.items())
    return f"{head}, the cheapest strategy within {tol} of the best mean ({best['strategy']}, {fmt_pct(best['mean'])}; means only, see the verdicts for noise): {phrases} {_cite(best, *others.values())}."


def cheapest_within(summary: pd.DataFrame, tolerance: float = 0.01) -> list[str]:
    """At each size, the cheapest strategy whose mean is within `tolerance` of the best mean."""
    out = []
    tol = f"{100 * tolerance:g} point" + ("" if tolerance == 0.01 else "s")
    for _, prefix, block in _groups(summary):
        ok = block[block["state"] == "ok"]
        for size in sorted(int(s) for s in ok["train_size"].unique()):
            at = ok[ok["train_size"] == size]
            best = _best(at)
            cands = at[at["mean"] >= best["mean"] - tolerance - 1e-9]
            picks = {
                cost: _cheapest(cands, cost, best) for cost in ("train_time_s", "trainable_params")
            }
            if all(p is None for p in picks.values()):
                continue
            out.append(prefix + _cheapest_text(size, best, picks, tol))
    return out


def incomplete_cells(summary: pd.DataFrame) -> list[str]:
    """Say which cells the findings could not use, so silence is not read as a result."""
    gone = summary[summary["state"] != "ok"]
    if gone.empty:
        return []
    names = [
        f"{cell_name(r['strategy'], r['train_size'], str(r.get('group', '')))} {state_label(r)}"
        for _, r in gone.iterrows()
    ]
    return ["Not compared (no confirmation results): " + "; ".join(names) + "."]


def generate_findings(
    summary: pd.DataFrame,
    verdicts: pd.DataFrame,
    margin: float = 1.0,
    flags: dict[CellKey, list[str]] | None = None,
    extra: list[str] | None = None,
    full: str = "full",
) -> list[str]:
    """All findings in reading order: the headline question first, caveats last."""
    flags = flags or {}
    out = []
    for group, prefix, block in _groups(summary):
        vs_full = verdicts[(verdicts["family"] == "vs full") & (verdicts["group"] == group)]
        if full not in set(block.loc[block["state"] == "ok", "strategy"]):
            out.append(
                f"{prefix}No finished `{full}` cells: whether full fine-tuning pays cannot be judged."
            )
            continue
        if vs_full.empty:
            out.append(f"{prefix}No train size has both full and partial results: undecided.")
            continue
        out.append(prefix + when_full_pays(vs_full, margin))
        out.extend(prefix + comparison_finding(v, margin, flags) for _, v in vs_full.iterrows())
    return [*out, *(extra or []), *cheapest_within(summary), *incomplete_cells(summary)]
