"""The search design against a previous study of the same cells (`report.previous`)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from harness.report.previous import previous_section


def _summary(means: dict[tuple[str, int], float], sd: float = 0.01, n: int = 10) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "group": "",
                "strategy": s,
                "train_size": size,
                "state": "ok",
                "mean": m,
                "std": sd,
                "n_seeds": n,
            }
            for (s, size), m in means.items()
        ]
    )


def test_each_cell_and_the_average_difference_are_stated(tmp_path: Path) -> None:
    old = pd.DataFrame(
        [
            {"strategy": s, "train_size": n, "seed": k, "test_accuracy": base + 0.01 * (k % 3 - 1)}
            for (s, n, base) in (("full", 100, 0.70), ("lora", 100, 0.72), ("full", 300, 0.80))
            for k in range(3)
        ]
    )
    path = tmp_path / "previous.csv"
    old.to_csv(path, index=False)
    new = _summary({("full", 100): 0.71, ("lora", 100): 0.72, ("full", 300): 0.82})
    text = previous_section(new, path)
    assert "| full@100 | 70.0 (n=3) | 71.0 (n=10) | +1.0 [" in text
    assert "| full@300 | 80.0 (n=3) | 82.0 (n=10) | +2.0 [" in text
    assert "Over 3 cells this search's choices score +1.00 points on average" in text
    assert previous_section(new, None) == ""


def test_no_matching_cells_says_nothing(tmp_path: Path) -> None:
    path = tmp_path / "previous.csv"
    pd.DataFrame([{"strategy": "bitfit", "train_size": 50, "test_accuracy": 0.5}]).to_csv(path)
    assert previous_section(_summary({("full", 100): 0.7}), path) == ""
    with pytest.raises(FileNotFoundError):
        previous_section(_summary({("full", 100): 0.7}), tmp_path / "absent.csv")
