"""Group-sequential looks: verdicts that stay valid when confirmation runs are added until a
comparison is decided or the budget ends.

A comparison is looked at after every confirmation block from `n_min` to `n_max`. Each look's
test gets a nominal level from an error-spending function (Lan & DeMets 1983) of the
information fraction t = n / n_max, so that over all looks the chance of a false rejection is
alpha. The default spends like O'Brien & Fleming: almost nothing at the early looks (only a huge
gap is decided after 4 runs), nearly all of alpha at the last, so a study that runs to its
planned size loses little power to having looked. The boundaries are computed for the
canonical joint law of the look statistics (a Gaussian random walk: corr(Z_j, Z_k) = sqrt(n_j /
n_k)) and applied to each look's t-test p-value ("significance-level approach", Jennison &
Turnbull 2000, §3.8).

What the report quotes is the *repeated p-value* (Jennison & Turnbull §9.1): the smallest alpha
at which the sequential test would have rejected at some look so far. It is valid whatever the
stopping rule (a budget that ends early, runs added only where undecided), and Holm-type
corrections may be applied to repeated p-values of several hypotheses (Maurer & Bretz 2013).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy import stats

__all__ = ["SPENDING", "LookPlan", "nominal_levels", "repeated_p", "spent"]

SPENDING = ("obf", "pocock")
_SIMULATIONS = 100_000  # null random-walk paths; MC error of a level 0.05 boundary ~ 0.0007
_ALPHAS = np.geomspace(1e-6, 1.0, 121)  # the alpha grid the boundaries are tabulated on
_SEED = 20261204


@dataclass(frozen=True)
class LookPlan:
    """Confirmation blocks per comparison: looks at n = n_min..n_max (n_min == n_max: one look)."""

    n_min: int = 3
    n_max: int = 3
    spending: str = "obf"  # obf (O'Brien-Fleming-type) | pocock (Pocock-type)
    step: int = 1  # blocks between looks (2: a look after both seeds of a new data draw)

    def looks(self, n: int | None = None) -> tuple[int, ...]:
        """Every planned look: n_min, every `step` blocks after it, and n_max; a study that went
        past n_max (a grown or merged sweep) extends the plan to n, which only makes each look
        stricter."""
        first = max(2, self.n_min)
        last = max(first, self.n_max, n or 0)
        return tuple(sorted({*range(first, last + 1, max(1, self.step)), last}))


def spent(t: float | np.ndarray, alpha: float, kind: str) -> np.ndarray:
    """Alpha spent by information fraction t in [0, 1] (spent(1) == alpha)."""
    t = np.clip(np.asarray(t, dtype=float), 1e-12, 1.0)
    if kind == "pocock":
        return np.asarray(alpha * np.log1p((math.e - 1) * t))
    if kind != "obf":
        raise ValueError(f"spending must be one of {SPENDING}, got {kind!r}")
    if alpha >= 1:
        return np.ones_like(t)
    z = stats.norm.isf(alpha / 2)
    return np.asarray(2 * stats.norm.sf(z / np.sqrt(t)))


@functools.lru_cache(maxsize=16)
def _null_p(looks: tuple[int, ...], groups: int, two_sided: bool) -> np.ndarray:
    """Null p-values [paths, looks] of one contrast's t-test at each look, when `groups`
    strategies share the blocks (2: the paired t-test, df n - 1; more: the pooled block model,
    df (groups - 1)(n - 1)). Under normal errors these paths do not depend on the error sd, so
    one simulation calibrates every study with this design."""
    rng = np.random.default_rng(_SEED + 7919 * groups + int(two_sided))
    last = looks[-1]
    y = rng.standard_normal((_SIMULATIONS, groups, last), dtype=np.float32)
    out = np.empty((_SIMULATIONS, len(looks)))
    for k, n in enumerate(looks):
        part = y[:, :, :n]
        resid = (
            part
            - part.mean(axis=2, keepdims=True)
            - part.mean(axis=1, keepdims=True)
            + part.mean(axis=(1, 2), keepdims=True)
        )
        df = (groups - 1) * (n - 1)
        var = (resid.astype(np.float64) ** 2).sum(axis=(1, 2)) / df
        diff = (part[:, 1, :] - part[:, 0, :]).mean(axis=1, dtype=np.float64)
        t = diff / np.sqrt(2 * var / n)
        out[:, k] = 2 * stats.t.sf(np.abs(t), df) if two_sided else stats.t.sf(t, df)
    return out


@functools.lru_cache(maxsize=64)
def _table(looks: tuple[int, ...], kind: str, two_sided: bool, groups: int) -> np.ndarray:
    """Nominal p-level of each look (columns) for each alpha of the grid (rows)."""
    if len(looks) == 1:
        return _ALPHAS[:, None].copy()
    p = _null_p(looks, groups, two_sided)
    fractions = np.array(looks, dtype=float) / looks[-1]
    out = np.zeros((len(_ALPHAS), len(looks)))
    for i, alpha in enumerate(_ALPHAS):
        budget = spent(fractions, float(alpha), kind)
        alive = np.ones(len(p), dtype=bool)
        before = 0.0
        for k in range(len(looks)):
            rejections = int(round((budget[k] - before) * len(p)))
            before = budget[k]
            candidates = p[alive, k]
            if rejections <= 0 or candidates.size == 0:
                continue  # nothing to spend here: this look cannot reject (level 0)
            rejections = min(rejections, candidates.size)
            cut = float(np.partition(candidates, rejections - 1)[rejections - 1])
            out[i, k] = cut
            alive &= ~(p[:, k] <= cut)
    return np.maximum.accumulate(out, axis=0)  # a larger alpha never gives a stricter look


def nominal_levels(
    plan: LookPlan, alpha: float, two_sided: bool = True, n: int | None = None, groups: int = 2
) -> dict[int, float]:
    """The p-value threshold each look uses so that the whole sequence has level alpha."""
    looks = plan.looks(n)
    if len(looks) == 1:
        return {looks[0]: alpha}
    table = _table(looks, plan.spending, two_sided, max(2, groups))
    rows = [np.interp(math.log(alpha), np.log(_ALPHAS), table[:, k]) for k in range(len(looks))]
    return {n_: float(level) for n_, level in zip(looks, rows, strict=True)}


def _inverse(level_column: np.ndarray, p: float) -> float:
    """The smallest alpha of the grid whose boundary at this look admits p (log-interpolated)."""
    if p <= level_column[0]:
        return float(_ALPHAS[0])
    above = np.flatnonzero(level_column >= p)
    if above.size == 0:
        return 1.0
    j = int(above[0])
    lo, hi = level_column[j - 1], level_column[j]
    frac = 0.0 if hi <= lo else (p - lo) / (hi - lo)
    return float(math.exp(math.log(_ALPHAS[j - 1]) + frac * math.log(_ALPHAS[j] / _ALPHAS[j - 1])))


def repeated_p(
    history: Mapping[int, float], plan: LookPlan, two_sided: bool = True, groups: int = 2
) -> float:
    """The smallest alpha at which the sequential test rejects at some look of `history`
    (look n -> that look's nominal p). One planned look: the p-value itself. `groups`: the
    strategies sharing the blocks when the pooled model made the p-values (2: paired)."""
    usable = {n: p for n, p in history.items() if n >= 2 and p is not None and math.isfinite(p)}
    looks = plan.looks(max(usable, default=0))
    usable = {n: p for n, p in usable.items() if n in looks}  # before n_min: not a test
    if not usable:
        return math.nan
    if len(looks) == 1:
        return float(min(usable.values()))
    table = _table(looks, plan.spending, two_sided, max(2, groups))
    column = {n: k for k, n in enumerate(looks)}
    return min(_inverse(table[:, column[n]], p) for n, p in usable.items())
