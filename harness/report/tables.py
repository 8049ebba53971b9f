"""The accuracy tables: test accuracy per strategy x size with noise marks, and overfitting."""

from __future__ import annotations

from typing import Any

import pandas as pd

from harness.report.fmt import fmt_pct, md_table, row_label, state_label
from harness.report.fmt import fmt_points as _pts
from harness.report.score import ACCURACY, Score

__all__ = ["main_table_section", "overfit_section"]


def _legend(score: Score, margin: float) -> str:
    """The main table's legend in the score's words (seed ensembles exist for accuracy only)."""
    m = score.label
    ensemble = "(ens x): accuracy of the runs' ensemble. " if score.name == "accuracy" else ""
    return (
        f"Mean ± sample std of test {m} (%) over confirmation runs (completed runs only). "
        f"**Bold**: best mean at that size. Each partial strategy against full fine-tuning at "
        f"the same size (verdicts as in the methods below): ▲ better; ≈ equivalent within "
        f"±{_pts(margin)}; ▼ worse; ? undecided. "
        f"(n=k): fewer runs than elsewhere. {ensemble}(search only): test {m} "
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
    text += {"equivalent": " ≈", "undecided": " ?", "worse": " ▼", "better": " ▲"}.get(
        row["verdict"], ""
    )
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
    """Difference of means to the size's best in points (descriptive: no test)."""
    if row["state"] != "ok":
        return "—"
    if row["is_best"]:
        return "best"
    return f"{100 * (row['mean'] - row['best_mean']):+.1f}"


def main_table_section(
    summary: pd.DataFrame,
    figure: str,
    score: Score = ACCURACY,
    margin: float = 1.0,
    crossover: list[str] | None = None,
) -> str:
    """Answer 'which strategy wins at which size, and is the win more than seed noise?'"""
    ok = summary[summary["state"] == "ok"]
    max_seeds = int(ok["n_seeds"].max()) if not ok.empty else 0
    best_mean = summary.groupby(["group", "train_size"])["mean"].transform("max")
    with_best = summary.assign(best_mean=best_mean)
    return "\n\n".join(
        [
            f"## Test {score.label}",
            _legend(score, margin),
            _grid(summary, lambda r: _accuracy_text(r, max_seeds)),
            "Difference of means to the best at the same size (points). Descriptive only: the best is "
            "picked from these same runs, so a test against it would be biased towards finding it "
            "better (post-selection); the tested comparisons are each strategy against full, below.",
            _grid(with_best, _vs_best_text),
            "### Learning curves",
            f"![Test {score.label} vs train size]({figure})",
            *(f"- {line}" for line in crossover or []),
        ]
    )


def overfit_section(summary: pd.DataFrame, score: Score = ACCURACY) -> str:
    """Train minus val accuracy: where a strategy memorises instead of generalising."""

    def gap(row: Any) -> str:
        """Finished cells show the gap; unfinished ones say why they have none."""
        if row["state"] == "ok":
            return fmt_pct(row["overfit_gap"])
        return "—" if row["state"] == "search_only" else state_label(row)

    return "\n\n".join(
        [
            "## Overfitting",
            f"Mean {'`overfit_gap`' if score.name == 'accuracy' else 'gap'} = train {score.label} − "
            f"val {score.label} (points) over confirmation runs:",
            _grid(summary, gap),
        ]
    )
