"""Sweeps: a grid of cells, an Optuna search per cell with pruning, confirmation over seeds."""

from typing import Any

from harness.sweep.spec import Cell, SweepSpec, load_sweep

__all__ = ["Cell", "Sweep", "SweepSpec", "load_sweep", "open_sweep", "prepare", "work"]


def __getattr__(name: str) -> Any:
    """The runner (torch, transformers) loads on first use: `harness sweep` checks its storage first."""
    if name in ("Sweep", "open_sweep", "prepare", "work"):
        from harness.sweep import runner

        return getattr(runner, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
