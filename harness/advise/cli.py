"""`harness advise STUDY train_size=N ...` and `harness advise --data my.csv --budget 30m ...`:
advice from a study, or a pilot sweep on the user's data first."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from harness.advise.args import AdviseArgs, parse_args
from harness.advise.output import slug, write_advice

__all__ = ["run_advise_command"]


def _advise_study(args: AdviseArgs) -> int:
    from harness.advise.advice import advise
    from harness.advise.study import read_study

    assert args.study is not None and args.train_size is not None
    study = read_study(args.study, args.margin)
    advice = advise(study, args.train_size)
    out_dir = args.out or Path("runs") / "advise" / f"{slug(study.name)}-n{args.train_size}"
    print(write_advice(advice, out_dir, args))
    return 0


def run_advise_command(args: Sequence[str]) -> int:
    """Advise from a study, or run a pilot on --data first; ConfigError propagates (exit 2)."""
    parsed = parse_args(args)
    if parsed.data is None:
        return _advise_study(parsed)
    from harness.advise.pilot.command import run_pilot_command

    return run_pilot_command(parsed, sys.stderr)
