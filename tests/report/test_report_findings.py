"""Findings follow from the verdicts: constructed summaries with known answers."""

from __future__ import annotations

import numpy as np
import pandas as pd

from harness.report.findings import cheapest_within, generate_findings, incomplete_cells
from harness.report.options import ReportOptions
from harness.report.verdicts import verdict_table

COSTS = {
    "full": (100.0, 22_000_000),
    "lora": (60.0, 150_000),
    "head_only": (5.0, 770),
    "llrd": (120.0, 22_000_000),
    "reinit_top": (100.0, 22_000_000),
}
OPTS = ReportOptions(margin=1.0, alpha=0.05, seeds_min=8, seeds_max=8)


def summary(
    cells: dict[tuple[str, int], list[float]], missing: tuple[tuple[str, int], ...] = ()
) -> pd.DataFrame:
    """A cell summary from per-run test accuracies (runs keyed (seed, 0)), fixed per-strategy costs."""
    rows = []
    for (strategy, size), accs in sorted(cells.items()):
        time_s, params = COSTS[strategy]
        rows.append(
            {
                "group": "",
                "strategy": strategy,
                "train_size": size,
                "state": "ok",
                "mean": sum(accs) / len(accs),
                "seed_acc": {(i, 0): a for i, a in enumerate(accs)},
                "run_paths": {},
                "n_seeds": len(accs),
                "train_time_s": time_s,
                "trainable_params": params,
                "n_records": 5,
                "n_failed": 0,
                "n_pruned": 0,
            }
        )
    for strategy, size in missing:
        rows.append(
            {
                "group": "",
                "strategy": strategy,
                "train_size": size,
                "state": "missing",
                "mean": float("nan"),
                "seed_acc": {},
                "run_paths": {},
                "n_seeds": 0,
                "train_time_s": float("nan"),
                "trainable_params": float("nan"),
                "n_records": 0,
            }
        )
    return pd.DataFrame(rows)


def _runs(mean: float, sd: float, seed: int, shared: np.ndarray) -> list[float]:
    """Eight runs around `mean` (fractions) sharing a per-seed effect across strategies."""
    noise = np.random.default_rng(seed).normal(0.0, sd, size=8)
    return [float(x) for x in mean + shared + noise]


SHARED = np.random.default_rng(0).normal(0.0, 0.01, size=8)
KNOWN = summary(
    {
        ("full", 100): _runs(0.70, 0.002, 1, SHARED),
        ("lora", 100): _runs(0.75, 0.002, 2, SHARED),
        ("head_only", 100): _runs(0.72, 0.04, 3, SHARED),
        ("full", 1000): _runs(0.83, 0.001, 4, SHARED),
        ("lora", 1000): _runs(0.831, 0.001, 5, SHARED),
        ("head_only", 1000): _runs(0.78, 0.002, 6, SHARED),
    }
)


def _verdict(table: pd.DataFrame, strategy: str, size: int) -> str:
    row = table[
        (table["family"] == "vs full")
        & (table["strategy"] == strategy)
        & (table["train_size"] == size)
    ]
    return str(row["verdict"].iloc[0])


def test_every_verdict_follows_from_known_gaps() -> None:
    table = verdict_table(KNOWN, OPTS)
    assert _verdict(table, "lora", 100) == "better"
    assert _verdict(table, "head_only", 100) == "undecided"
    assert _verdict(table, "lora", 1000) == "equivalent"
    assert _verdict(table, "head_only", 1000) == "worse"
    undecided = table[(table["family"] == "vs full") & (table["verdict"] == "undecided")]
    assert (undecided["seeds_needed"].dropna() > 8).all() and undecided["mdd"].notna().all()


def test_findings_state_verdict_interval_and_cells() -> None:
    lines = generate_findings(KNOWN, verdict_table(KNOWN, OPTS), OPTS.margin)
    text = "\n".join(lines)
    assert lines[0].startswith("When full fine-tuning pays: ")
    lora = next(line for line in lines if line.startswith("lora vs full at train_size=100"))
    assert "**better**" in lora and "95 % CI" in lora and lora.endswith("[lora@100, full@100].")
    assert "**equivalent (±1 point)**" in text
    head = next(line for line in lines if line.startswith("head_only vs full at train_size=100"))
    assert "**undecided — would need " in head and "minimum detectable difference" in head
    assert "inconclusive" not in text


def test_a_finding_on_a_flagged_cell_is_suspect() -> None:
    flags = {("", "full", 100): ["still_improving (2 of 8 runs)"]}
    lines = generate_findings(KNOWN, verdict_table(KNOWN, OPTS), 1.0, flags)
    lora = next(line for line in lines if line.startswith("lora vs full at train_size=100"))
    assert lora.endswith("*suspect*: full@100 still_improving (2 of 8 runs).")
    other = next(line for line in lines if line.startswith("lora vs full at train_size=1000"))
    assert "suspect" not in other


def test_single_run_is_undecided_not_a_crash() -> None:
    one_seed = summary({("full", 100): [0.9], ("lora", 100): [0.8]})
    table = verdict_table(one_seed, OPTS)
    assert _verdict(table, "lora", 100) == "undecided"
    assert "fewer than 2 runs" in "\n".join(generate_findings(one_seed, table))


def test_no_full_strategy_says_so() -> None:
    partial_only = summary({("lora", 100): [0.8, 0.81], ("head_only", 100): [0.7, 0.71]})
    lines = generate_findings(partial_only, verdict_table(partial_only, OPTS))
    assert lines[0] == "No finished `full` cells: whether full fine-tuning pays cannot be judged."


def test_cheapest_within_one_point_names_cheaper_strategy() -> None:
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


def test_cheapest_within_a_tie_in_cost_is_the_best_itself() -> None:
    """llrd trains as many parameters as reinit_top: that is not cheaper, whatever the names' order."""
    close = summary(
        {
            ("full", 300): [0.79, 0.80, 0.78],
            ("llrd", 300): [0.81, 0.80, 0.82],
            ("reinit_top", 300): [0.82, 0.81, 0.82],
        }
    )
    line = cheapest_within(close)[0]
    assert line == (
        "At train_size=300, no cheaper strategy comes within 1 point of the best mean "
        "(reinit_top, 81.7) [reinit_top@300]."
    )


def test_incomplete_cells_are_listed() -> None:
    partial = summary({("full", 100): [0.8, 0.81]}, missing=(("lora", 100),))
    assert incomplete_cells(partial) == [
        "Not compared (no confirmation results): lora@100 missing."
    ]
    assert incomplete_cells(summary({("full", 100): [0.8]})) == []
