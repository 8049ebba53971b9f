"""Which hyperparameters each cell ended up with, and how much the lr choice mattered."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from harness.report.fmt import fmt_float, fmt_p, fmt_pct, md_table, row_label
from harness.report.score import ACCURACY, Score

__all__ = ["hparams_section", "lr_sensitivity", "param_importances"]

_MIN_TRIALS = 4  # completed trials needed before a correlation or an importance means anything


def _cell_records(records: pd.DataFrame, row: Any) -> pd.DataFrame:
    """The records of one summary cell."""
    return records[
        (records["group"] == row["group"])
        & (records["grid_strategy"] == row["strategy"])
        & (records["grid_train_size"] == row["train_size"])
    ]


def _chosen(records: pd.DataFrame, row: Any) -> list[Any] | None:
    """The config a cell settled on: the confirm runs' config, else the best search trial."""
    sub = _cell_records(records, row)
    done = sub[sub["status"] == "completed"]
    if row["state"] == "ok":
        confirm = done[done["phase"] == "confirm"].sort_values("seed")
        pick, source, val = confirm.iloc[0], "confirm", confirm["val_score"].mean()
    elif row["state"] == "search_only":
        search = done[done["phase"] == "search"].dropna(subset=["val_score"])
        if search.empty:
            return None
        pick = search.sort_values(["val_score", "trial_number"], ascending=[False, True]).iloc[0]
        source, val = (
            f"search trial {int(pick['trial_number'])} (search only)",
            pick["val_score"],
        )
    else:
        return None
    return [
        row_label(row["group"], row["strategy"]),
        int(row["train_size"]),
        source,
        fmt_float(pick["lr"], ".2e"),
        fmt_float(pick["weight_decay"], ".2g"),
        fmt_float(pick["dropout"], ".2g"),
        fmt_pct(val),
    ]


def lr_sensitivity(records: pd.DataFrame) -> pd.DataFrame:
    """Per strategy: within-cell val-accuracy range and Spearman ρ of cell-centred val acc vs log lr."""
    search = records[(records["phase"] == "search") & (records["status"] == "completed")]
    search = search.dropna(subset=["val_score", "lr"])
    search = search[search["lr"] > 0]
    keys = ["group", "grid_strategy", "grid_train_size"]
    centred = search["val_score"] - search.groupby(keys)["val_score"].transform("mean")
    search = search.assign(centred=centred)
    rows = []
    for (group, strategy), sub in search.groupby(["group", "grid_strategy"], sort=True):
        spans = sub.groupby("grid_train_size")["val_score"].agg(
            lambda v: v.max() - v.min() if len(v) >= 2 else math.nan
        )
        rho, p = math.nan, math.nan
        if len(sub) >= _MIN_TRIALS and sub["centred"].nunique() > 1 and sub["lr"].nunique() > 1:
            result = stats.spearmanr(
                np.log10(sub["lr"].to_numpy(dtype=float)), sub["centred"].to_numpy(dtype=float)
            )
            rho, p = float(result.statistic), float(result.pvalue)
        rows.append(
            {
                "group": group,
                "strategy": strategy,
                "n_trials": len(sub),
                "mean_range": spans.mean(),
                "max_range": spans.max(),
                "rho": rho,
                "p": p,
            }
        )
    return pd.DataFrame(
        rows, columns=["group", "strategy", "n_trials", "mean_range", "max_range", "rho", "p"]
    )


def _importances_for(storage: str, name: str) -> str:
    """fANOVA importances of one search study, or why there are none."""
    import optuna

    study = optuna.load_study(study_name=name, storage=storage)
    completed = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
    label = name.removesuffix("/search").split("/")[
        -1
    ]  # the runner names studies <sweep>/<cell_id>/<phase>
    if len(completed) < _MIN_TRIALS:
        return f"{label}: skipped, completed trials {len(completed)} < {_MIN_TRIALS}"
    evaluator = optuna.importance.FanovaImportanceEvaluator(seed=0)
    found = optuna.importance.get_param_importances(study, evaluator=evaluator)
    return f"{label}: " + ", ".join(f"{k} {v:.2f}" for k, v in sorted(found.items()))


def param_importances(sweep_dir: Path) -> list[str]:
    """Optuna importances per search study when the sweep kept its `study.db`; a note when not."""
    db = sweep_dir / "study.db"
    if not db.is_file():
        return ["No `study.db` in the sweep folder: Optuna parameter importances skipped."]
    try:
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        storage = f"sqlite:///{db.resolve()}"
        names = sorted(optuna.get_all_study_names(storage=storage))
        search = [
            n for n in names if n.endswith("/search")
        ] or names  # confirm studies have no params
        return [_importances_for(storage, n) for n in search] or ["`study.db` holds no studies."]
    except Exception as exc:  # importances are optional; never fail the report for them
        return [f"Optuna parameter importances unavailable ({type(exc).__name__}: {exc})."]


def _sensitivity_table(records: pd.DataFrame) -> str:
    """The lr-sensitivity proxy as a markdown table."""
    sens = lr_sensitivity(records)
    rows = [
        [
            row_label(r["group"], r["strategy"]),
            r["n_trials"],
            fmt_pct(r["mean_range"]),
            fmt_pct(r["max_range"]),
            fmt_float(r["rho"], ".2f"),
            fmt_p(r["p"]),
        ]
        for _, r in sens.iterrows()
    ]
    header = [
        "strategy",
        "completed search trials",
        "mean val range (points)",
        "max val range (points)",
        "Spearman ρ (log lr)",
        "p",
    ]
    return md_table(header, rows) if rows else "No completed search trials."


def _importance_lines(sweep_dirs: Sequence[Path]) -> list[str]:
    """Importances of one sweep as they are; of combined sweeps, each line under its folder."""
    if len(sweep_dirs) == 1:
        return param_importances(sweep_dirs[0])
    return [f"{d.name}: {line}" for d in sweep_dirs for line in param_importances(d)]


def hparams_section(
    records: pd.DataFrame,
    summary: pd.DataFrame,
    sweep_dirs: Path | Sequence[Path],
    score: Score = ACCURACY,
) -> str:
    """Chosen hyperparameters per cell and how sensitive each strategy is to the learning rate."""
    dirs = [sweep_dirs] if isinstance(sweep_dirs, Path) else list(sweep_dirs)
    chosen = [c for _, row in summary.iterrows() if (c := _chosen(records, row)) is not None]
    header = [
        "strategy",
        "train size",
        "source",
        "lr",
        "weight_decay",
        "dropout",
        f"val {score.short} (%)",
    ]
    return "\n\n".join(
        [
            "## Hyperparameters",
            f"Chosen configuration per cell (confirmation runs' config; else the best completed search trial by val {score.label}):",
            md_table(header, chosen) if chosen else "No completed cells.",
            f"Learning-rate sensitivity over completed search trials: val-{score.label} range within a cell, and Spearman ρ of "
            f"val {score.label} (centred per cell) against log10 lr, pooled over sizes (n/a below {_MIN_TRIALS} trials). "
            "With few trials per cell this is a rough proxy, not an importance estimate.",
            _sensitivity_table(records),
            "Optuna parameter importances (fANOVA, per study with ≥4 completed trials):",
            "\n".join(f"- {line}" for line in _importance_lines(dirs)),
        ]
    )
