"""Losses: focal reduces to cross-entropy at gamma=0, weighted CE uses inverse-frequency weights,
and every conf/loss option builds with the trial's call and trains."""

from __future__ import annotations

import pytest
import torch
from hydra.utils import instantiate
from omegaconf import OmegaConf
from torch.nn import functional as F

from harness.errors import ConfigError
from harness.losses import cross_entropy, focal, inverse_frequency, weighted_cross_entropy
from harness.paths import conf_dir


def logits_labels(
    n: int = 16, classes: int = 3, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, classes, generator=g) * 3, torch.randint(0, classes, (n,), generator=g)


@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_focal_with_gamma_zero_is_cross_entropy(smoothing: float) -> None:
    logits, labels = logits_labels()
    got = focal(label_smoothing=smoothing, gamma=0.0)(logits, labels)
    want = F.cross_entropy(logits, labels, label_smoothing=smoothing)
    assert torch.allclose(got, want, atol=1e-6)
    assert torch.allclose(got, cross_entropy(label_smoothing=smoothing)(logits, labels), atol=1e-6)


@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_focal_alpha_at_gamma_zero_is_weighted_cross_entropy(smoothing: float) -> None:
    logits, labels = logits_labels()
    counts = [10, 30, 60]
    got = focal(smoothing, counts, gamma=0.0, alpha="inverse_frequency")(logits, labels)
    want = weighted_cross_entropy(smoothing, counts)(logits, labels)
    assert torch.allclose(got, want, atol=1e-6)
    explicit = focal(smoothing, counts, gamma=0.0, alpha=[1.0, 2.0, 0.5])(logits, labels)
    weight = torch.tensor([1.0, 2.0, 0.5])
    ref = F.cross_entropy(logits, labels, weight=weight, label_smoothing=smoothing)
    assert torch.allclose(explicit, ref, atol=1e-6)


def test_focal_matches_the_formula_and_down_weights_easy_examples() -> None:
    logits, labels = logits_labels()
    gamma = 2.0
    p = logits.softmax(-1).gather(1, labels[:, None]).squeeze(1)
    want = (-((1 - p) ** gamma) * p.log()).mean()
    got = focal(gamma=gamma)(logits, labels)
    assert torch.allclose(got, want, atol=1e-6)
    assert got < F.cross_entropy(logits, labels)
    easy = torch.tensor([[5.0, -5.0]])
    ratio = focal(gamma=gamma)(easy, torch.tensor([0])) / F.cross_entropy(easy, torch.tensor([0]))
    assert ratio < 1e-6  # a confident, correct example hardly counts


def test_inverse_frequency_weights_have_mean_one() -> None:
    w = inverse_frequency([30, 10])
    assert torch.allclose(w, torch.tensor([0.5, 1.5]))
    w3 = inverse_frequency([5, 0, 20])  # an absent class counts as 1: finite weights
    assert torch.isfinite(w3).all() and w3.mean().item() == pytest.approx(1.0)
    assert w3[1] > w3[0] > w3[2]


def test_weighted_cross_entropy_uses_the_weights_and_label_smoothing() -> None:
    logits, labels = logits_labels(classes=2)
    counts = [30, 10]
    weight = torch.tensor([0.5, 1.5])
    for smoothing in (0.0, 0.1):
        got = weighted_cross_entropy(smoothing, counts)(logits, labels)
        want = F.cross_entropy(logits, labels, weight=weight, label_smoothing=smoothing)
        assert torch.allclose(got, want, atol=1e-6)
    plain = weighted_cross_entropy(0.0, counts)(logits, labels)
    assert not torch.allclose(plain, weighted_cross_entropy(0.1, counts)(logits, labels))
    assert not torch.allclose(plain, F.cross_entropy(logits, labels))
    # balanced counts: plain cross-entropy
    same = weighted_cross_entropy(0.0, [7, 7])(logits, labels)
    assert torch.allclose(same, F.cross_entropy(logits, labels), atol=1e-6)


def test_bad_loss_settings_fail_naming_the_key() -> None:
    with pytest.raises(ConfigError, match="loss"):
        weighted_cross_entropy(0.0, None)
    with pytest.raises(ConfigError, match="loss.gamma"):
        focal(gamma=-1.0)
    with pytest.raises(ConfigError, match="loss.alpha"):
        focal(class_counts=[1, 2], alpha="balanced")
    with pytest.raises(ConfigError, match="loss.alpha"):
        focal(class_counts=[1, 2], alpha=[1.0, 2.0, 3.0])


@pytest.mark.parametrize("path", sorted((conf_dir() / "loss").glob("*.yaml")), ids=lambda p: p.stem)
def test_every_loss_option_builds_with_the_trial_call_and_trains(path: object) -> None:
    builder = instantiate(OmegaConf.load(path), _convert_="all")
    loss_fn = builder(label_smoothing=0.1, class_counts=[12, 4])
    logits = torch.randn(8, 2, requires_grad=True)
    loss = loss_fn(logits.to(torch.bfloat16), torch.tensor([0, 1] * 4))
    assert loss.dtype == torch.float32 and loss.ndim == 0 and torch.isfinite(loss)
    loss.backward()
    assert logits.grad is not None and logits.grad.abs().sum() > 0
