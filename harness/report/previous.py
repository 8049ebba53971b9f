"""What a new search design cost or gained, cell by cell, against a previous study of the same
cells (`report.previous`: a CSV of that study's confirmation runs, e.g. the tidy table the previous
report wrote). Both confirm their own chosen configuration on their own runs, so a cell's
difference is (new search's choice − old search's choice) + run noise; across cells, the spread
beyond what run noise explains estimates the search's own variance."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from harness.report.fmt import md_table
from harness.report.score import ACCURACY, Score

__all__ = ["previous_section"]


def _cells(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """Mean, sd and runs per (strategy, train_size), in points."""
    done = frame.dropna(subset=[column])
    return (
        done.assign(score=100 * done[column].astype(float))
        .groupby(["strategy", "train_size"])["score"]
        .agg(["mean", "std", "count"])
    )


def previous_section(
    summary: pd.DataFrame, path: Path | None, label: str = "", score: Score = ACCURACY
) -> str:
    """The per-cell comparison with the previous study, its mean and the search variance."""
    if path is None:
        return ""
    column = f"test_{score.name}"
    old = pd.read_csv(path)
    if column not in old.columns:
        return f"## Search against the previous study\n\n`{path}` has no `{column}` column."
    before = _cells(old, column)
    ok = summary[(summary["state"] == "ok") & (summary["group"] == "")]
    rows, diffs, noise = [], [], []
    for _, r in ok.sort_values(["train_size", "strategy"]).iterrows():
        key = (str(r["strategy"]), int(r["train_size"]))
        if key not in before.index or r["n_seeds"] < 2:
            continue
        b = before.loc[key]
        new_mean, new_sd, n_new = 100 * r["mean"], 100 * r["std"], int(r["n_seeds"])
        d = new_mean - b["mean"]
        va, vb = new_sd**2 / n_new, b["std"] ** 2 / b["count"]
        df = (va + vb) ** 2 / max(va**2 / (n_new - 1) + vb**2 / (b["count"] - 1), 1e-12)
        half = float(stats.t.ppf(0.975, df)) * math.sqrt(va + vb)
        diffs.append(d)
        noise.append(va + vb)
        rows.append(
            [
                f"{key[0]}@{key[1]}",
                f"{b['mean']:.1f} (n={int(b['count'])})",
                f"{new_mean:.1f} (n={n_new})",
                f"{d:+.1f} [{d - half:.1f}, {d + half:.1f}]",
            ]
        )
    if not rows:
        return ""
    d = np.array(diffs)
    mean, se = float(d.mean()), float(d.std(ddof=1) / math.sqrt(len(d))) if len(d) > 1 else math.nan
    excess = float(d.var(ddof=1) - np.mean(noise)) if len(d) > 1 else math.nan
    search_sd = (
        f"{math.sqrt(excess):.1f} points" if excess > 0 else "not distinguishable from run noise"
    )
    source = f" ({label})" if label else ""
    return "\n\n".join(
        [
            "## Search against the previous study",
            f"Each cell's mean test {score.label} (points) with this study's search against the "
            f"previous study's{source} (`report.previous`: {path.name}). Each confirmed its own chosen "
            "configuration on its own runs, so a difference is the two searches' choices apart plus "
            "run noise (Welch 95 % interval).",
            md_table(["cell", "previous", "this study", "difference"], rows),
            f"Over {len(d)} cells this search's choices score {mean:+.2f} points on average (standard "
            f"error {se:.2f}) against the previous search's. The spread of the differences beyond "
            f"what run noise explains — the search's own variance, which no confirmation interval "
            f"contains — is {search_sd} (sd of the cell differences {d.std(ddof=1):.2f}, run-noise "
            f"part {math.sqrt(float(np.mean(noise))):.2f}).",
        ]
    )
