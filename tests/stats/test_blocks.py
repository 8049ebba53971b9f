"""The block model of one size: pooled contrasts, the paired fallback, the variance check."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy import stats

from harness.stats import analyse_size, block_frame, paired_contrast


def _frame(
    rng: np.random.Generator, sds: dict[str, float], gaps: dict[str, float], n: int
) -> pd.DataFrame:
    runs = {s: {} for s in sds}
    for k in range(n):
        luck = 3 * rng.standard_normal()
        for s, sd in sds.items():
            runs[s][(k, k // 2)] = 80 + gaps.get(s, 0.0) + luck + sd * rng.standard_normal()
    return block_frame(runs)


def test_pooled_contrasts_are_the_two_way_anova_and_paired_is_the_paired_t() -> None:
    rng = np.random.default_rng(0)
    frame = _frame(rng, {"full": 1.0, "lora": 1.0, "bitfit": 1.0}, {"lora": 1.5}, 8)
    a = analyse_size(frame)
    fit = smf.ols(
        "score ~ C(strategy, Treatment('full')) + C(block)",
        data=frame.assign(block=frame["block"].astype(str)),
    ).fit()
    name = "C(strategy, Treatment('full'))[T.lora]"
    assert a.pooled["lora"].diff == pytest.approx(fit.params[name])
    assert a.pooled["lora"].se == pytest.approx(fit.bse[name])
    assert a.pooled["lora"].df == fit.df_resid == 14
    wide = frame.pivot_table(index="block", columns="strategy", values="score")
    t = stats.ttest_rel(wide["lora"], wide["full"])
    assert a.paired["lora"].p_two() == pytest.approx(t.pvalue)
    assert a.method == ("pooled" if a.levene_p >= 0.10 else "paired")
    assert a.contrasts is (a.pooled if a.method == "pooled" else a.paired)


def test_unequal_variances_fall_back_to_paired_tests() -> None:
    rng = np.random.default_rng(1)
    frame = _frame(rng, {"full": 6.0, "lora": 0.3, "bitfit": 0.3, "head_only": 0.3}, {}, 10)
    a = analyse_size(frame)
    assert a.levene_p < 0.10 and a.method == "paired" and a.contrasts is a.paired
    assert "Levene" in a.reason and a.residual_sd["full"] > 2 * a.residual_sd["lora"]


def test_incomplete_blocks_estimate_within_blocks() -> None:
    """Later blocks hold only full and the open strategy: the contrast still pairs by block."""
    rng = np.random.default_rng(2)
    frame = _frame(rng, {"full": 1.0, "lora": 1.0, "bitfit": 1.0}, {"lora": 1.0, "bitfit": -5.0}, 8)
    late = (frame["order"] >= 4) & (frame["strategy"] == "bitfit")
    a = analyse_size(frame[~late])
    assert a.pooled["lora"].n == 8 and a.pooled["bitfit"].n == 4
    assert a.pooled["bitfit"].diff == pytest.approx(-5.0, abs=1.5)


def test_tost_and_the_two_sided_p_follow_the_t_distribution() -> None:
    frame = block_frame({"full": {0: 80.0, 1: 81.0, 2: 79.0}, "lora": {0: 80.5, 1: 81.2, 2: 79.9}})
    c = paired_contrast(frame, "lora", "full")
    d = np.array([0.5, 0.2, 0.9])
    se = d.std(ddof=1) / math.sqrt(3)
    assert c.p_two() == pytest.approx(2 * stats.t.sf(d.mean() / se, 2))
    lower, upper = c.p_equivalence(1.0)
    assert lower == pytest.approx(stats.t.sf((d.mean() + 1) / se, 2))
    assert upper == pytest.approx(stats.t.cdf((d.mean() - 1) / se, 2))
    assert c.interval()[0] < d.mean() < c.interval()[1]
