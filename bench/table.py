"""Render the bench results as markdown tables, each measured ratio next to its target."""

from __future__ import annotations

from typing import Any

__all__ = ["render"]

Row = tuple[str, str, str, str]


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
    ]


def _cache(c: dict[str, Any]) -> list[Row]:
    rows: list[Row] = [
        ("full trial train_time_s (median)", f"{c['full_train_time_s']:.2f} s", "", "")
    ]
    for name in ("head_only", "top_k"):
        v, r = c[name], c["ratios"][name]
        times = ", ".join(
            f"{k} {v[k]['train_time_s']:.2f} s"
            for k in ("uncached", "cached_cold", "cached_reused")
        )
        rows.append((f"{name} train_time_s", times, "", ""))
        target = 20 if name == "head_only" else None
        for k, label in (("cold", "cache built in the trial"), ("reused", "cache reused")):
            ratio = r[f"uncached_vs_{k}"]
            check = _check(ratio, target) if target else ("", "")
            rows.append((f"{name} uncached / cached ({label})", _x(ratio), *check))
        walls = ", ".join(f"{k} {v[k]['wall_time_s']:.2f} s" for k in ("uncached", "cached_cold"))
        rows.append((
            f"{name} wall_time_s, whole trial incl. final test/train eval (uncached / cold)",
            f"{walls}: {_x(r['wall_uncached_vs_cold'])}", "", "",
        ))  # fmt: skip
    for k, label in (("cold", "cache built in the trial"), ("reused", "cache reused")):
        ratio = c["ratios"]["top_k"][f"full_vs_{k}"]
        rows.append((f"full / top_k k=2 cached ({label})", _x(ratio), *_check(ratio, 2.5)))
    ratio = c["ratios"]["top_k"]["full_vs_uncached"]
    rows.append(("full / top_k k=2 uncached (for reference)", _x(ratio), "", ""))
    return rows


def _sweep(s: dict[str, Any]) -> list[Row]:
    if "skipped" in s:
        return [("default sweep", s["skipped"], ">= 5x", "n/a")]
    cells = f"{s['cells_present']} of {s['cells_expected'] or '?'} cells"
    return [
        (
            f"sweep {s['sweep_dir']}: trials run / reused / pruned",
            f"{s['trials_run']} / {s['reused']} / {s['pruned']} ({cells}; {', '.join(s['strategies'])})",
            "",
            "",
        ),
        ("actual compute (sum of wall_time_s)", f"{s['actual_s']:.1f} s", "", ""),
        ("hypothetical uncached + unpruned", f"{s['hypothetical_s']:.1f} s", "", ""),
        ("hypothetical / actual", _x(s["ratio"]), *_check(s["ratio"], 5)),
        ("... also counting reused confirm runs as re-run", _x(s["ratio_with_reuse"]), "", ""),
    ]


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
    lines += _table("1. Full fine-tuning throughput (training only, evaluation excluded)",
                    _throughput(results["throughput"]))  # fmt: skip
    lines += _table("2. Frozen-prefix cache (record train_time_s: training + evaluation + cache build)",
                    _cache(results["cache"]))  # fmt: skip
    lines += _table("3. Default sweep cost", _sweep(results["sweep"]))
    if "formula" in results["sweep"]:
        lines += [f"Sweep estimate: {results['sweep']['formula']}.", ""]
    lines.append(f"Total bench time: {meta['total_s']:.0f} s.")
    return "\n".join(lines) + "\n"
