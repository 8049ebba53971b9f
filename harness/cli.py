"""`harness trial|sweep|report|advise ...`: arguments after the command are Hydra-style overrides."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from harness.advise.usage import USAGE as ADVISE_USAGE
from harness.config import load_spec
from harness.errors import ConfigError, path_problem
from harness.multirun import expand, run_multirun, swept_keys
from harness.paths import add_config_dir
from harness.usage import CFG_PARTS, config_text, trial_help

if TYPE_CHECKING:
    from harness.config import TrialSpec

__all__ = ["main"]

HELP = {  # `harness <command> --help`; trial, sweep and report have their own (_help)
    "worker": "usage: harness worker sweeps/<name>.yaml [key=value ...]\n"
    "One extra worker on a running sweep's storage (what `workers: N` and the SLURM / Ray\n"
    "launchers start): takes trials until the sweep is done.",
    "advise": ADVISE_USAGE.rstrip(),
    "cache": "usage: harness cache [info|clear] [DIR]\n"
    "Shows or empties the on-disk frozen-prefix cache (default: $HARNESS_CACHE_DIR, else the\n"
    "user cache folder).",
}


def _help(command: str) -> str:
    """`harness <command> --help` (other than `trial`, whose help lists the config groups)."""
    if command == "sweep":
        from harness.sweep.usage import sweep_help

        return sweep_help()
    if command == "report":
        from harness.report.cli import HELP as REPORT_HELP

        return REPORT_HELP
    return HELP[command]


def _quiet() -> None:
    """Offline-friendly, quiet defaults; a user can still set these themselves."""
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("MLFLOW_ENABLE_ASYNC_LOGGING", "false")


def _fmt(value: object, pct: bool = False) -> str:
    if value is None:
        return "n/a"
    return f"{100 * float(value):.1f}%" if pct else f"{value}"  # type: ignore[arg-type]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line and exit 2, as for any bad input
        raise ConfigError("harness trial", message)


def _trial_parser() -> argparse.ArgumentParser:
    """Hydra's own flags; `--config-dir` is taken by `main` for every command."""
    p = _Parser(prog="harness trial", add_help=False)
    p.add_argument("-h", "--help", action="store_true")
    p.add_argument("-m", "--multirun", action="store_true")
    p.add_argument("-c", "--cfg", choices=CFG_PARTS)
    p.add_argument("--resolve", action="store_true")
    p.add_argument("overrides", nargs="*")
    return p


def _take_config_dirs(args: Sequence[str]) -> list[str]:
    """Remove `--config-dir DIR` / `--config-dir=DIR` / `-cd DIR`; put each DIR on the search path."""
    rest: list[str] = []
    it = iter(args)
    for arg in it:
        flag, eq, value = arg.partition("=")
        if flag in ("--config-dir", "-cd"):
            folder = value if eq else next(it, "")
            if not folder:
                raise ConfigError(flag, "needs a folder: --config-dir DIR")
            add_config_dir(folder)
        else:
            rest.append(arg)
    return rest


def cmd_trial(args: Sequence[str]) -> int:
    """One trial; `--help`, `--cfg` and `-m` as in any Hydra app."""
    ns, unknown = _trial_parser().parse_known_intermixed_args(list(args))
    if unknown:
        raise ConfigError(unknown[0], "unknown flag", "-h, -m, --cfg, --resolve, --config-dir")
    overrides: list[str] = ns.overrides
    if ns.help:
        print(trial_help())
        return 0
    if ns.cfg:
        jobs = expand(overrides) if ns.multirun else [overrides]
        for i, job in enumerate(jobs, start=1):
            if len(jobs) > 1:
                print(f"# trial {i}/{len(jobs)}: {' '.join(job)}")
            print(config_text(job, ns.cfg, ns.resolve))
        return 0
    if ns.multirun:
        return run_multirun(overrides)
    return _one_trial(overrides)


def _load_one(overrides: Sequence[str]) -> TrialSpec:
    """Compose one trial; several values for a key without -m get a hint instead of Hydra's."""
    try:
        return load_spec(overrides)
    except ConfigError:
        try:
            swept = swept_keys(overrides)
        except ConfigError:
            swept = []
        if swept:
            raise ConfigError(swept[0], "several values: add -m (--multirun) to run each") from None
        raise


def _peft_type(strategy_cfg: dict[str, object]) -> str | None:
    """PEFT's method behind a strategy: its `peft_type` key, else its module's PEFT_TYPE."""
    from hydra.utils import get_object

    kind = strategy_cfg.get("peft_type")
    if not kind:
        module = str(strategy_cfg.get("_target_", "")).rpartition(".")[0]
        try:
            kind = getattr(get_object(module), "PEFT_TYPE", None)
        except Exception:  # noqa: BLE001 - a name only
            kind = None
    return f"{kind}{', DoRA' if strategy_cfg.get('use_dora') else ''}" if kind else None


def _what_ran(spec: TrialSpec, rec: dict[str, object]) -> str:
    """`lora (PEFT LORA) on tiny (bert), sst2 n=512`: the strategy, the model, the data size."""
    from harness.models.loading import model_family

    peft, family = _peft_type(spec.strategy_cfg), model_family(spec.model)
    strategy = f"{rec['strategy']}{f' (PEFT {peft})' if peft else ''}"
    model = f"{rec['model']}{f' ({family})' if family else ''}"
    return f"{strategy} on {model}, {rec['dataset']} n={rec['train_size']}"


def _one_trial(overrides: Sequence[str]) -> int:
    spec = _load_one(overrides)  # bad input fails here, before torch is even imported
    from harness.data.text import check_data_files
    from harness.tracking import make_tracker
    from harness.trial import run_trial
    from harness.trial_bar import TrialBar, bar_enabled

    check_data_files([spec.data])  # an undecodable file: refused before the trial starts

    tracker = make_tracker(spec.tracker)
    bar = TrialBar(f"{spec.choices['strategy']}@{spec.data.train_size}") if bar_enabled() else None
    rec, path = run_trial(spec, tracker=tracker, bar=bar)
    print(
        f"{rec['status']}: {_what_ran(spec, rec)} (seed={rec['seed']}, {rec['device']}, "
        f"{rec.get('precision')})\n"
        f"  val accuracy  {_fmt(rec['val_accuracy'], True)}   val macro-F1  {_fmt(rec['val_macro_f1'], True)}\n"
        f"  test accuracy {_fmt(rec['test_accuracy'], True)}   test macro-F1 {_fmt(rec['test_macro_f1'], True)}\n"
        f"  train accuracy {_fmt(rec['train_accuracy'], True)}  best step {rec.get('best_step')} of {rec.get('optimizer_steps')} ({rec.get('stopped_by')})\n"
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
    if rec.get("test_f1") is not None:  # extractive QA: F1 and exact match (no accuracy)
        print(
            f"  val F1 {_fmt(rec['val_f1'], True)}   test F1 {_fmt(rec['test_f1'], True)}   "
            f"test exact match {_fmt(rec['test_exact_match'], True)}"
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


def cmd_advise(args: Sequence[str]) -> int:
    from harness.advise.cli import run_advise_command

    return run_advise_command(args)


def cmd_cache(args: Sequence[str]) -> int:
    """`harness cache [info|clear] [DIR]`: the on-disk frozen-prefix cache (default: `auto`'s folder).

    Only files carrying the cache's signature (a checksum line that verifies) and their locks
    count and are removed: the folder may be one the user shares with other files."""
    from harness.cache_store import DiskStore
    from harness.paths import default_cache_dir

    action = args[0] if args else "info"
    if action not in ("info", "clear") or len(args) > 2:
        raise ConfigError(
            "cache", f"unknown arguments {' '.join(args)!r}", ["info [DIR]", "clear [DIR]"]
        )
    folder = Path(args[1]) if len(args) > 1 else default_cache_dir()
    if folder.exists() and not folder.is_dir():
        raise ConfigError("cache", f"{folder} is not a folder")
    store = DiskStore(folder, max_mb=1)
    if action == "clear":
        removed, size = store.clear()
        n = sum(p.suffix == ".prefix" for p in removed)
        print(f"cleared {n} cache file(s), {size / 2**20:.1f} MiB, from {folder}")
        for path in removed:
            print(f"  removed {path.name}")
        others = sorted(folder.iterdir()) if folder.is_dir() else []
        if others:
            print(f"  kept {len(others)} other file(s): not cache files the harness wrote")
    else:
        files = store.files(verify=True)  # what `clear` would remove
        size = sum(p.stat().st_size for p in files)
        print(f"{folder}: {len(files)} cache file(s), {size / 2**20:.1f} MiB")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    _quiet()
    parser = argparse.ArgumentParser(
        prog="harness",
        description="Full vs partial fine-tuning, measured. Arguments after the command are overrides "
        "(e.g. strategy=top_k strategy.k=2 dataset.train_size=256); `harness trial --help` lists "
        "the config groups, their options and the keys. --config-dir DIR (any command) also "
        "searches DIR for config options. `harness cache info|clear` shows or empties the on-disk "
        "frozen-prefix cache. `harness advise STUDY train_size=N` recommends a strategy for N "
        "training examples (`harness advise --help`).",
    )
    parser.add_argument(
        "command", choices=["trial", "sweep", "worker", "report", "advise", "cache"]
    )
    parser.add_argument("args", nargs=argparse.REMAINDER)
    ns = parser.parse_args(argv)
    try:
        if ns.args[:1] in (["-h"], ["--help"]) and ns.command != "trial":
            print(_help(ns.command))
            return 0
        ns.args = _take_config_dirs(ns.args)
        if ns.command == "trial":
            return cmd_trial(ns.args)
        if ns.command in ("sweep", "worker"):
            return cmd_sweep(ns.args, worker=ns.command == "worker")
        if ns.command == "cache":
            return cmd_cache(ns.args)
        if ns.command == "advise":
            return cmd_advise(ns.args)
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
    except BrokenPipeError:  # `harness trial --cfg job | head`: the reader left, not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:  # a path the user gave cannot be used: one line naming it
        problem = path_problem(exc)
        if problem is None:
            raise
        print(f"error: {problem}", file=sys.stderr)
        return 2
