"""Known truth: studies simulated from given learning curves and run noise, advised many times.

Each simulated study has 3 sizes x 4 strategies (full, lora, bitfit, head_only, in falling cost)
x 10 confirmation runs; a run's score is the truth at its size, plus a run effect shared by every
strategy run on that (seed, data subset) -- paired, sd 2 points -- plus the run's own noise.
With 10 runs a claim of equivalence within 1 point needs the run's own noise small enough to
see it: at sd 0.5 (these tests) the rule names the cheapest of equivalent strategies in 99-100 %
of studies; at sd 1.0 in 57 % (N a studied size) to 85 % (between sizes), at sd 1.5 in 30-50 %
-- 20 and 40 runs bring those back to 86-99 % (measured while writing this; see the last test
for what holds at any noise: a confident answer is rarely a wrong one).
"""

from __future__ import annotations

import numpy as np
from advise_sim import simulate_runs

from harness.advise import advise, study_from_runs

STRATEGIES = ("full", "lora", "bitfit", "head_only")
CURVE = np.array([70.0, 76.0, 80.0])  # truth at 100, 300, 1000 examples
STUDIES = 200
MARGIN = 1.0


def _advise_many(
    gaps: dict[str, float], n: int, seed: int, noise_sd: float = 0.5, studies: int = STUDIES
) -> list[tuple[str, str]]:
    """(recommended strategy, by which branch) for each simulated study."""
    truth = {s: list(CURVE + gaps.get(s, 0.0)) for s in STRATEGIES}
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(studies):
        runs = simulate_runs(truth, rng, runs=10, paired_sd=2.0, noise_sd=noise_sd)
        advice = advise(
            study_from_runs(runs, margin=MARGIN), n, n_draws=1000, seed=int(rng.integers(2**31))
        )
        out.append((advice.headline.choice.strategy, advice.headline.choice.by))
    return out


def _rate(found: list[tuple[str, str]], strategy: str) -> float:
    return sum(s == strategy for s, _ in found) / len(found)


def test_a_strategy_better_by_more_than_the_margin_is_named_in_95_percent() -> None:
    # the most expensive one (full) and a middle one (lora), 2 points (2x the margin) better
    assert _rate(_advise_many({"full": 2.0}, 500, seed=1), "full") >= 0.95
    assert _rate(_advise_many({"lora": 2.0}, 300, seed=2), "lora") >= 0.95


def test_of_equivalent_strategies_the_cheapest_is_named_in_90_percent() -> None:
    assert _rate(_advise_many({}, 500, seed=3), "head_only") >= 0.90  # between studied sizes
    assert _rate(_advise_many({}, 300, seed=4), "head_only") >= 0.90  # at a studied size


def test_with_noisy_runs_a_sure_answer_is_still_rarely_wrong() -> None:
    """Run noise 3x larger: full is better by 1.5 points; naming a cheaper strategy as *sure*
    (within the margin with probability >= 0.9) would be wrong. The rule's threshold bounds it.
    (Measured: full named in 93 %, a cheaper one wrongly called sure in 4.5 %.)"""
    found = _advise_many({"full": 1.5}, 300, seed=5, noise_sd=1.5, studies=200)
    sure_and_wrong = sum(s != "full" and by == "within_margin" for s, by in found) / len(found)
    assert sure_and_wrong <= 0.10  # 1 - the rule's 0.9 (measured: 0.045)
    assert _rate(found, "full") >= 0.90
