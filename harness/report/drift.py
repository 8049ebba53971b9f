"""Drift against accuracy: how far each strategy moved the model from its pretrained self."""

from __future__ import annotations

import pandas as pd

from harness.report.fmt import fmt_pct, md_table
from harness.report.score import ACCURACY, Score

__all__ = ["drift_section"]

INTRO = (
    "Means over completed confirmation runs. `param_drift`: relative L2 change of the pretrained "
    "encoder weights (PEFT deltas merged; added modules excluded). `repr_cka`: linear CKA between "
    "pretrained and tuned pooled representations of held-out test texts (1 = unchanged geometry). "
    "Lower CKA / higher drift = more forgetting of the pretrained representation."
)


def drift_section(records: pd.DataFrame, score: Score = ACCURACY) -> str:
    """Per strategy x size: drift, CKA and test accuracy side by side."""
    cols = [c for c in ("param_drift", "repr_cka") if c in records.columns]
    ok = records[(records["phase"] == "confirm") & (records["status"] == "completed")]
    if len(cols) < 2 or ok[cols].dropna(how="all").empty:
        return "## Drift from the pretrained model\n\nNot recorded in these records (`train.drift_examples=0`)."
    ok = ok.assign(**{c: pd.to_numeric(ok[c], errors="coerce") for c in cols})
    rows = []
    for (group, strategy, size), block in ok.groupby(
        ["group", "grid_strategy", "grid_train_size"], sort=True
    ):
        label = f"{group}, {strategy}" if group else str(strategy)
        rows.append(
            [
                label,
                int(size),
                f"{block['param_drift'].mean():.4f}",
                f"{block['repr_cka'].mean():.4f}",
                fmt_pct(block["test_score"].mean()),
            ]
        )
    table = md_table(
        ["strategy", "train size", "param_drift", "repr_cka", f"test {score.short} (%)"], rows
    )
    return "\n\n".join(["## Drift from the pretrained model", INTRO, table])
