"""bench/gpu.py: the FLOP count, the peak table, the largest-batch search and the model step, on
CPU with a tiny random BERT (the GPU numbers themselves are only ever measured on a GPU)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch
from transformers import BertConfig, BertForSequenceClassification

from bench.gpu import gpu_section, largest_batch, measure_step, peak_tflops, train_step_flops
from bench.table import _gpu


def test_flops_count_the_matrix_multiplications_three_times() -> None:
    # one layer, h=2, f=4, one sequence of 3 tokens: projections 8*3*4=96, feed-forward
    # 4*3*2*4=96, attention 4*9*2=72 -> forward 264, training 3x
    assert train_step_flops(layers=1, hidden=2, ffn=4, batch=1, seq=3) == 3 * 264
    # linear in layers and batch
    one = train_step_flops(6, 384, 1536, 32, 64)
    assert train_step_flops(12, 384, 1536, 64, 64) == 4 * one


@pytest.mark.parametrize(
    ("name", "peak"),
    [
        ("NVIDIA H100 80GB HBM3", 989.4),
        ("NVIDIA H100 PCIe", 756.0),
        ("NVIDIA H200", 989.4),
        ("NVIDIA H200 NVL", 835.0),
        ("NVIDIA A100-SXM4-80GB", 312.0),
        ("NVIDIA L40S", 362.0),
        ("NVIDIA L4", 121.0),
        ("Tesla T4", None),
    ],
)
def test_peak_is_looked_up_by_the_most_specific_name(name: str, peak: float | None) -> None:
    assert peak_tflops(name) == peak


def test_largest_batch_doubles_until_out_of_memory() -> None:
    tried: list[int] = []

    def run(batch: int) -> dict[str, Any]:
        tried.append(batch)
        if batch > 256:
            raise torch.cuda.OutOfMemoryError("CUDA out of memory")
        return {"batch": batch}

    assert largest_batch(run, torch.device("cpu")) == {"batch": 256}
    assert tried == [64, 128, 256, 512]
    assert largest_batch(run, torch.device("cpu"), start=512) is None


def test_model_step_runs_and_counts_its_flops(tmp_path: Path) -> None:
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=100,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=32,
    )
    BertForSequenceClassification(config).save_pretrained(tmp_path)
    r = measure_step(str(tmp_path), torch.device("cpu"), batch=4, seq=8, steps=2, warmup=1)
    assert r["step_flops"] == train_step_flops(2, 32, 64, 4, 8)
    assert r["samples_per_s"] == pytest.approx(4 * 2 / r["wall_s"])
    assert r["tflops_per_s"] == pytest.approx(r["step_flops"] * 2 / r["wall_s"] / 1e12)
    assert r["peak_memory_mb"] is None  # GPU memory only on a GPU


def test_section_skips_without_cuda_and_the_table_says_so() -> None:
    if torch.cuda.is_available():
        pytest.skip("a CUDA device is present")
    result = gpu_section("unused", None)
    assert result == {"skipped": "no CUDA device"}
    assert _gpu(result) == [("GPU model step", "skipped: no CUDA device", "", "n/a")]


def test_table_judges_mfu_at_the_largest_batch_only() -> None:
    def run(batch: int, mfu: float) -> dict[str, Any]:
        return {
            "batch": batch,
            "seq": 64,
            "samples_per_s": 1000.0,
            "peak_memory_mb": 2048.0,
            "tflops_per_s": mfu * 989.4,
            "mfu": mfu,
        }

    g = {
        "device": "NVIDIA H100 80GB HBM3",
        "peak_tflops": 989.4,
        "target": 0.4,
        "runs": [run(32, 0.10), run(1024, 0.45)],
    }
    rows = _gpu(g)
    assert rows[0] == ("card; dense bf16 peak", "NVIDIA H100 80GB HBM3; 989.4 TFLOP/s", "", "")
    assert rows[1][2:] == ("", "")  # batch 32: reported, not judged
    assert rows[2][0].startswith("batch 1024 x 64 tokens (largest that fits)")
    assert rows[2][1].endswith("45.0 %") and rows[2][2:] == (">= 40 %", "PASS")
    g["runs"][1]["mfu"] = 0.2
    assert _gpu(g)[2][3] == "MISS"
