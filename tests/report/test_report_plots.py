"""The report's figures exist beside it and are real, non-trivial PNGs."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pandas as pd

from harness.report.plots import plot_cost_scatter, plot_learning_curves

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _assert_png(path: Path, min_kb: int = 10) -> None:
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC, f"{path.name} is not a PNG"
    assert len(data) > min_kb * 1024, f"{path.name} is only {len(data)} bytes"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert width >= 400 and height >= 300


def test_report_writes_valid_pngs_and_links_them(built_report: Path) -> None:
    assert matplotlib.get_backend().lower() == "agg"
    text = built_report.read_text(encoding="utf-8")
    for name in ("learning_curves.png", "cost_scatter.png"):
        _assert_png(built_report.parent / name)
        assert f"]({name})" in text


def test_report_writes_tidy_table(built_report: Path) -> None:
    csv = pd.read_csv(built_report.parent / "records.csv")
    parquet = pd.read_parquet(built_report.parent / "records.parquet")
    assert len(csv) == len(parquet) == 74
    assert {"cell_id", "phase", "trial_number", "test_accuracy", "train_time_s"} <= set(
        parquet.columns
    )
    assert parquet["test_accuracy"].dtype == "float64"


def test_plots_render_with_no_finished_cells(tmp_path: Path) -> None:
    empty = pd.DataFrame(
        [
            {
                "group": "",
                "strategy": "full",
                "train_size": 100,
                "state": "failed",
                "mean": float("nan"),
                "min": float("nan"),
                "max": float("nan"),
                "train_time_s": float("nan"),
                "trainable_params": float("nan"),
            }
        ]
    )
    _assert_png(plot_learning_curves(empty, tmp_path / "lc.png"), min_kb=5)
    _assert_png(plot_cost_scatter(empty, tmp_path / "cs.png"), min_kb=5)
