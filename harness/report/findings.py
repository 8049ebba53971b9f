"""Plain-language findings that follow from the cell summary, each citing the cells it rests on.

Pure functions over a small summary frame (one row per cell) with columns
`strategy, train_size, state, mean, seed_acc` (dict seed -> test accuracy), optional `group`,
`train_time_s`, `trainable_params`, `n_records`, `n_failed`, `n_pruned`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

import pandas as pd

from harness.report.fmt import cell_name, fmt_count, fmt_p, fmt_pct, fmt_seconds, state_label
from harness.report.stats import ALPHA, Comparison, compare_seeds

__all__ = [
    "cheapest_within", "full_vs_partial", "generate_findings", "incomplete_cells", "separability",
]  # fmt: skip


@dataclass(frozen=True)
class _Duel:
    """Full fine-tuning against the best partial strategy at one train size."""

    size: int
    full: pd.Series
    partial: pd.Series
    cmp: Comparison
    absent: tuple[str, ...]  # partial strategies of the grid with no results at this size

    def caveat(self) -> str:
        """Warn that the 'best partial' was chosen without some partial strategies."""
        if not self.absent:
            return ""
        return f" (without {', '.join(self.absent)}: no confirmation results at this size)"


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


def _versus(a: pd.Series, b: pd.Series, cmp: Comparison) -> str:
    """`full 85.0 vs lora 83.0, paired t p=0.01`."""
    return (
        f"{a['strategy']} {fmt_pct(a['mean'])} vs {b['strategy']} {fmt_pct(b['mean'])}, "
        f"{cmp.test} p={fmt_p(cmp.p)}"
    )


def _duels(block: pd.DataFrame, full: str) -> list[_Duel]:
    """At each size where both finished: full vs the partial strategy with the best mean."""
    ok = block[block["state"] == "ok"]
    duels = []
    for size in sorted(int(s) for s in ok["train_size"].unique()):
        at = ok[ok["train_size"] == size]
        f, parts = at[at["strategy"] == full], at[at["strategy"] != full]
        if f.empty or parts.empty:
            continue
        partial = _best(parts)
        gone = block[
            (block["train_size"] == size) & (block["state"] != "ok") & (block["strategy"] != full)
        ]
        cmp = compare_seeds(f.iloc[0]["seed_acc"], partial["seed_acc"])
        duels.append(_Duel(size, f.iloc[0], partial, cmp, tuple(sorted(gone["strategy"]))))
    return duels


def _when_full_wins(duels: list[_Duel], alpha: float) -> str:
    """The smallest size at which full beats the best partial strategy beyond noise."""
    wins = [d for d in duels if d.cmp.beyond_noise(alpha) and d.cmp.diff > 0]
    sizes = ", ".join(str(d.size) for d in duels)
    if not any(d.cmp.judged for d in duels):
        return f"Noise cannot be judged (fewer than 2 seeds) at any size compared ({sizes}): when full fine-tuning pays is inconclusive."
    if not wins:
        return f"Full fine-tuning does not beat the best partial strategy beyond noise at any size compared ({sizes}): that it pays for its cost here is not supported (inconclusive)."
    first = wins[0]
    text = (
        f"Full fine-tuning first beats the best partial strategy beyond noise at train_size={first.size}: "
        f"{_versus(first.full, first.partial, first.cmp)}{first.caveat()} {_cite(first.full, first.partial)}."
    )
    smaller = [str(d.size) for d in duels if d.size < first.size]
    larger = [d for d in duels if d.size > first.size]
    if smaller:
        text += f" It does not at the smaller size(s) {', '.join(smaller)}."
    if larger and all(d in wins for d in larger):
        text += f" It also does at every larger size ({', '.join(str(d.size) for d in larger)})."
    elif larger:
        text += f" It does not at the larger size(s) {', '.join(str(d.size) for d in larger if d not in wins)}."
    return text


def _when_partial_suffices(duels: list[_Duel], alpha: float) -> list[str]:
    """Sizes where partial tuning is as good as full (within noise) or better (beyond noise)."""
    ties = [d for d in duels if d.cmp.judged and not d.cmp.beyond_noise(alpha)]
    losses = [d for d in duels if d.cmp.beyond_noise(alpha) and d.cmp.diff < 0]
    out = []
    for label, chosen in (
        ("is not distinguishable from full fine-tuning (p≥0.05)", ties),
        ("beats full fine-tuning beyond noise", losses),
    ):
        if chosen:
            parts = "; ".join(
                f"train_size={d.size}: {_versus(d.partial, d.full, d.cmp)}{d.caveat()} {_cite(d.partial, d.full)}"
                for d in chosen
            )
            out.append(f"The best partial strategy {label} at {parts}.")
    return out


def full_vs_partial(summary: pd.DataFrame, full: str = "full", alpha: float = ALPHA) -> list[str]:
    """When does full fine-tuning pay, and when is partial tuning as good or better?"""
    out = []
    for _, prefix, block in _groups(summary):
        if full not in set(block.loc[block["state"] == "ok", "strategy"]):
            out.append(
                f"{prefix}No finished `{full}` cells: whether full fine-tuning pays cannot be judged."
            )
            continue
        duels = _duels(block, full)
        if not duels:
            out.append(f"{prefix}No train size has both full and partial results: inconclusive.")
            continue
        out.append(prefix + _when_full_wins(duels, alpha))
        out.extend(prefix + s for s in _when_partial_suffices(duels, alpha))
    return out


def _cheapest(cands: pd.DataFrame, cost: str) -> pd.Series | None:
    """Lowest cost among candidates; None when no candidate recorded that cost."""
    valid = cands.dropna(subset=[cost]) if cost in cands.columns else cands.iloc[0:0]
    return None if valid.empty else valid.sort_values([cost, "strategy"]).iloc[0]


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
    return f"{head}, the cheapest strategy within {tol} of the best mean ({best['strategy']}, {fmt_pct(best['mean'])}): {phrases} {_cite(best, *others.values())}."


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
            picks = {cost: _cheapest(cands, cost) for cost in ("train_time_s", "trainable_params")}
            if all(p is None for p in picks.values()):
                continue
            out.append(prefix + _cheapest_text(size, best, picks, tol))
    return out


def _size_ranking(at: pd.DataFrame, alpha: float) -> str:
    """Is the best strategy at one size separable from every other one?"""
    best = _best(at)
    others = [r for _, r in at.iterrows() if r["strategy"] != best["strategy"]]
    cmps = {r["strategy"]: compare_seeds(best["seed_acc"], r["seed_acc"]) for r in others}
    size = int(best["train_size"])
    if all(c.beyond_noise(alpha) and c.diff > 0 for c in cmps.values()):
        return f"At train_size={size}, {best['strategy']} is best beyond noise (every other strategy worse, p<{alpha:g}) {_cite(best, *others)}."
    ties = [r for r in others if not cmps[r["strategy"]].beyond_noise(alpha)]
    names = ", ".join(r["strategy"] for r in ties)
    return f"At train_size={size}, {best['strategy']} has the best mean but {names} cannot be told apart from it (p≥{alpha:g} or unjudged): inconclusive between them {_cite(best, *ties)}."


def separability(summary: pd.DataFrame, alpha: float = ALPHA) -> list[str]:
    """Whether any ranking at all is beyond noise, then the per-size verdict on the best."""
    out = []
    for _, prefix, block in _groups(summary):
        ok = block[block["state"] == "ok"]
        sizes = [
            s
            for s in sorted(int(x) for x in ok["train_size"].unique())
            if (ok["train_size"] == s).sum() >= 2
        ]
        pairs = [
            compare_seeds(a["seed_acc"], b["seed_acc"])
            for s in sizes
            for (_, a), (_, b) in itertools.combinations(ok[ok["train_size"] == s].iterrows(), 2)
        ]
        if not pairs:
            out.append(
                f"{prefix}Fewer than two finished strategies at every size: no ranking is possible."
            )
        elif not any(c.judged for c in pairs):
            out.append(
                f"{prefix}Noise cannot be judged (fewer than 2 seeds per cell): every ranking is inconclusive."
            )
        elif not any(c.beyond_noise(alpha) for c in pairs):
            out.append(
                f"{prefix}No strategy beats another beyond noise at any size (every pairwise comparison has p≥{alpha:g}): the ranking is inconclusive."
            )
        else:
            out.extend(prefix + _size_ranking(ok[ok["train_size"] == s], alpha) for s in sizes)
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
    summary: pd.DataFrame, full: str = "full", tolerance: float = 0.01, alpha: float = ALPHA
) -> list[str]:
    """All findings in reading order: the headline question first, caveats last."""
    return [
        *full_vs_partial(summary, full, alpha),
        *cheapest_within(summary, tolerance),
        *separability(summary, alpha),
        *incomplete_cells(summary),
    ]
