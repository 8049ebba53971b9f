"""`harness advise --data my.csv --budget 30m`: split the data, measure this machine, size a pilot
sweep to the budget, run it under a deadline, and advise from its confirmation runs.

Everything lands in one folder (default runs/advise/<file name>): the splits, the probe records,
pilot.yaml (the sweep file), pilot.json (the plan and the measurements), the sweep's records and
the advice. Running the same command again reuses the plan and resumes the sweep.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any, TextIO

import yaml

from harness.advise.args import AdviseArgs
from harness.advise.output import write_advice
from harness.advise.pilot.data import PilotData, prepare_data
from harness.advise.pilot.plan import (
    PILOT_STRATEGIES,
    PilotPlan,
    TrialCost,
    plan_pilot,
    smaller_size,
)
from harness.advise.pilot.runner import GRACE_S, run_sweep_until
from harness.advise.pilot.sweepfile import pilot_sweep
from harness.errors import ConfigError

__all__ = ["RESERVE_S", "run_pilot_command"]

RESERVE_S = 30.0  # kept back from the sweep: reading its records and writing the advice
SLACK = 0.05  # of the budget, against estimates that err


def _settings(args: AdviseArgs, data: PilotData, n: int) -> dict[str, Any]:
    return {
        "data": str(args.data),
        "test": str(args.test) if args.test else None,
        "train_size": n,
        "model": args.keys.get("model", "minilm"),
        "text_column": data.text_column,
        "label_column": data.label_column,
        "margin": args.margin,
    }


def _base(args: AdviseArgs, data: PilotData) -> list[str]:
    return [f"model={args.keys.get('model', 'minilm')}", *data.overrides()]


def _plan_or_resume(
    args: AdviseArgs,
    data: PilotData,
    n: int,
    out: Path,
    budget_s: float,
    started: float,
    log: TextIO,
) -> dict[str, Any]:
    """The saved plan of this folder's pilot, or measure the machine and make one."""
    state_path = out / "pilot.json"
    settings = _settings(args, data, n)
    if state_path.is_file():
        state = dict(json.loads(state_path.read_text(encoding="utf-8")))
        if state.get("settings") != settings:
            changed = sorted(k for k in settings if state.get("settings", {}).get(k) != settings[k])
            raise ConfigError(
                "out",
                f"{out} holds a pilot with other settings ({', '.join(changed)}): give "
                "another out=DIR, or delete that folder to start over",
            )
        print(f"pilot: resuming the plan in {state_path}", file=log)
        return state
    from harness.advise.pilot.machine import measure_machine

    sizes = [s for s in (smaller_size(n), n) if s is not None]
    print(f"pilot: measuring this machine ({len(PILOT_STRATEGIES)} probe trials)...", file=log)
    machine = measure_machine(_base(args, data), PILOT_STRATEGIES, n, out / "probe")
    elapsed = time.monotonic() - started
    available = budget_s - elapsed - RESERVE_S - GRACE_S - SLACK * budget_s
    start = machine.sweep_start_s(len(PILOT_STRATEGIES) * len(sizes))
    plan = plan_pilot(available, machine.costs, sizes, machine.workers, start)
    name = "pilot-" + (re.sub(r"[^A-Za-z0-9_-]+", "_", Path(settings["data"]).stem) or "data")
    sweep = pilot_sweep(
        plan, name, _base(args, data), (out / "sweep").resolve(), data.metric, args.margin
    )
    (out / "pilot.yaml").write_text(yaml.safe_dump(sweep, sort_keys=False), encoding="utf-8")
    state = {
        "settings": settings,
        "machine": {
            "description": machine.description,
            "sweep_start_s": start,
            "workers": machine.workers,
            "threads": machine.threads,
            "measured_s": machine.seconds,
            "costs": {s: asdict(c) for s, c in machine.costs.items()},
        },
        "plan": asdict(plan),
        "data": {
            "pool": data.pool,
            "val_size": data.val_size,
            "test_rows": data.test_rows,
            "labels": data.labels,
            "metric": data.metric,
        },
    }
    state_path.write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")
    print(f"pilot: {plan.describe()}", file=log)
    return state


def _pilot_lines(state: dict[str, Any], used_s: float, budget_s: float, done: int) -> list[str]:
    """What was measured, what the budget bought, and how much of it ran."""
    plan = PilotPlan(
        **{
            **state["plan"],
            "strategies": tuple(state["plan"]["strategies"]),
            "sizes": tuple(state["plan"]["sizes"]),
        }
    )
    costs = {s: TrialCost(**c) for s, c in state["machine"]["costs"].items()}
    per_run = ", ".join(f"{s} {c.run_s(plan.max_steps):.0f} s" for s, c in costs.items())
    wanted = plan.cells * plan.seeds
    lines = [
        f"Pilot on {state['settings']['data']} ({state['data']['pool']} training rows, "
        f"{state['data']['val_size']} of them validation; {state['data']['test_rows']} test rows)",
        f"  this machine: {state['machine']['description']}; one run at {plan.max_steps} steps "
        f"measured at about {per_run}",
        f"  plan: {plan.describe()}",
        f"  this run: {used_s / 60:.1f} min of the {budget_s / 60:.0f} min budget; "
        f"{min(done, wanted)} of {wanted} planned confirmation runs done"
        + (
            f", {done - wanted} more where a comparison with full was undecided"
            if done > wanted
            else ""
        ),
    ]
    if done < wanted:
        lines.append(
            "  the budget ran out first: the advice uses the runs done so far; run the same "
            "command again to resume"
        )
    return lines


def run_pilot_command(args: AdviseArgs, log: TextIO) -> int:
    """The pilot end to end; 0 with advice, 1 when no confirmation run finished in time."""
    from harness.advise.advice import advise
    from harness.advise.study import read_study

    started = time.monotonic()
    assert args.data is not None and args.budget_s is not None
    out = args.out or Path("runs") / "advise" / (
        re.sub(r"[^A-Za-z0-9_.-]+", "_", args.data.stem) or "data"
    )
    out.mkdir(parents=True, exist_ok=True)
    data = prepare_data(
        args.data,
        args.test,
        out,
        args.keys.get("text_column", "text"),
        args.keys.get("label_column", "label"),
    )
    n = args.train_size or data.max_train
    if n > data.max_train:
        raise ConfigError(
            "train_size",
            f"{n} is more than the {data.max_train} training rows the pilot has "
            f"({data.pool} less {data.val_size} for validation)",
            f"1..{data.max_train}",
        )
    state = _plan_or_resume(args, data, n, out, args.budget_s, started, log)
    left = args.budget_s - (time.monotonic() - started) - RESERVE_S - GRACE_S
    print(
        f"pilot: running the sweep for at most {left / 60:.1f} min (log: {out / 'pilot.log'})",
        file=log,
    )
    run = run_sweep_until(out / "pilot.yaml", left, out / "pilot.log")
    if not run.finished and not run.stopped:
        print(
            f"pilot: the sweep exited with code {run.returncode}; see {out / 'pilot.log'}", file=log
        )
    try:
        study = read_study(out / "sweep", args.margin)
    except ConfigError as exc:
        print(
            f"pilot: no advice yet ({exc}); run the same command again to resume, or give a "
            "larger --budget",
            file=log,
        )
        return 1
    used = time.monotonic() - started
    lines = _pilot_lines(state, used, args.budget_s, len(study.runs))
    text = write_advice(advise(study, n), out, args, {"pilot": {**state, "used_s": used}}, lines)
    print(text)
    return 0
