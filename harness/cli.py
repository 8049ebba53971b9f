"""`harness trial|sweep|report ...`: arguments after the command are Hydra-style overrides."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from harness.errors import ConfigError

__all__ = ["main"]


def _quiet() -> None:
    """Offline-friendly, quiet defaults; a user can still set these themselves."""
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("MLFLOW_ENABLE_ASYNC_LOGGING", "false")


def _fmt(value: object, pct: bool = False) -> str:
    if value is None:
        return "n/a"
    return f"{100 * float(value):.1f}%" if pct else f"{value}"  # type: ignore[arg-type]


def cmd_trial(overrides: Sequence[str]) -> int:
    from harness.config import load_spec

    spec = load_spec(overrides)  # bad input fails here, before torch is even imported
    from harness.tracking import make_tracker
    from harness.trial import run_trial

    tracker = make_tracker(spec.tracker)
    rec, path = run_trial(spec, tracker=tracker)
    print(
        f"{rec['status']}: {rec['strategy']} on {rec['dataset']} (n={rec['train_size']}, seed={rec['seed']}, "
        f"{rec['device']}, {rec.get('precision')})\n"
        f"  val accuracy  {_fmt(rec['val_accuracy'], True)}   val macro-F1  {_fmt(rec['val_macro_f1'], True)}\n"
        f"  test accuracy {_fmt(rec['test_accuracy'], True)}   test macro-F1 {_fmt(rec['test_macro_f1'], True)}\n"
        f"  train accuracy {_fmt(rec['train_accuracy'], True)}  best epoch {rec.get('best_epoch')}/{rec.get('epochs')}\n"
        f"  trainable params {rec['trainable_params']:,} of {rec['total_params']:,}   "
        f"train time {rec['train_time_s']:.1f} s   {rec['train_samples_per_s'] or 0:.1f} samples/s   "
        f"peak memory {rec['peak_memory_mb']:.0f} MB"
        if rec["status"] == "completed"
        else f"{rec['status']}: {rec.get('error')}"
    )
    if rec.get("test_entity_f1") is not None:  # token classification: the selection metric
        print(
            f"  val entity-F1 {_fmt(rec['val_entity_f1'], True)}   "
            f"test entity-F1 {_fmt(rec['test_entity_f1'], True)}"
        )
    if tracker.uri:
        print(f"mlflow: {tracker.uri}")
    print(f"record: {path}")
    return 0 if rec["status"] == "completed" else 1


def cmd_sweep(args: Sequence[str], worker: bool = False) -> int:
    from harness.sweep.cli import run_sweep_command

    return run_sweep_command(args, worker=worker)


def cmd_report(args: Sequence[str]) -> int:
    from harness.report.cli import run_report_command

    return run_report_command(args)


def main(argv: Sequence[str] | None = None) -> int:
    _quiet()
    parser = argparse.ArgumentParser(
        prog="harness",
        description="Full vs partial fine-tuning, measured. Arguments after the command are overrides "
        "(e.g. strategy=top_k strategy.k=2 dataset.train_size=256).",
    )
    parser.add_argument("command", choices=["trial", "sweep", "worker", "report"])
    parser.add_argument("args", nargs=argparse.REMAINDER)
    ns = parser.parse_args(argv)
    try:
        if ns.command == "trial":
            return cmd_trial(ns.args)
        if ns.command in ("sweep", "worker"):
            return cmd_sweep(ns.args, worker=ns.command == "worker")
        return cmd_report(ns.args)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(
            "interrupted: records written so far are kept; run the same command again to resume",
            file=sys.stderr,
        )
        return 130
