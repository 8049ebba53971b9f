"""The learning-curve model: piecewise-linear in log(train_size) between the studied sizes.

With two to four studied sizes a three-parameter power law is not identifiable (as many
parameters as points), so the curve goes straight (in log n) from one studied size to the next,
and beyond them continues the line through the nearest two, labelled as extrapolation with how
far it reaches. The prediction is a fixed weighting of the per-size scores, so it applies to
every bootstrap draw at once.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["Position", "log_weights", "predict"]


@dataclass(frozen=True)
class Position:
    """Where N sits against the studied sizes, in words a reader can weigh."""

    kind: str  # studied | interpolation | extrapolation
    sizes: tuple[int, ...]  # the studied sizes the prediction uses
    factor: float = 1.0  # extrapolation: N / largest, or smallest / N (1 inside)
    above: bool = False  # extrapolation beyond the largest size (else below the smallest)

    @property
    def text(self) -> str:
        if self.kind == "studied":
            return f"at a studied size ({self.sizes[0]})"
        if self.kind == "interpolation":
            return f"interpolation between the studied sizes {self.sizes[0]} and {self.sizes[1]}"
        if len(self.sizes) == 1:
            return (
                f"extrapolation, flat: one studied size ({self.sizes[0]}), {self.factor:.1f}x away"
            )
        if self.above:
            return f"extrapolation, {self.factor:.1f}x beyond the largest studied size ({self.sizes[-1]})"
        return (
            f"extrapolation, {self.factor:.1f}x below the smallest studied size ({self.sizes[0]})"
        )


def log_weights(sizes: Sequence[int], n: float) -> tuple[np.ndarray, Position]:
    """Weights over `sizes` (ascending) whose dot product with per-size values is the curve at
    `n`; outside the studied sizes the weights extrapolate (one may be negative)."""
    if not sizes or n <= 0:
        raise ValueError("need at least one studied size and n > 0")
    xs = np.log(np.asarray(sizes, dtype=float))
    x = math.log(n)
    w = np.zeros(len(sizes))
    exact = np.flatnonzero(np.isclose(xs, x, rtol=0, atol=1e-12))
    if exact.size:
        w[exact[0]] = 1.0
        return w, Position("studied", (int(sizes[exact[0]]),))
    if len(sizes) == 1:
        w[0] = 1.0
        factor = max(n / sizes[0], sizes[0] / n)
        return w, Position("extrapolation", (int(sizes[0]),), factor, above=n > sizes[0])
    if x < xs[0]:
        i, kind, factor, above = 0, "extrapolation", sizes[0] / n, False
    elif x > xs[-1]:
        i, kind, factor, above = len(sizes) - 2, "extrapolation", n / sizes[-1], True
    else:
        i, kind, factor, above = int(np.searchsorted(xs, x)) - 1, "interpolation", 1.0, False
    t = (x - xs[i]) / (xs[i + 1] - xs[i])
    w[i], w[i + 1] = 1.0 - t, t
    used = (int(sizes[i]), int(sizes[i + 1]))
    return w, Position(kind, used, factor, above=above)


def predict(sizes: Sequence[int], values: np.ndarray, n: float) -> np.ndarray:
    """The curve at `n` for values over sizes on the last axis (e.g. draws x sizes)."""
    w, _ = log_weights(sizes, n)
    return np.asarray(values, dtype=float) @ w
