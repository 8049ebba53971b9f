"""What `harness sweep --help` prints: the sweep file's keys and the shipped sweep files, each with
its description and its size (cells x runs per cell), read from the files themselves so the help
cannot drift from what runs."""

from __future__ import annotations

import textwrap
from pathlib import Path

import yaml

from harness.errors import ConfigError

__all__ = ["sweep_help"]

USAGE = """\
usage: harness sweep sweeps/<name>.yaml [key=value ...]

Runs the sweep file's grid: per cell an Optuna search over the ranges, then the best configuration
confirmed on fresh seeds; resumes where it stopped when run again. Overrides edit the file's keys
(e.g. search.n_trials=4 workers=1 out=runs/try). Records go to <out>/records (default
runs/<name>); then `harness report sweeps/<name>.yaml` (or `make report SWEEP=<name>`) writes
reports/<name>/report.md, and `make ui` opens the MLflow runs."""

# the sweep file's top-level keys (harness/sweep/spec.py TOP_KEYS), one line each
KEYS = {
    "name": "the sweep's name (default: the file name): runs/<name>, MLflow experiment sweep-<name>",
    "description": "what the study asks, printed here and in the report",
    "base": "trial overrides applied to every run, e.g. [model=minilm, train.max_steps=240]",
    "grid": "axes -> values; one cell per combination, e.g. {strategy: [full, lora], train_size: [100, 1000]}",
    "search": "n_trials per cell, metric (val_*), space {name: {low, high, log}}, strategy_space, "
    "sampler {name: qmc|tpe|random}, pruner {name: median|successive_halving|hyperband|none}, "
    "heartbeat_s",
    "confirm": "seeds (a count, a list, or {min, max}: sequential), data_seeds, reuse_search_run",
    "storage": "Optuna storage URL (default sqlite:///<out>/study.db; postgresql://... for many hosts)",
    "out": "output folder (default runs/<name>)",
    "workers": "processes running trials at once (default 1)",
    "tracker": "mlflow (default) | none; uri: the MLflow store",
    "launcher": "local (default) | slurm | ray, with their options",
    "report": "margin (points: what 'equivalent' means), alpha",
}


def _runs(path: Path) -> str:
    """`cells x (search trials + confirmation runs)` of a sweep file, from the loaded spec."""
    from harness.sweep.spec import load_sweep

    try:
        spec = load_sweep(path)
    except ConfigError as exc:
        return f"does not load: {exc}"
    per_cell = spec.n_trials + len(spec.seeds)
    more = f" (up to {spec.seeds_max} confirmation runs where undecided)" if spec.seeds_max else ""
    return (
        f"{len(spec.cells)} cells x ({spec.n_trials} search + {len(spec.seeds)} confirmation) = "
        f"{len(spec.cells) * per_cell} runs{more}"
    )


def _shown(path: Path) -> str:
    """The path as the user would type it: relative to the current folder when under it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _about(raw: dict[str, object], text: str) -> str:
    """The file's `description`, else the first sentence of its leading comment."""
    if raw.get("description"):
        return " ".join(str(raw["description"]).split())
    lead = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lead.append(line.lstrip("# ").strip())
    sentence = " ".join(lead).split(". ")[0].strip()
    return sentence.rstrip(".") + "." if sentence else "(no description)"


def _shipped(folder: Path) -> list[str]:
    """One entry per sweep file: its name, size and description."""
    lines = []
    for path in sorted(folder.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        try:
            raw = yaml.safe_load(text) or {}
        except yaml.YAMLError:
            raw = {}
        about = _about(raw if isinstance(raw, dict) else {}, text)
        lines.append(f"  {_shown(path)}: {_runs(path)}")
        lines += textwrap.wrap(about, 96, initial_indent="      ", subsequent_indent="      ")
    return lines


def sweep_help(folder: Path | None = None) -> str:
    """The usage, the file's keys, and the sweep files in `folder` (default: ./sweeps, else the
    checkout's sweeps/ beside conf/)."""
    if folder is None:
        from harness.paths import conf_dir

        here = Path("sweeps")
        folder = here if here.is_dir() else conf_dir().parent / "sweeps"
    keys = []
    for key, doc in KEYS.items():
        keys += textwrap.wrap(
            doc, 100, initial_indent=f"  {key:<12} ", subsequent_indent=" " * 15
        ) or [f"  {key}"]
    shipped = _shipped(folder) if folder.is_dir() else [f"  (no {folder}/ folder here)"]
    return "\n".join(
        [USAGE, "", "sweep file keys:", *keys, "", f"sweep files in {_shown(folder)}/:", *shipped]
    )
