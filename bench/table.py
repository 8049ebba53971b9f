"""Render the bench results as markdown tables, each measured ratio next to its target."""

from __future__ import annotations

from typing import Any

__all__ = ["render"]

Row = tuple[str, str, str, str]

SWEEP_TARGET = 5.0  # naive / actual (issue #17)


def _x(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}x"


def _check(value: float | None, target: float) -> tuple[str, str]:
    status = "n/a" if value is None else ("PASS" if value >= target else "MISS")
    return f">= {target:g}x", status


def _table(title: str, rows: list[Row]) -> list[str]:
    lines = [f"### {title}", "", "| measurement | value | target | result |", "|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    return [*lines, ""]


def _throughput(t: dict[str, Any]) -> list[Row]:
    m, r = t["median"], t["ratios"]
    n = len(t["harness"])
    return [
        (f"harness full FT, train samples/s (median of {n})", f"{m['harness']:.1f}", "", ""),
        ("HF Trainer, train samples/s (samples / train() wall)", f"{m['trainer']:.1f}", "", ""),
        ("plain PyTorch loop, train samples/s", f"{m['plain']:.1f}", "", ""),
        ("harness / Trainer", _x(r["harness_vs_trainer"]), *_check(r["harness_vs_trainer"], 2)),
        ("harness / plain loop", _x(r["harness_vs_plain"]), *_check(r["harness_vs_plain"], 0.95)),
        *(
            [
                (
                    "harness full FT in bf16 autocast, train samples/s",
                    f"{m['harness_bf16']:.1f}",
                    "",
                    "",
                ),
                ("bf16 / fp32 (the same harness trial)", _x(r["bf16_vs_fp32"]), "", ""),
            ]
            if "bf16_vs_fp32" in r
            else []
        ),
    ]


def _cache(c: dict[str, Any]) -> list[Row]:
    runs = c["cell_runs"]
    rows: list[Row] = [
        ("full trial train_time_s (median)", f"{c['full_train_time_s']:.2f} s", "", "")
    ]
    labels = (
        ("cold", "standalone trial: builds the cache, charged all of it"),
        ("cell", f"trial of a default-sweep cell: {runs} runs share the cache, charged 1/{runs}"),
    )
    for name in ("head_only", "top_k"):
        v, r = c[name], c["ratios"][name]
        times = ", ".join(
            f"{k} {v[k]['train_time_s']:.2f} s" for k in ("uncached", "cached_cold", "cached_cell")
        )
        rows.append((f"{name} train_time_s", times, "", ""))
        build = v["cached_cold"]["cache_time_s"]
        rows.append((f"{name} cache build (train + val splits)", f"{build:.2f} s", "", ""))
        for k, label in labels:
            ratio = r[f"uncached_vs_{k}"]
            target = name == "head_only" and k == "cell"
            rows.append(
                (
                    f"{name} uncached / cached ({label})",
                    _x(ratio),
                    *(_check(ratio, 20) if target else ("", "")),
                )
            )
        walls = ", ".join(f"{k} {v[k]['wall_time_s']:.2f} s" for k in ("uncached", "cached_cold"))
        rows.append(
            (
                f"{name} wall_time_s, whole trial incl. final test/train eval (uncached / cold)",
                f"{walls}: {_x(r['wall_uncached_vs_cold'])}",
                "",
                "",
            )
        )
    for k, label in labels:
        ratio = c["ratios"]["top_k"][f"full_vs_{k}"]
        rows.append(
            (
                f"full / top_k k=2 cached ({label})",
                _x(ratio),
                *(_check(ratio, 2.5) if k == "cell" else ("", "")),
            )
        )
    ratio = c["ratios"]["top_k"]["full_vs_uncached"]
    rows.append(("full / top_k k=2 uncached (for reference)", _x(ratio), "", ""))
    return rows


def _disk(d: dict[str, Any]) -> list[Row]:
    if "skipped" in d:
        return [(d["skipped"], "", "", "")]
    first, second = d["first"], d["second"]
    builds, splits = d.get("cache_builds"), d.get("splits_cached", 2)
    return [
        (
            "head_only, 1st process (builds, writes the disk cache): train_time_s",
            f"{first['train_time_s']:.2f} s (cache {first['cache_time_s']:.2f} s)",
            "",
            "",
        ),
        (
            "head_only, 2nd fresh process (reads it): train_time_s",
            f"{second['train_time_s']:.2f} s (cache read {second['cache_time_s']:.2f} s)",
            "",
            "",
        ),
        (
            "full / head_only 2nd process (train_time_s)",
            _x(d["full_vs_second"]),
            *_check(d["full_vs_second"], 20),
        ),
        (
            "3 worker processes started together on one cell: caches built (train + val)",
            f"{builds} (by {d['workers_built']} of 3 workers)",
            f"{splits}: each once",
            "PASS" if builds == splits else "MISS",
        ),
    ]


def _sweep(s: dict[str, Any]) -> list[Row]:
    if "skipped" in s:
        return [("default sweep", s["skipped"], f">= {SWEEP_TARGET:g}x", "n/a")]
    expected = s["cells_expected"]  # None when read from a records CSV, which has no sweep file
    cells = (
        f"{s['cells_present']} of {expected} cells" if expected else f"{s['cells_present']} cells"
    )
    return [
        (
            f"sweep {s['sweep_dir']}: trials run / reused / pruned",
            f"{s['trials_run']} / {s['reused']} / {s['pruned']} ({cells}; {', '.join(s['strategies'])})",
            "",
            "",
        ),
        ("actual compute (sum of wall_time_s)", f"{s['actual_s']:.1f} s", "", ""),
        (
            "naive: every configuration to its full budget, fp32, uncached",
            f"{s['hypothetical_s']:.1f} s",
            "",
            "",
        ),
        ("naive / actual", _x(s["ratio"]), *_check(s["ratio"], SWEEP_TARGET)),
        *_limits(s),
        (
            "validation share of training time (sum eval_time_s / sum train_time_s)",
            f"{100 * s.get('eval_s', 0) / max(s.get('train_s', 0), 1e-9):.0f} %",
            "",
            "",
        ),
        (
            "search trials that skipped the test evaluation",
            f"{s.get('test_evals_skipped', 0)}",
            "",
            "",
        ),
        ("... also counting reused confirm runs as re-run", _x(s["ratio_with_reuse"]), "", ""),
    ]


def _limits(s: dict[str, Any]) -> list[Row]:
    """The naive / actual ratio factored into its savings, and the shares that bound it."""
    f = s.get("factors")
    if not f or None in f.values():
        return []
    rows: list[Row] = [
        (
            "what limits it: naive / actual = steps not run (pruning, plateau) x bf16 x cache",
            f"{_x(f['stopping'])} x {_x(f['bf16'])} x {_x(f['cache'])}",
            "",
            "",
        ),
        (
            "share of actual compute in trials no cache serves / outside training (no saving)",
            f"{100 * s['uncached_share']:.0f} % / {100 * s['outside_training_share']:.0f} %",
            "",
            "",
        ),
    ]
    if s["ratio"] < SWEEP_TARGET:
        need = SWEEP_TARGET / (f["bf16"] * f["cache"])
        rows.append(
            (
                f"{SWEEP_TARGET:g}x at this bf16 and cache saving would need steps not run of",
                f"{_x(need)} (has {_x(f['stopping'])})",
                "",
                "",
            )
        )
    return rows


def _eval_replay(replays: list[dict[str, Any]]) -> list[Row]:
    names = {
        "from_min_steps": "from min_steps (`train.eval_from_step=min_steps`)",
        "sparse_when_flat": "sparse where flat (interval x2 per evaluation without gain, <= 4x; not built)",
    }
    rows: list[Row] = []
    for r in replays:
        for key, name in names.items():
            s = r[key]
            rows += [
                (
                    f"{r['source']}, {name}: validation share of training time",
                    f"{100 * s['share_before']:.1f} % -> {100 * s['share_after']:.1f} % "
                    f"({s['evaluations_before']} -> {s['evaluations_after']} evaluations, "
                    f"{s['replayable']} of {r['records']} runs replayable)",
                    "",
                    "",
                ),
                (
                    "... compute of those runs (training + validation)",
                    f"{100 * s['compute_after']:.1f} % of the recorded",
                    "",
                    "",
                ),
                (
                    "... completed runs that would restore other weights",
                    f"{s['changed']} of {s['completed_all']}",
                    "0",
                    "PASS" if s["changed"] == 0 else "MISS",
                ),
            ]
    return rows


def _parity(par: dict[str, Any]) -> list[Row]:
    if "skipped" in par:
        return [("bf16 vs fp32 parity", par["skipped"], "", "n/a")]
    rows: list[Row] = []
    for n, v in par["sizes"].items():
        d = v["diff"]
        rows.append(
            (
                f"n={n}: bf16 − fp32 test accuracy, {d['n']} seeds paired ({par['max_steps']} steps)",
                f"{d['mean']:+.2f} points [{d['low']:+.2f}, {d['high']:+.2f}], TOST p={d['p_tost']:.3f}",
                f"within ±{par['margin']:g}",
                "PASS" if d["equivalent"] else "MISS",
            )
        )
        rows.append((f"n={n}: bf16 / fp32 train samples/s (median)", _x(v["speedup"]), "", ""))
    return rows


def _gpu(g: dict[str, Any]) -> list[Row]:
    if "skipped" in g:
        return [("GPU model step", f"skipped: {g['skipped']}", "", "n/a")]
    peak = f"{g['peak_tflops']:g} TFLOP/s" if g["peak_tflops"] else "unknown (pass --peak-tflops)"
    rows: list[Row] = [("card; dense bf16 peak", f"{g['device']}; {peak}", "", "")]
    for i, r in enumerate(g["runs"]):
        largest = i == len(g["runs"]) - 1 and i > 0
        label = f"batch {r['batch']} x {r['seq']} tokens{' (largest that fits)' if largest else ''}"
        mfu = "n/a" if r["mfu"] is None else f"{100 * r['mfu']:.1f} %"
        target = f">= {100 * g['target']:.0f} %" if largest else ""
        result = (
            ""
            if not largest or r["mfu"] is None
            else ("PASS" if r["mfu"] >= g["target"] else "MISS")
        )
        rows.append(
            (
                f"{label}: train samples/s; peak GPU memory; model TFLOP/s; MFU",
                f"{r['samples_per_s']:.0f}; {r['peak_memory_mb']:.0f} MB; {r['tflops_per_s']:.1f}; {mfu}",
                target,
                result,
            )
        )
    if len(g["runs"]) == 1:
        rows.append(
            (
                "largest batch that fits",
                "none above 32 ran",
                f">= {100 * g['target']:.0f} % MFU",
                "MISS",
            )
        )
    return rows


def _study(st: dict[str, Any], device: str) -> list[Row]:
    rows: list[Row] = []
    for r in st["rows"]:
        rows.append(
            (
                f"{r['per_trial']} ({r['trial_s']:.1f} s), {r['workers']} workers ({device} each)",
                f"{r['trials_per_worker']} trials/worker, {r['device_hours']:.1f} device-h, "
                f"wall {r['wall_h']:.2f} h",
                "",
                "",
            )
        )
    return rows


def render(results: dict[str, Any]) -> str:
    """The whole report: a header line, three tables, and the sweep-cost formula."""
    meta = results["meta"]
    lines = [
        "## Bench: harness vs HF Trainer vs plain loop; frozen-prefix cache; sweep cost",
        "",
        f"{meta['workload_text']}. torch {meta['torch']} threads={meta['threads']}, "
        f"{meta['cpu_count']} CPUs, load average {meta['loadavg_start']} -> {meta['loadavg_end']}"
        f"{' (QUICK: smoke sizes, not the real measurement)' if meta['quick'] else ''}.",
        "",
    ]
    lines += _table(
        "1. Full fine-tuning throughput (training only, evaluation excluded)",
        _throughput(results["throughput"]),
    )
    lines += _table(
        "2. Frozen-prefix cache (record train_time_s: training + per-epoch validation + share of the cache build)",
        _cache(results["cache"]),
    )
    if "disk_cache" in results:
        lines += _table(
            "2b. Frozen-prefix cache on disk, across processes (`train.cache_dir`)",
            _disk(results["disk_cache"]),
        )
    lines += _table("3. Default sweep cost", _sweep(results["sweep"]))
    if results.get("eval_replay"):
        lines += _table(
            "3b. Evaluation schedule, replayed on committed records (bench/eval_replay.py; "
            "MISS = not the default)",
            _eval_replay(results["eval_replay"]),
        )
    if "parity" in results:
        lines += _table(
            "5. bf16 autocast on this CPU vs fp32 (the CPU default only if equivalent)",
            _parity(results["parity"]),
        )
    if "gpu" in results:
        lines += _table(
            "6. GPU: MiniLM full fine-tuning step, bf16 autocast (bench/gpu.py: FLOP count "
            "and what it leaves out)",
            _gpu(results["gpu"]),
        )
    if "formula" in results["sweep"]:
        lines += [f"Sweep estimate: {results['sweep']['formula']}.", ""]
    device = f"{meta['threads']}-thread CPU"
    lines += _table(
        f"4. A {results['study']['trials']:,}-trial study at these per-trial times",
        _study(results["study"], device),
    )
    lines += [
        "Wall ~ ceil(trials / workers) x per-trial time (no start-up, no stragglers); "
        "these are the CPU path's per-trial times (sections 1-3 pin device=cpu): a GPU's row "
        "needs its per-trial time from a sweep there.",
        "",
    ]
    lines.append(f"Total bench time: {meta['total_s']:.0f} s.")
    return "\n".join(lines) + "\n"
