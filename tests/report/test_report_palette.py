"""Figures read per dataset: one panel each, a strategy in one colour everywhere, each panel's
own Pareto front, the legend outside the data."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from harness.report import plots
from harness.report.palette import COLOURS, ORDER, split_group, strategy_color


def _summary() -> pd.DataFrame:
    rows = []
    for dataset, base in (("sst2", 0.80), ("trec", 0.60)):
        for strategy, shift in (("full", 0.02), ("lora", 0.0), ("head_only", -0.05)):
            for size in (100, 1000):
                mean = base + shift + (0.05 if size == 1000 else 0.0)
                rows.append(
                    {
                        "group": f"dataset={dataset}",
                        "strategy": strategy,
                        "train_size": size,
                        "state": "ok",
                        "mean": mean,
                        "ci_low": mean - 0.02,
                        "ci_high": mean + 0.02,
                        "min": mean - 0.03,
                        "max": mean + 0.03,
                        "train_time_s": {"full": 60.0, "lora": 40.0, "head_only": 1.0}[strategy],
                        "trainable_params": {"full": 2e7, "lora": 7e4, "head_only": 800}[strategy],
                    }
                )
    return pd.DataFrame(rows)


def test_a_strategy_has_one_colour_everywhere_and_known_ones_never_share() -> None:
    assert strategy_color("lora") == strategy_color("lora") == COLOURS[ORDER.index("lora")]
    assert len({strategy_color(s) for s in ORDER}) == len(ORDER)  # all distinct
    assert strategy_color("my_own") in COLOURS  # a user's strategy: a stable colour too
    assert split_group("dataset=sst5,loss=focal") == ("sst5", "loss=focal")
    assert split_group("") == (None, "")


def _figures(monkeypatch: pytest.MonkeyPatch) -> list[plt.Figure]:
    """The figures the plot functions save (kept open to look at)."""
    saved: list[plt.Figure] = []
    monkeypatch.setattr(plots.plt, "close", lambda fig=None: saved.append(fig))
    return saved


def test_learning_curves_have_a_panel_per_dataset_with_the_legend_outside(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    saved = _figures(monkeypatch)
    plots.plot_learning_curves(_summary(), tmp_path / "lc.png")
    (fig,) = saved
    panels = [ax for ax in fig.axes if ax.get_visible() and ax.axison]
    assert [ax.get_title() for ax in panels] == ["sst2", "trec"]
    for ax in panels:  # each strategy once per panel, in its own colour; no legend in a panel
        lines = {line.get_label(): line.get_color() for line in ax.get_lines()}
        assert lines == {s: strategy_color(s) for s in ("full", "head_only", "lora")}
        assert ax.get_legend() is None
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["full", "head_only", "lora"]
    plt.close("all")


def test_the_cost_plot_draws_each_datasets_own_pareto_front(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fronts: list[set[str]] = []
    real = plots.pareto_front

    def spy(block: pd.DataFrame, cost: str) -> pd.DataFrame:
        fronts.append(set(block["group"]))
        return real(block, cost)

    monkeypatch.setattr(plots, "pareto_front", spy)
    saved = _figures(monkeypatch)
    plots.plot_cost_scatter(_summary(), tmp_path / "cs.png")
    assert fronts == [{"dataset=sst2"}] * 2 + [{"dataset=trec"}] * 2  # never across datasets
    (fig,) = saved
    assert len(fig.axes) == 4 and all(ax.get_legend() is None for ax in fig.axes)
    plt.close("all")


def test_training_curves_name_their_axes_and_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from harness.report.training_curves import plot_training_curves

    history = [
        {"step": s, "val_accuracy": 0.5 + s / 100, "train_loss": 1 / s} for s in (10, 20, 30)
    ]
    records = pd.DataFrame(
        [
            {
                "phase": "confirm",
                "status": "completed",
                "group": "",
                "grid_strategy": strategy,
                "grid_train_size": 100,
                "seed": seed,
                "data_seed": seed,
                "history": history,
                "selection_metric": "accuracy",
            }
            for strategy in ("full", "lora")
            for seed in (0, 1)
        ]
    )
    saved: list[plt.Figure] = []
    monkeypatch.setattr(plt, "close", lambda fig=None: saved.append(fig))
    plot_training_curves(records, tmp_path / "tc.png")
    (fig,) = saved
    panels = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title() for ax in panels] == ["full@100", "lora@100"]
    assert all(ax.get_xlabel() == "optimizer step" for ax in panels)
    assert panels[0].get_ylabel() == "val accuracy (%)"
    assert any(ax.get_ylabel() == "train loss" for ax in fig.axes)  # the right-hand axis
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend[:2] == ["seed 0, data 0", "seed 1, data 1"]
    assert "train loss (dashed, right axis)" in legend
    # the figure's title is its own, above the panels' titles (not printed over them)
    assert fig._suptitle is not None and fig.get_layout_engine() is not None
    plt.close("all")
