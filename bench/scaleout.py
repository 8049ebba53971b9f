"""One sweep run by 1 and by N workers on one shared study storage: wall time and exact counts.

    python bench/scaleout.py --server postgresql+psycopg://postgres@127.0.0.1:5432
    python bench/scaleout.py                       # SQLite files (one machine only)

For each worker count a fresh database (PostgreSQL: CREATE DATABASE on --server) or SQLite file,
a fresh `out=` folder and MLflow store, then `harness sweep <file> storage=... workers=N`, timed
from the command's start to its exit. Counts come from the records on disk: per cell, search
trials by status and confirmation seeds, and whether any search configuration ran twice. Prints
a table (and writes bench/out/scaleout.md). On a 2-core machine more workers cannot be faster:
the point there is that the counts are identical; run it on a many-core or multi-GPU node for
the speed-up.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "out"


def _database(server: str | None, tmp: Path, workers: int) -> str:
    """A fresh, empty study storage URL for one run."""
    if server is None:
        return f"sqlite:///{tmp / f'study-{workers}.db'}"
    import sqlalchemy

    name = f"scaleout_{workers}_{uuid.uuid4().hex[:8]}"
    engine = sqlalchemy.create_engine(
        server.rstrip("/") + "/postgres", isolation_level="AUTOCOMMIT"
    )
    with engine.connect() as conn:
        conn.execute(sqlalchemy.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return f"{server.rstrip('/')}/{name}"


def _counts(out: Path) -> dict[str, Any]:
    """Per cell: search statuses, confirmation seeds, and duplicate search configurations."""
    cells: dict[str, dict[str, Any]] = defaultdict(lambda: {"search": Counter(), "confirm": 0})
    seen: dict[str, Counter[str]] = defaultdict(Counter)
    for path in sorted((out / "records").glob("*/*/*.json")):
        rec = json.loads(path.read_text())
        cell, phase = path.parent.parent.name, path.parent.name
        if phase == "search":
            cells[cell]["search"][rec["status"]] += 1
            seen[cell][json.dumps(rec.get("params"), sort_keys=True)] += 1
        else:
            cells[cell]["confirm"] += rec["status"] == "completed"
    dupes = sum(n - 1 for c in seen.values() for n in c.values() if n > 1)
    return {
        "cells": {
            k: {"search": dict(v["search"]), "confirm": v["confirm"]} for k, v in cells.items()
        },
        "duplicate_search_configs": dupes,
    }


def run(sweep: Path, workers: int, server: str | None, tmp: Path) -> dict[str, Any]:
    out = tmp / f"w{workers}"
    cmd = [
        sys.executable,
        "-m",
        "harness",
        "sweep",
        str(sweep),
        f"storage={_database(server, tmp, workers)}",
        f"workers={workers}",
        f"out={out}",
        f"tracker.uri=sqlite:///{tmp / f'mlflow-{workers}.db'}",
    ]
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode:
        raise RuntimeError(f"{' '.join(cmd)} exited {done.returncode}:\n{done.stderr[-2000:]}")
    return {"workers": workers, "wall_s": wall, **_counts(out)}


def _budget(result: dict[str, Any]) -> dict[str, tuple[int, int]]:
    """Per cell: search trials that finished (any state) and completed confirmation seeds."""
    return {k: (sum(c["search"].values()), c["confirm"]) for k, c in result["cells"].items()}


def render(results: list[dict[str, Any]], sweep: Path, storage: str) -> str:
    lines = [
        f"## Scale-out: {sweep} on {storage}",
        "",
        "| workers | wall (s) | per cell: search completed/pruned/failed, confirm seeds | duplicate search configs |",
        "|---:|---:|---|---:|",
    ]
    for r in results:
        cells = "; ".join(
            f"{cell}: {c['search'].get('completed', 0)}/{c['search'].get('pruned', 0)}/"
            f"{c['search'].get('failed', 0)}, {c['confirm']}"
            for cell, c in sorted(r["cells"].items())
        )
        lines.append(
            f"| {r['workers']} | {r['wall_s']:.1f} | {cells} | {r['duplicate_search_configs']} |"
        )
    same = len({json.dumps(_budget(r), sort_keys=True) for r in results}) == 1
    lines += [
        "",
        f"Same finished search trials and confirmation seeds per cell for every worker count: "
        f"{'yes' if same else 'NO'}. (Which trials get pruned may differ: with several workers "
        "TPE proposes from fewer finished trials and the pruner compares against other ones.)",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sweep", type=Path, default=Path("sweeps/smoke.yaml"))
    p.add_argument("--workers", type=int, nargs="+", default=[1, 3])
    p.add_argument("--server", default=None, help="PostgreSQL server URL (no database name)")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="scaleout-") as tmp:
        results = [run(args.sweep, n, args.server, Path(tmp)) for n in args.workers]
    table = render(results, args.sweep, "PostgreSQL" if args.server else "SQLite")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "scaleout.md").write_text(table)
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
