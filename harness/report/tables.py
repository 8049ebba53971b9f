"""The accuracy tables: test accuracy per strategy x size with noise marks, and overfitting."""

from __future__ import annotations

from typing import Any

import pandas as pd

from harness.report.fmt import fmt_p, fmt_pct, md_table, row_label, state_label
from harness.report.score import ACCURACY, Score
from harness.report.stats import ALPHA

__all__ = ["main_table_section", "overfit_section"]


def _legend(score: Score) -> str:
    """The main table's legend in the score's words (seed ensembles exist for accuracy only)."""
    m = score.label
    ensemble = "(ens x): accuracy of the seeds' ensemble. " if score.name == "accuracy" else ""
    return (
        f"Mean ± sample std of test {m} (%) over confirmation seeds (completed runs only). "
        f"**Bold**: best mean at that size. ≈: not distinguishable from best (p≥{ALPHA:g}). "
        "?: noise cannot be judged (fewer than 2 seeds). Unmarked: worse than best beyond noise "
        f"(p<{ALPHA:g}). (n=k): fewer seeds than elsewhere. {ensemble}(search only): test {m} "
        f"of the best search trial by val {m}, no confirmation runs — not ranked."
    )


def _sizes(summary: pd.DataFrame) -> list[int]:
    """Train sizes in ascending order: the table's columns."""
    return sorted(int(s) for s in summary["train_size"].unique())


def _rows(summary: pd.DataFrame) -> list[tuple[str, str, pd.DataFrame]]:
    """(group, strategy, cells) in a stable order: the table's rows."""
    return [(str(g), str(s), b) for (g, s), b in summary.groupby(["group", "strategy"], sort=True)]


def _accuracy_text(row: Any, max_seeds: int) -> str:
    """One main-table cell: mean ± std with its best / noise mark."""
    if row["state"] == "search_only":
        return f"{fmt_pct(row['search_best_test'])} (search only)"
    if row["state"] != "ok":
        return state_label(row)
    spread = f" ± {fmt_pct(row['std'])}" if row["n_seeds"] >= 2 else ""
    text = f"{fmt_pct(row['mean'])}{spread}"
    text = f"**{text}**" if row["is_best"] else text
    text += {"within_noise": " ≈", "unjudged": " ?"}.get(row["verdict"], "")
    if row["n_seeds"] < max_seeds:
        text += f" (n={int(row['n_seeds'])})"
    if pd.notna(row.get("ensemble")):
        text += f" (ens {fmt_pct(row['ensemble'])})"
    return text


def _grid(summary: pd.DataFrame, cell_text: Any) -> str:
    """Strategy x train-size table whose cells come from `cell_text(row)`."""
    sizes = _sizes(summary)
    rows = []
    for group, strategy, block in _rows(summary):
        by_size = {int(r["train_size"]): r for _, r in block.iterrows()}
        rows.append(
            [
                row_label(group, strategy),
                *(cell_text(by_size[s]) if s in by_size else "missing" for s in sizes),
            ]
        )
    return md_table(["strategy / train size", *(str(s) for s in sizes)], rows)


def _vs_best_text(row: Any) -> str:
    """Difference to the size's best in points with the p-value and test used."""
    if row["state"] != "ok":
        return "—"
    if row["verdict"] == "best":
        return "best"
    best_gap = f"{100 * (row['mean'] - row['best_mean']):+.1f}"
    if row["verdict"] == "unjudged":
        return f"{best_gap} (unjudged)"
    return f"{best_gap} (p={fmt_p(row['p_vs_best'])}, {row['test_vs_best']})"


def main_table_section(
    summary: pd.DataFrame, figure: str, noise_text: str, score: Score = ACCURACY
) -> str:
    """Answer 'which strategy wins at which size, and is the win more than seed noise?'"""
    ok = summary[summary["state"] == "ok"]
    max_seeds = int(ok["n_seeds"].max()) if not ok.empty else 0
    best_mean = summary.groupby(["group", "train_size"])["mean"].transform("max")
    with_best = summary.assign(best_mean=best_mean)
    return "\n\n".join([
        f"## Test {score.label}",
        _legend(score),
        _grid(summary, lambda r: _accuracy_text(r, max_seeds)),
        "Difference to the best mean at the same size (points), with the noise test:",
        _grid(with_best, _vs_best_text),
        noise_text,
        "### Learning curves",
        f"![Test {score.label} vs train size]({figure})",
    ])  # fmt: skip


def overfit_section(summary: pd.DataFrame, score: Score = ACCURACY) -> str:
    """Train minus val accuracy: where a strategy memorises instead of generalising."""

    def gap(row: Any) -> str:
        """Finished cells show the gap; unfinished ones say why they have none."""
        if row["state"] == "ok":
            return fmt_pct(row["overfit_gap"])
        return "—" if row["state"] == "search_only" else state_label(row)

    return "\n\n".join([
        "## Overfitting",
        f"Mean {'`overfit_gap`' if score.name == 'accuracy' else 'gap'} = train {score.label} − "
        f"val {score.label} (points) over confirmation runs:",
        _grid(summary, gap),
    ])  # fmt: skip
