"""Learning-rate schedules: linear warm-up, then each one's shape over the planned steps."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import torch
from hydra.utils import instantiate
from omegaconf import OmegaConf

from harness import schedulers
from harness.paths import conf_dir

TOTAL = 100
CONF = conf_dir() / "scheduler"


def lrs(make: Callable[..., torch.optim.lr_scheduler.LRScheduler], **kwargs: float) -> list[float]:
    """The lr used at each of TOTAL optimizer steps (peak lr 1), and the one after the last."""
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
    scheduler = make(optimizer, num_training_steps=TOTAL, **kwargs)
    out = []
    for _ in range(TOTAL + 1):
        out.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return out


@pytest.mark.parametrize("name", ["constant", "linear", "cosine", "step", "exponential"])
def test_warm_up_is_linear_to_the_peak(name: str) -> None:
    lr = lrs(getattr(schedulers, name), warmup_ratio=0.1)
    assert lr[:10] == pytest.approx([(i + 1) / 10 for i in range(10)])
    assert lr[10] == pytest.approx(1.0)
    assert max(lr) == pytest.approx(1.0)


def test_constant_stays_at_the_peak() -> None:
    assert lrs(schedulers.constant) == pytest.approx([1.0] * (TOTAL + 1))


def test_linear_decays_to_zero_at_the_end() -> None:
    lr = lrs(schedulers.linear, warmup_ratio=0.1)
    decay = lr[10:TOTAL]
    assert all(a > b for a, b in zip(decay, decay[1:], strict=False))
    assert lr[TOTAL - 1] == pytest.approx(1 / 90)  # the last step's lr is ~0
    assert lr[TOTAL] == pytest.approx(0.0)
    assert lr[55] == pytest.approx(0.5)  # halfway through the decay


def test_cosine_ends_at_min_lr_ratio() -> None:
    lr = lrs(schedulers.cosine, warmup_ratio=0.0, min_lr_ratio=0.1)
    assert lr[0] == pytest.approx(1.0)
    assert lr[50] == pytest.approx(0.1 + 0.9 * 0.5)  # the midpoint of the half-cosine
    assert lr[TOTAL] == pytest.approx(0.1)
    assert min(lr) == pytest.approx(0.1)


def test_step_drops_by_gamma_at_even_intervals() -> None:
    lr = lrs(schedulers.step, num_drops=2, gamma=0.1)
    assert sorted(set(round(x, 8) for x in lr)) == [0.01, 0.1, 1.0]
    assert lr[33] == pytest.approx(1.0) and lr[34] == pytest.approx(0.1)
    assert lr[66] == pytest.approx(0.1) and lr[67] == pytest.approx(0.01)
    assert lr[TOTAL] == pytest.approx(0.01)


def test_exponential_reaches_the_final_ratio() -> None:
    lr = lrs(schedulers.exponential, final_lr_ratio=0.05)
    assert lr[TOTAL] == pytest.approx(0.05)
    assert lr[50] == pytest.approx(0.05**0.5)
    assert all(a > b for a, b in zip(lr, lr[1:], strict=False))


@pytest.mark.parametrize("path", sorted(CONF.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_scheduler_config_instantiates(path: Path) -> None:
    make = instantiate(OmegaConf.load(path), _convert_="all")
    lr = lrs(make)
    assert all(0 <= x <= 1 + 1e-12 for x in lr) and max(lr) == pytest.approx(1.0)


def _hf(name: str, warmup_ratio: float, **kwargs: float) -> list[float]:
    """transformers' schedule of the same name, with the same warm-up steps as ours."""
    from transformers import get_scheduler

    def make(optimizer: torch.optim.Optimizer, num_training_steps: int) -> object:
        return get_scheduler(
            name,
            optimizer,
            num_warmup_steps=int(round(warmup_ratio * num_training_steps)),
            num_training_steps=num_training_steps,
            scheduler_specific_kwargs=kwargs or None,
        )

    return lrs(make)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("ours", "hf", "kwargs", "hf_kwargs"),
    [
        ("constant", "constant", {}, {}),
        ("linear", "linear", {}, {}),
        ("cosine", "cosine", {}, {}),
        ("cosine", "cosine_with_min_lr", {"min_lr_ratio": 0.1}, {"min_lr_rate": 0.1}),
    ],
)
def test_without_warm_up_transformers_computes_the_same_schedule(
    ours: str, hf: str, kwargs: dict[str, float], hf_kwargs: dict[str, float]
) -> None:
    assert lrs(getattr(schedulers, ours), warmup_ratio=0.0, **kwargs) == pytest.approx(
        _hf(hf, 0.0, **hf_kwargs), abs=1e-12
    )


@pytest.mark.parametrize("name", ["linear", "cosine"])
def test_with_warm_up_transformers_differs_only_in_the_warm_up(name: str) -> None:
    """Why harness/schedulers.py stays: transformers' first warm-up step has lr 0 (a step that
    trains nothing); ours climbs (step + 1) / warmup and reaches the peak at the same step."""
    ours = lrs(getattr(schedulers, name), warmup_ratio=0.1)
    theirs = _hf(name, 0.1)
    assert theirs[0] == 0.0 and ours[0] == pytest.approx(0.1)
    assert theirs[:10] == pytest.approx([i / 10 for i in range(10)])
    assert ours[10:] == pytest.approx(theirs[10:], abs=1e-12)
