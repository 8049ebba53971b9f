"""Findings follow from the numbers: constructed summaries with known answers."""

from __future__ import annotations

import pandas as pd

from harness.report.findings import (
    cheapest_within,
    full_vs_partial,
    generate_findings,
    incomplete_cells,
    separability,
)

COSTS = {"full": (100.0, 22_000_000), "lora": (60.0, 150_000), "head_only": (5.0, 770)}


def summary(
    cells: dict[tuple[str, int], list[float]], missing: tuple[tuple[str, int], ...] = ()
) -> pd.DataFrame:
    """A cell summary from per-seed test accuracies (seeds 0..k-1), with fixed per-strategy costs."""
    rows = []
    for (strategy, size), accs in sorted(cells.items()):
        time_s, params = COSTS[strategy]
        rows.append({
            "group": "", "strategy": strategy, "train_size": size, "state": "ok",
            "mean": sum(accs) / len(accs), "seed_acc": dict(enumerate(accs)),
            "train_time_s": time_s, "trainable_params": params, "n_records": 5, "n_failed": 0, "n_pruned": 0,
        })  # fmt: skip
    for strategy, size in missing:
        rows.append(
            {
                "group": "",
                "strategy": strategy,
                "train_size": size,
                "state": "missing",
                "mean": float("nan"),
                "seed_acc": {},
                "train_time_s": float("nan"),
                "trainable_params": float("nan"),
                "n_records": 0,
            }
        )
    return pd.DataFrame(rows)


FULL_WINS_LARGE = summary({
    ("full", 100): [0.70, 0.72, 0.71], ("lora", 100): [0.75, 0.76, 0.77], ("head_only", 100): [0.74, 0.75, 0.755],
    ("full", 1000): [0.82, 0.84, 0.83], ("lora", 1000): [0.83, 0.83, 0.835], ("head_only", 1000): [0.78, 0.79, 0.785],
    ("full", 10000): [0.90, 0.92, 0.91], ("lora", 10000): [0.86, 0.875, 0.87], ("head_only", 10000): [0.80, 0.81, 0.805],
})  # fmt: skip

NOTHING_SIGNIFICANT = summary(
    {
        (s, n): accs
        for n in (100, 1000)
        for s, accs in (
            ("full", [0.80, 0.85, 0.82]),
            ("lora", [0.83, 0.81, 0.84]),
            ("head_only", [0.82, 0.80, 0.85]),
        )
    }
)


def test_full_wins_at_large_sizes_only_names_the_size() -> None:
    lines = full_vs_partial(FULL_WINS_LARGE)
    first = [line for line in lines if "first beats the best partial strategy beyond noise" in line]
    assert len(first) == 1
    assert "train_size=10000" in first[0]
    assert "[full@10000, lora@10000]" in first[0]
    assert "It does not at the smaller size(s) 100, 1000." in first[0]
    assert any("beats full fine-tuning beyond noise at train_size=100:" in line for line in lines)
    assert any(
        "not distinguishable from full fine-tuning (p≥0.05) at train_size=1000:" in line
        for line in lines
    )


def test_nothing_significant_is_called_inconclusive() -> None:
    lines = generate_findings(NOTHING_SIGNIFICANT)
    text = "\n".join(lines)
    assert (
        "Full fine-tuning does not beat the best partial strategy beyond noise at any size compared (100, 1000)"
        in text
    )
    assert "inconclusive" in lines[0]
    assert "No strategy beats another beyond noise at any size" in text
    assert "first beats" not in text
    assert "is best beyond noise" not in text


def test_single_seed_means_noise_cannot_be_judged() -> None:
    one_seed = summary({("full", 100): [0.9], ("lora", 100): [0.8]})
    assert "Noise cannot be judged" in full_vs_partial(one_seed)[0]
    assert "Noise cannot be judged" in separability(one_seed)[0]


def test_no_full_strategy_says_so() -> None:
    partial_only = summary({("lora", 100): [0.8, 0.81], ("head_only", 100): [0.7, 0.71]})
    assert full_vs_partial(partial_only) == [
        "No finished `full` cells: whether full fine-tuning pays cannot be judged."
    ]


def test_cheapest_within_one_point_names_cheaper_strategy() -> None:
    lines = cheapest_within(FULL_WINS_LARGE)
    assert len(lines) == 3
    # at 100: lora best (76.0), head_only (74.8) is more than 1 point behind -> nothing cheaper
    assert lines[0].startswith("At train_size=100, no cheaper strategy comes within 1 point")
    # at 1000: lora best (83.2); full (83.0) is within 1 point but dearer
    assert "At train_size=1000, no cheaper strategy" in lines[1]
    close = summary(
        {
            ("full", 500): [0.85, 0.86, 0.87],
            ("head_only", 500): [0.855, 0.85, 0.86],
            ("lora", 500): [0.80, 0.81, 0.80],
        }
    )
    line = cheapest_within(close)[0]
    assert "by train time head_only (85.5; 5.0 s vs 100.0 s)" in line
    assert "by trainable params head_only (85.5; 770 vs 22M)" in line
    assert line.endswith("[full@500, head_only@500].")


def test_incomplete_cells_are_listed() -> None:
    partial = summary({("full", 100): [0.8, 0.81]}, missing=(("lora", 100),))
    assert incomplete_cells(partial) == [
        "Not compared (no confirmation results): lora@100 missing."
    ]
    assert incomplete_cells(summary({("full", 100): [0.8]})) == []
