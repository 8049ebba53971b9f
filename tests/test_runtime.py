"""Device and precision choice: what `auto` picks, and one clear error for what is not there."""

from __future__ import annotations

import pytest
import torch

from harness import runtime
from harness.errors import ConfigError


def test_auto_precision_by_hardware(monkeypatch: pytest.MonkeyPatch) -> None:
    cpu, cuda = torch.device("cpu"), torch.device("cuda")
    monkeypatch.setattr(runtime, "native_bf16", lambda device: False)
    assert runtime.pick_precision("auto", cpu) == "fp32"
    assert runtime.pick_precision("auto", cuda) == "fp16"  # T4 / V100: fp16 + gradient scaling
    monkeypatch.setattr(runtime, "native_bf16", lambda device: True)
    assert runtime.pick_precision("auto", cpu) == runtime.pick_precision("auto", cuda) == "bf16"


def test_unsupported_precisions_and_devices_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match=r"train.precision: fp16 needs a CUDA device"):
        runtime.pick_precision("fp16", torch.device("cpu"))
    monkeypatch.setattr(runtime, "native_bf16", lambda device: False)
    with pytest.raises(ConfigError, match=r"train.precision: bf16 is not native"):
        runtime.pick_precision("bf16", torch.device("cpu"))
    monkeypatch.setattr(runtime, "_mps_available", lambda: False)
    with pytest.raises(ConfigError, match=r"device: mps was requested"):
        runtime.pick_device("mps")


def test_the_scaler_is_a_pass_through_unless_fp16() -> None:
    assert not runtime.grad_scaler(torch.device("cpu"), "fp32").is_enabled()
    assert not runtime.grad_scaler(torch.device("cpu"), "bf16").is_enabled()
