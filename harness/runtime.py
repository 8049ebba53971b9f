"""Where and how a trial runs: device, precision, seeding, peak memory, provenance."""

from __future__ import annotations

import contextlib
import os
import platform
import random
import subprocess
import threading
from functools import lru_cache
from importlib import metadata
from pathlib import Path

import numpy as np
import psutil
import torch

from harness.errors import ConfigError

__all__ = [
    "PeakMemory",
    "autocast",
    "cpu_has_native_bf16",
    "describe_device",
    "git_info",
    "grad_scaler",
    "hardware_info",
    "native_bf16",
    "pick_device",
    "pick_precision",
    "seed_everything",
    "versions",
]


def _mps_available() -> bool:
    mps = getattr(torch.backends, "mps", None)
    return bool(mps is not None and mps.is_available())


def pick_device(choice: str) -> torch.device:
    """`auto` takes CUDA when present, else Apple's MPS, else the CPU; a requested device that is
    not there is a clear error."""
    if choice == "cuda" and not torch.cuda.is_available():
        raise ConfigError(
            "device", "cuda was requested but no CUDA device is visible", ["auto", "cpu"]
        )
    if choice == "mps" and not _mps_available():
        raise ConfigError(
            "device", "mps was requested but this torch sees no Apple GPU", ["auto", "cpu"]
        )
    if choice in ("cuda", "auto") and torch.cuda.is_available():
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
        return torch.device("cuda")
    if choice in ("mps", "auto") and _mps_available():
        return torch.device("mps")
    return torch.device("cpu")


def cpu_has_native_bf16() -> bool:
    """AVX-512 BF16 or AMX-BF16 in the CPU flags (Linux): bf16 matmuls run natively, not emulated."""
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    flags = next(
        (ln.split(":", 1)[1].split() for ln in text.splitlines() if ln.startswith("flags")), []
    )
    return bool({"avx512_bf16", "amx_bf16"} & set(flags))


def native_bf16(device: torch.device) -> bool:
    """Whether bf16 autocast runs natively on this device (emulated bf16 is slower than fp32)."""
    if device.type == "cuda":
        return bool(torch.cuda.is_bf16_supported(including_emulation=False))
    return device.type == "cpu" and cpu_has_native_bf16()


def pick_precision(choice: str, device: torch.device) -> str:
    """`auto`: bf16 where native (CUDA with bf16, AVX-512 BF16 / AMX CPUs); fp16 with a gradient
    scaler on CUDA cards without it (T4, V100: their tensor cores are fp16); else fp32. A forced
    `bf16` without native support is refused rather than silently emulated, `fp16` off CUDA too."""
    if choice == "auto":
        if native_bf16(device):
            return "bf16"
        return "fp16" if device.type == "cuda" else "fp32"
    if choice == "fp16" and device.type != "cuda":
        raise ConfigError(
            "train.precision",
            f"fp16 needs a CUDA device (this trial runs on {device.type})",
            ["auto", "fp32", "bf16"],
        )
    if choice == "bf16" and not native_bf16(device):
        raise ConfigError(
            "train.precision",
            f"bf16 is not native on this {device.type} (no AVX-512 BF16/AMX or CUDA bf16): "
            "it would be emulated, several times slower",
            ["auto", "fp32"],
        )
    return choice


def autocast(device: torch.device, precision: str) -> contextlib.AbstractContextManager[object]:
    if precision in ("bf16", "fp16"):
        dtype = torch.bfloat16 if precision == "bf16" else torch.float16
        return torch.autocast(device_type=device.type, dtype=dtype)
    return contextlib.nullcontext()


def grad_scaler(device: torch.device, precision: str) -> torch.amp.GradScaler:
    """fp16 gradients underflow without loss scaling; bf16 and fp32 need none (a disabled
    scaler is a pass-through, so the loop has one code path)."""
    return torch.amp.GradScaler(device.type, enabled=precision == "fp16")


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % (2**32))
    torch.manual_seed(seed)


class PeakMemory:
    """Peak memory of one trial: CUDA max allocated, or process RSS sampled every 20 ms on CPU."""

    def __init__(self, device: torch.device, interval_s: float = 0.02):
        self.device, self.interval_s = device, interval_s
        self.peak_bytes = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _sample(self) -> None:
        proc = psutil.Process()
        while not self._stop.wait(self.interval_s):
            self.peak_bytes = max(self.peak_bytes, proc.memory_info().rss)

    def __enter__(self) -> PeakMemory:
        if self.device.type == "cuda":
            torch.cuda.reset_peak_memory_stats(self.device)
        else:
            self.peak_bytes = psutil.Process().memory_info().rss
            self._thread = threading.Thread(target=self._sample, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.device.type == "cuda":
            self.peak_bytes = int(torch.cuda.max_memory_allocated(self.device))
        else:
            self._stop.set()
            if self._thread:
                self._thread.join()
            self.peak_bytes = max(self.peak_bytes, psutil.Process().memory_info().rss)

    @property
    def peak_mb(self) -> float:
        return self.peak_bytes / 2**20


@lru_cache(maxsize=1)
def git_info() -> tuple[str | None, bool | None]:
    """(SHA, dirty) of the checkout the harness runs from, or (None, None) outside git."""
    root = Path(__file__).resolve().parent.parent

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, timeout=10, check=True
        ).stdout

    with contextlib.suppress(Exception):
        sha = git("rev-parse", "HEAD").strip()
        dirty = bool(git("status", "--porcelain", "--untracked-files=no").strip())
        return sha, dirty
    return None, None


@lru_cache(maxsize=1)
def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for pkg in (
        "harness",
        "torch",
        "transformers",
        "peft",
        "optuna",
        "mlflow",
        "hydra-core",
        "pandas",
    ):
        with contextlib.suppress(metadata.PackageNotFoundError):
            out[pkg] = metadata.version(pkg)
    return out


def hardware_info(device: torch.device) -> dict[str, object]:
    info: dict[str, object] = {
        "cpu_count": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "platform": platform.platform(),
    }
    if device.type == "cuda":
        info["gpu"] = torch.cuda.get_device_name(device)
        info["gpu_memory_gb"] = round(
            torch.cuda.get_device_properties(device).total_memory / 2**30, 1
        )
    return info


def describe_device(device: torch.device) -> str:
    return f"cuda ({torch.cuda.get_device_name(device)})" if device.type == "cuda" else "cpu"
