"""Section 6 of `make bench`, on a CUDA machine only: MiniLM full fine-tuning in bf16 autocast at
batch 32 and at the largest batch that fits — train samples/s, peak GPU memory and model FLOPs
utilisation (MFU).

MFU = achieved model FLOPs per second / the card's peak dense bf16 FLOPs (`PEAK_BF16_TFLOPS`, or
`--peak-tflops`). Model FLOPs of one training step of a BERT-style encoder with L layers, hidden
size h and feed-forward size f on a batch of B sequences of s tokens:
forward = L x (8·B·s·h² + 4·B·s·h·f + 4·B·s²·h) — the Q, K, V and output projections, the two
feed-forward matrices, attention scores and their weighted sum (a multiply-add = 2 FLOPs) — and
training = 3 x forward (the backward pass costs two forwards). Embeddings, norms, softmax, the
classifier head and the optimizer are not counted, the usual convention (Kaplan et al. 2020;
Chowdhery et al. 2022), so MFU is a lower bound on hardware utilisation.

The step runs on a fixed batch of random token ids at `seq` tokens, all real (no padding): it
measures the model step on the card, not the data path; a sweep's wall time there shows the rest.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import Any

import torch

from bench.baselines import classifier

__all__ = [
    "PEAK_BF16_TFLOPS",
    "gpu_section",
    "largest_batch",
    "measure_step",
    "peak_tflops",
    "train_step_flops",
]

# Dense bf16 tensor-core peaks from NVIDIA's data sheets (TFLOP/s, without sparsity). The first
# name contained in torch.cuda.get_device_name() wins, so longer names come first.
PEAK_BF16_TFLOPS: tuple[tuple[str, float], ...] = (
    ("H100 PCIe", 756.0),
    ("H100 NVL", 835.0),
    ("H200 NVL", 835.0),
    ("GH200", 989.4),
    ("H200", 989.4),
    ("H100", 989.4),  # SXM5 ("NVIDIA H100 80GB HBM3")
    ("A100", 312.0),
    ("L40S", 362.0),
    ("L4", 121.0),
)
MFU_TARGET = 0.40  # at the largest batch (issue #17)


def peak_tflops(device_name: str) -> float | None:
    """The card's dense bf16 peak, or None when it is not in the table."""
    for name, peak in PEAK_BF16_TFLOPS:
        if name in device_name:
            return peak
    return None


def train_step_flops(layers: int, hidden: int, ffn: int, batch: int, seq: int) -> float:
    """Model FLOPs of one training step (3 x the forward's matrix multiplications)."""
    per_layer = (
        8 * batch * seq * hidden**2 + 4 * batch * seq * hidden * ffn + 4 * batch * seq**2 * hidden
    )
    return 3.0 * layers * per_layer


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def measure_step(
    model_dir: str, device: torch.device, batch: int, seq: int, steps: int, warmup: int = 3
) -> dict[str, Any]:
    """Time `steps` full fine-tuning steps (bf16 autocast, fused AdamW) after `warmup` untimed ones."""
    torch.manual_seed(0)
    model = classifier(2, model_dir).to(device)
    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=5e-5, fused=True)
    cfg = model.config
    ids = torch.randint(0, cfg.vocab_size, (batch, seq), device=device)
    mask = torch.ones_like(ids)
    labels = torch.randint(0, 2, (batch,), device=device)

    def step() -> None:
        with torch.autocast(device.type, dtype=torch.bfloat16):
            loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()

    for _ in range(warmup):
        step()
    _sync(device)
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    _sync(device)
    wall = time.perf_counter() - t0
    flops = train_step_flops(
        cfg.num_hidden_layers, cfg.hidden_size, cfg.intermediate_size, batch, seq
    )
    memory = torch.cuda.max_memory_allocated(device) / 2**20 if device.type == "cuda" else None
    return {
        "batch": batch,
        "seq": seq,
        "steps": steps,
        "wall_s": wall,
        "samples_per_s": batch * steps / wall,
        "step_flops": flops,
        "tflops_per_s": flops * steps / wall / 1e12,
        "peak_memory_mb": memory,
    }


def _free(device: torch.device) -> None:
    gc.collect()
    if device.type == "cuda":
        torch.cuda.empty_cache()


def largest_batch(
    run: Callable[[int], dict[str, Any]], device: torch.device, start: int = 64, cap: int = 4096
) -> dict[str, Any] | None:
    """Double the batch from `start` until the card runs out of memory (or `cap`); the result of
    the largest batch that ran, or None if even `start` did not fit."""
    best, batch = None, start
    while batch <= cap:
        try:
            best = run(batch)
        except torch.cuda.OutOfMemoryError:
            break
        finally:
            _free(device)
        batch *= 2
    return best


def gpu_section(
    model_dir: str, peak: float | None, seq: int = 64, steps: int = 20
) -> dict[str, Any]:
    """Batch 32 and the largest batch on cuda:0, with MFU against `peak` (or the table's)."""
    if not torch.cuda.is_available():
        return {"skipped": "no CUDA device"}
    device = torch.device("cuda", 0)
    name = torch.cuda.get_device_name(device)
    peak = peak if peak is not None else peak_tflops(name)
    runs = [measure_step(model_dir, device, 32, seq, steps)]
    _free(device)
    big = largest_batch(lambda b: measure_step(model_dir, device, b, seq, steps), device)
    if big is not None:
        runs.append(big)
    for r in runs:
        r["mfu"] = r["tflops_per_s"] / peak if peak else None
    return {"device": name, "peak_tflops": peak, "runs": runs, "target": MFU_TARGET}
