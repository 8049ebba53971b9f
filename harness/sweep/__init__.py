"""Sweeps: a grid of cells, an Optuna search per cell with pruning, confirmation over seeds."""

from harness.sweep.runner import Sweep, open_sweep, prepare, work
from harness.sweep.spec import Cell, SweepSpec, load_sweep

__all__ = ["Cell", "Sweep", "SweepSpec", "load_sweep", "open_sweep", "prepare", "work"]
