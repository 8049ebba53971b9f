"""`make bench`: harness vs HF Trainer vs a plain loop, the frozen-prefix cache, and sweep cost.

1. Full fine-tuning throughput, the three variants interleaved in one process with the same
   torch threads after an untimed warm-up of each: the harness record's
   `train_samples_per_s` (training steps only), Trainer's samples / `trainer.train()` wall time
   (eval and saving off, so that is training), the plain loop's samples / loop wall time.
2. `head_only` and `top_k` (k=2) trials with `train.cache_frozen=false`; with it on and a cold
   cache (a standalone trial: it builds the cache and train_time_s counts all of it); and as a
   trial of a default-sweep cell: the cache is shared by the cell's runs (search trials +
   confirmation seeds not reused), so train_time_s counts 1/runs of its build
   (`train.cache_users`, what `harness sweep` sets). harness.cache and the tokenization cache are
   cleared between variants.
3. The cost of a finished sweep folder against uncached + unpruned (see bench/sweep_cost.py).
4. A 2,000-trial study on 8 / 32 / 128 workers at the per-trial times measured in 1 and 3.
5. bf16 vs fp32 parity on CPUs with native bf16 (bench/parity.py).
6. On a CUDA machine only: the model step at batch 32 and the largest batch that fits, with GPU
   memory and MFU (bench/gpu.py). Sections 1-5 time the CPU path (the workload pins device=cpu).

Writes bench/out/bench.md (the table) and bench/out/bench.json (raw numbers). Throughput
rounds (default 3, the median is reported) stop early when another would push the whole bench
past --budget-s (default 780 s), so `make bench` stays under 15 minutes on a loaded machine.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # `python bench/bench.py` (make bench): make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch  # noqa: E402

from bench.baselines import plain_loop, trainer_run  # noqa: E402
from bench.disk_cache import disk_cache  # noqa: E402
from bench.eval_replay import summary as eval_replay  # noqa: E402
from bench.gpu import gpu_section  # noqa: E402
from bench.parity import parity  # noqa: E402
from bench.sweep_cost import sweep_cost  # noqa: E402
from bench.table import render  # noqa: E402
from bench.trials import cache_variants, harness_trial  # noqa: E402
from bench.workload import Texts, Workload, clear_caches, load_texts, model_dir  # noqa: E402
from harness.runtime import native_bf16  # noqa: E402
from harness.sweep.spec import load_sweep  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
FULL = Workload()
QUICK = Workload(train_size=64, val_size=32, epochs=1)
WARMUP = Workload(train_size=32, val_size=16, epochs=1)


def _log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def _loadavg() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"


def warm_up(records: Path) -> None:
    """One untimed tiny run of every path, so first-call costs (model load, kernels) bias none."""
    texts = load_texts(WARMUP)
    harness_trial(WARMUP, records)
    for strategy in ("strategy=head_only", "strategy=top_k"):
        harness_trial(WARMUP, records, [strategy, "train.cache_frozen=true"])
    trainer_run(WARMUP, texts, max_steps=1)
    plain_loop(WARMUP, texts, max_steps=1)
    clear_caches()


def throughput(
    work: Workload, texts: Texts, rounds: int, records: Path, deadline: float
) -> dict[str, Any]:
    """Interleaved rounds of the three variants, rotating their order; a round starts only if it
    and the cache section (about one round's time) still fit before `deadline` (perf_counter)."""
    variants: dict[str, Callable[[], dict[str, Any]]] = {
        "harness": lambda: harness_trial(work, records),
        "trainer": lambda: trainer_run(work, texts),
        "plain": lambda: plain_loop(work, texts),
    }
    if native_bf16(torch.device("cpu")):  # the same trial in bf16 autocast (the CPU default here)
        variants["harness_bf16"] = lambda: harness_trial(work, records, ["train.precision=bf16"])
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in variants}
    names = list(variants)
    for r in range(rounds):
        round_start = time.perf_counter()
        for name in names[r % len(names) :] + names[: r % len(names)]:
            clear_caches()
            run = variants[name]()
            if name.startswith("harness"):
                run["samples_per_s"] = run["train_samples_per_s"]
            runs[name].append(run)
            _log(f"round {r + 1} {name}: {run['samples_per_s']:.1f} samples/s")
        if (
            r + 1 < rounds
            and time.perf_counter() + 2 * (time.perf_counter() - round_start) > deadline
        ):
            _log(f"stopping after {r + 1} round(s): another would overrun the time budget")
            break
    median = {n: statistics.median(x["samples_per_s"] for x in v) for n, v in runs.items()}
    ratios = {
        "harness_vs_trainer": median["harness"] / median["trainer"],
        "harness_vs_plain": median["harness"] / median["plain"],
    }
    if "harness_bf16" in median:
        ratios["bf16_vs_fp32"] = median["harness_bf16"] / median["harness"]
    return {**runs, "median": median, "ratios": ratios}


def cell_runs(sweep_file: Path) -> int:
    """Runs of one cell of a sweep file: its search trials + confirmation seeds not reused."""
    spec = load_sweep(sweep_file)
    return spec.n_trials + len(spec.seeds) - int(spec.reuse_search_run)


def cache(work: Workload, full_train_time_s: float, records: Path, runs: int) -> dict[str, Any]:
    """Cache on/off for head_only and top_k k=2, and top_k against the full trial."""
    out: dict[str, Any] = {"full_train_time_s": full_train_time_s, "cell_runs": runs, "ratios": {}}
    for name, strategy in (
        ("head_only", ["strategy=head_only"]),
        ("top_k", ["strategy=top_k", "strategy.k=2"]),
    ):
        v = out[name] = cache_variants(work, records, strategy, runs)
        t = {k: v[k]["train_time_s"] for k in v}
        out["ratios"][name] = {
            "uncached_vs_cold": t["uncached"] / t["cached_cold"],
            "uncached_vs_cell": t["uncached"] / t["cached_cell"],
            "full_vs_cold": full_train_time_s / t["cached_cold"],
            "full_vs_cell": full_train_time_s / t["cached_cell"],
            "full_vs_uncached": full_train_time_s / t["uncached"],
            "wall_uncached_vs_cold": v["uncached"]["wall_time_s"] / v["cached_cold"]["wall_time_s"],
        }
        _log(f"{name}: " + ", ".join(f"{k} {s:.2f}s" for k, s in t.items()))
    return out


COMMITTED_STUDY = Path("reports/default/records.csv")  # the default study's records, committed


def sweep(
    sweep_dir: Path, work: Workload, cache_res: dict[str, Any], bf16_speedup: float
) -> dict[str, Any]:
    """Section 3 from the sweep folder, else from the committed study's records.csv, or a note
    saying why it was skipped."""
    if not (sweep_dir / "records").is_dir():
        if not COMMITTED_STUDY.is_file():
            return {"skipped": f"skipped: no sweep folder at {sweep_dir} (run `make sweep` first)"}
        _log(f"no sweep folder at {sweep_dir}: using the committed study's {COMMITTED_STUDY}")
        sweep_dir = COMMITTED_STUDY
    full_t = cache_res["full_train_time_s"]
    ratios = {s: cache_res[s]["uncached"]["train_time_s"] / full_t for s in ("head_only", "top_k")}
    res = sweep_cost(sweep_dir, ratios, full_t / work.samples, bf16_speedup)
    return res or {"skipped": f"skipped: {sweep_dir} has no records yet"}


def envelope(thr: dict[str, Any], sweep_res: dict[str, Any], trials: int = 2000) -> dict[str, Any]:
    """Section 4: a `trials`-trial study on 8 / 32 / 128 workers at the per-trial times measured
    here, one worker per device of the kind this bench ran on (wall ~ ceil(trials/N) x trial)."""
    per_trial = {"bench full trial": statistics.median(r["wall_time_s"] for r in thr["harness"])}
    if sweep_res.get("trials_run"):
        per_trial["default sweep, mean per trial run"] = (
            sweep_res["actual_s"] / sweep_res["trials_run"]
        )
    rows = [
        {
            "per_trial": name,
            "trial_s": t,
            "workers": n,
            "trials_per_worker": math.ceil(trials / n),
            "device_hours": trials * t / 3600,
            "wall_h": math.ceil(trials / n) * t / 3600,
        }
        for name, t in per_trial.items()
        for n in (8, 32, 128)
    ]
    return {"trials": trials, "rows": rows}


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run the three sections, print the table and write bench/out/."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument(
        "--quick", action="store_true", help="tiny sizes: a smoke check, not a measurement"
    )
    p.add_argument(
        "--sweep-dir", type=Path, default=Path("runs/default"), help="finished sweep folder"
    )
    p.add_argument(
        "--sweep-file",
        type=Path,
        default=Path("sweeps/default.yaml"),
        help="sweep whose cell size sets the cache share (runs per cell)",
    )
    p.add_argument(
        "--rounds",
        type=int,
        default=None,
        help="interleaved throughput rounds (default 3, quick 1)",
    )
    p.add_argument("--budget-s", type=float, default=780, help="run fewer rounds past this (s)")
    p.add_argument("--no-parity", action="store_true", help="skip the bf16/fp32 parity trials")
    p.add_argument(
        "--peak-tflops",
        type=float,
        default=None,
        help="the GPU's dense bf16 peak for MFU, where bench/gpu.py's table lacks the card",
    )
    p.add_argument("--out", type=Path, default=OUT, help="where bench.md and bench.json go")
    args = p.parse_args(argv)
    work, rounds = (QUICK, args.rounds or 1) if args.quick else (FULL, args.rounds or 3)
    records = args.out / "records"
    started, load_start = time.perf_counter(), _loadavg()
    _log(
        f"torch {torch.__version__}, torch.get_num_threads()={torch.get_num_threads()}, load {load_start}"
    )
    _log(f"workload: {work}")

    _log("warm-up (untimed): harness full/head_only/top_k, Trainer, plain loop")
    warm_up(records)
    texts = load_texts(work)
    _log(f"1/4 full fine-tuning throughput: {rounds} interleaved round(s)")
    thr = throughput(work, texts, rounds, records, started + args.budget_s)
    full_t = statistics.median(r["train_time_s"] for r in thr["harness"])
    _log("2/4 frozen-prefix cache: head_only and top_k, uncached / cold / cell share")
    cache_res = cache(work, full_t, records, cell_runs(args.sweep_file))
    _log("2b/4 the prefix cache on disk: a fresh process, three workers on one cell")
    disk = disk_cache(work, records, full_t)
    _log(f"3/4 sweep cost from {args.sweep_dir}")
    sweep_res = sweep(args.sweep_dir, work, cache_res, thr["ratios"].get("bf16_vs_fp32", 1.0))
    _log("3b/4 the evaluation schedule, replayed on the committed studies' records")
    replays = [eval_replay(Path(f"reports/{name}/records.csv")) for name in ("default", "ner")]
    _log("4/4 a 2,000-trial study at these per-trial times")
    study = envelope(thr, sweep_res)
    par: dict[str, Any] = {"skipped": "skipped (--no-parity)"}
    if not args.no_parity and native_bf16(torch.device("cpu")):
        _log("5/5 bf16 vs fp32 parity: paired trials by seed at two train sizes")
        sizes, seeds, steps = ((32,), 2, 8) if args.quick else ((100, 300), 5, 60)
        par = parity(records, sizes, seeds, steps)
    elif not args.no_parity:
        par = {"skipped": "skipped: this CPU has no native bf16 (AVX-512 BF16 / AMX)"}

    if torch.cuda.is_available():
        _log("6/6 GPU: batch 32 and the largest batch that fits, memory and MFU")
    gpu = gpu_section(model_dir(), args.peak_tflops, steps=5 if args.quick else 20)  # skips on CPU

    results = {
        "meta": {
            "quick": args.quick,
            "rounds": len(thr["harness"]),
            "workload": asdict(work),
            "workload_text": (
                f"MiniLM (embedded) on SST-2 (vendored), train_size {work.train_size}, "
                f"{work.epochs} epochs, batch {work.batch_size}, max_length {work.max_length}, "
                f"lr {work.lr:g}, AdamW (fused) + linear warm-up {work.warmup_ratio:g}, seed "
                f"{work.seed}, CPU fp32"
            ),
            "threads": torch.get_num_threads(),
            "cpu_count": os.cpu_count(),
            "torch": torch.__version__,
            "python": platform.python_version(),
            "loadavg_start": load_start,
            "loadavg_end": _loadavg(),
            "total_s": time.perf_counter() - started,
        },
        "throughput": thr,
        "cache": cache_res,
        "disk_cache": disk,
        "sweep": sweep_res,
        "study": study,
        "parity": par,
        "gpu": gpu,
        "eval_replay": [r for r in replays if r is not None],
    }
    table = render(results)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "bench.md").write_text(table)
    (args.out / "bench.json").write_text(json.dumps(results, indent=2, default=str))
    print("\n" + table)
    _log(f"wrote {args.out / 'bench.md'} and {args.out / 'bench.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
