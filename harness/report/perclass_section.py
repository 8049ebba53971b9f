"""The per-class section and its confusion-matrix figures (multi-class tasks only)."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402

from harness.report.fmt import cell_name, fmt_pct, md_table  # noqa: E402
from harness.report.perclass import PerClass  # noqa: E402
from harness.report.score import ACCURACY, Score  # noqa: E402
from harness.report.sources import group_axes  # noqa: E402

__all__ = ["figure_name", "perclass_finding", "perclass_section", "plot_confusion"]

_DPI = 120


def figure_name(group: str) -> str:
    """`confusion_matrix_trec.png` for group `dataset=trec`; `confusion_matrix.png` without axes."""
    slug = "_".join(group_axes(group).values())
    slug = re.sub(r"[^A-Za-z0-9._-]", "_", slug)
    return f"confusion_matrix_{slug}.png" if slug else "confusion_matrix.png"


def _cell(pc: PerClass, i: int) -> str:
    """`lora@1000[dataset=trec]`: one of the two cells compared."""
    row = pc.cells[i]
    return cell_name(str(row["strategy"]), int(row["train_size"]), pc.group)


def _mean_sd(f1: np.ndarray, c: int) -> str:
    """Mean ± sd over runs of one class's F1, in points."""
    values = f1[:, c]
    spread = f" ± {fmt_pct(values.std(ddof=1))}" if len(values) >= 2 else ""
    return f"{fmt_pct(values.mean())}{spread}"


def _table(pc: PerClass) -> str:
    """Class x (support, F1 full, F1 partial, difference), then the macro average."""
    rows = []
    for c, name in enumerate(pc.label_names):
        diff = 100 * (pc.f1[1][:, c].mean() - pc.f1[0][:, c].mean())
        rows.append(
            [name, int(pc.support[c]), _mean_sd(pc.f1[0], c), _mean_sd(pc.f1[1], c), f"{diff:+.1f}"]
        )
    macro = [f.mean(axis=1) for f in pc.f1]  # per run: the mean over classes = macro-F1
    rows.append(
        [
            "macro-F1 (mean of classes)",
            int(pc.support.sum()),
            fmt_pct(macro[0].mean()),
            fmt_pct(macro[1].mean()),
            f"{100 * (macro[1].mean() - macro[0].mean()):+.1f}",
        ]
    )
    header = [
        "class",
        "test examples",
        f"F1 {_cell(pc, 0)}",
        f"F1 {_cell(pc, 1)}",
        "partial − full (points)",
    ]
    return md_table(header, rows)


def perclass_section(found: list[PerClass], score: Score = ACCURACY) -> str:
    """Answer 'on which classes does the partial strategy lose (or win)?'"""
    parts = [
        "## Per-class results (multi-class tasks)",
        f"For each task with more than two labels: the best full cell and the best partial cell "
        f"(highest mean test {score.label}), F1 per class in % (mean ± sd over their confirmation "
        "runs with stored predictions), and their confusion matrices summed over those runs "
        "(rows: true class, normalised to 100 %).",
    ]
    for pc in found:
        runs = f"{len(pc.f1[0])} and {len(pc.f1[1])} runs"
        parts += [
            f"### {pc.group or 'Per class'}: {_cell(pc, 0)} vs {_cell(pc, 1)} ({runs})",
            _table(pc),
            f"![Confusion matrices of {_cell(pc, 0)} and {_cell(pc, 1)}]({figure_name(pc.group)})",
        ]
    return "\n\n".join(parts)


def perclass_finding(pc: PerClass) -> str:
    """The class where the two cells differ most, with its support."""
    diffs = 100 * (pc.f1[1].mean(axis=0) - pc.f1[0].mean(axis=0))
    c = int(np.argmax(np.abs(diffs)))
    prefix = f"[{pc.group}] " if pc.group else ""
    return (
        f"{prefix}Per class, {pc.cells[1]['strategy']} vs full (best cells): the largest F1 gap is "
        f"on {pc.label_names[c]} ({diffs[c]:+.1f} points, {int(pc.support[c])} test examples; "
        f"macro-F1 over classes {100 * (pc.f1[1].mean() - pc.f1[0].mean()):+.1f}) [{_cell(pc, 1)}, {_cell(pc, 0)}]."
    )


def _panel(ax: Axes, matrix: np.ndarray, names: tuple[str, ...], title: str) -> None:
    """Row-normalised confusion matrix with the percentages written in."""
    rows = matrix.sum(axis=1, keepdims=True)
    share = np.divide(matrix, rows, out=np.zeros(matrix.shape), where=rows > 0)
    ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
    for (i, j), value in np.ndenumerate(share):
        ax.text(
            j,
            i,
            f"{100 * value:.0f}",
            ha="center",
            va="center",
            fontsize=7,
            color="white" if value > 0.6 else "black",
        )
    ticks = np.arange(len(names))
    ax.set_xticks(ticks, names, rotation=45, ha="right", fontsize=7)
    ax.set_yticks(ticks, names, fontsize=7)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title, fontsize=8)


def plot_confusion(pc: PerClass, out_dir: Path) -> Path:
    """Both cells' confusion matrices side by side, as `figure_name(group)` in out_dir."""
    k = len(pc.label_names)
    side = min(max(3.0, 0.45 * k + 1.5), 8.0)
    fig, axes = plt.subplots(1, 2, figsize=(2 * side, side))
    for i, ax in enumerate(axes):
        _panel(ax, pc.matrices[i], pc.label_names, f"{_cell(pc, i)} ({len(pc.f1[i])} runs)")
    fig.suptitle(
        "Confusion matrices (% of each true class), summed over confirmation runs", fontsize=9
    )
    fig.tight_layout()
    path = out_dir / figure_name(pc.group)
    fig.savefig(path, dpi=_DPI, metadata={"Software": None})
    plt.close(fig)
    return path
