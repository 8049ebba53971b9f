"""`harness trial -m strategy=full,lora dataset.train_size=100,300`: Hydra's multirun, run here.

The cartesian product of the comma-separated values (Hydra's sweep syntax: `a,b`, `range(1,4)`,
`glob(l*)`) runs as one trial each, in order, in this process: records and MLflow runs as for
any trial, no Optuna (`harness sweep` is the searched, resumable study). Quoted values
(`'x="a,b"'`) and lists (`'x=[1,2]'`) are single values, as in Hydra.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.override_parser.types import Glob, Override
from hydra.errors import HydraException

from harness.config import group_options, load_spec
from harness.errors import ConfigError

if TYPE_CHECKING:
    from harness.config import TrialSpec
    from harness.tracking import Tracker

__all__ = ["expand", "run_multirun", "swept_keys"]


def _parse(overrides: Sequence[str]) -> list[Override]:
    try:
        return OverridesParser.create().parse_overrides(list(overrides))
    except HydraException as exc:
        raise ConfigError("overrides", str(exc).strip().splitlines()[0]) from None


def _values(o: Override) -> list[str]:
    """The override lines a (possibly swept) override stands for."""
    key = o.get_key_element()
    if not o.is_sweep_override():
        return [o.input_line or f"{key}={o.get_value_element_as_str()}"]
    value = o.value()
    if isinstance(value, Glob):  # glob(...) over a config group's options
        return [f"{key}={v}" for v in value.filter(group_options(o.key_or_group))]
    if not o.is_discrete_sweep():
        raise ConfigError(key, "an interval is searched, not listed: use `harness sweep`")
    return [f"{key}={v}" for v in o.sweep_string_iterator()]


def swept_keys(overrides: Sequence[str]) -> list[str]:
    """Keys given several values (`strategy=full,lora`): a multirun, not one trial."""
    return [o.get_key_element() for o in _parse(overrides) if o.is_sweep_override()]


def expand(overrides: Sequence[str]) -> list[list[str]]:
    """One override list per trial: the product of the swept values, the first key slowest.
    A key given twice keeps its last value, as in Hydra's basic sweeper."""
    axes: dict[str, list[str]] = {}
    for o in _parse(overrides):
        axes[o.get_key_element()] = _values(o)
    for key, lines in axes.items():
        if not lines:
            raise ConfigError(key, "the sweep matches no value")
    return [list(job) for job in itertools.product(*axes.values())]


def _pct(value: Any) -> str:
    return "n/a" if value is None else f"{100 * float(value):.1f}%"


def _summary(i: int, n: int, shown: list[str], rec: dict[str, Any]) -> str:
    head = f"[{i}/{n}] {rec['status']:<9} {' '.join(shown)}"
    if rec["status"] != "completed":
        return f"{head}  {rec.get('error') or ''}".rstrip()
    metric = rec.get("selection_metric") or "accuracy"
    return (
        f"{head}  val {metric} {_pct(rec.get(f'val_{metric}'))}  "
        f"test {metric} {_pct(rec.get(f'test_{metric}'))}  {rec['wall_time_s']:.1f} s"
    )


def _specs(jobs: list[list[str]]) -> list[TrialSpec]:
    """Every trial composed and validated before the first one runs: a typo fails now."""
    specs = [load_spec(job) for job in jobs]
    from harness.data.text import check_data_files  # imports torch: after the configs compose

    check_data_files(s.data for s in specs)
    paths = [s.record_path for s in specs if s.record_path]
    if len(paths) != len(set(paths)):
        raise ConfigError("record_path", "one path for several trials: leave it null in a multirun")
    return specs


def run_multirun(overrides: Sequence[str]) -> int:
    """Run every combination, one after another; 0 when all completed, else 1."""
    from harness.tracking import make_tracker
    from harness.trial import run_trial

    jobs = expand(overrides)
    specs = _specs(jobs)
    swept = set(swept_keys(overrides))
    print(f"multirun: {len(jobs)} trials ({' x '.join(sorted(swept)) or 'no swept key'})")
    trackers: dict[object, Tracker] = {}
    folders: dict[Path, None] = {}
    failed = 0
    for i, (job, spec) in enumerate(zip(jobs, specs, strict=True), start=1):
        if spec.tracker not in trackers:
            trackers[spec.tracker] = make_tracker(spec.tracker)
        tracker = trackers[spec.tracker]
        rec, path = run_trial(spec, tracker=tracker)
        folders[path.parent] = None
        failed += rec["status"] != "completed"
        shown = [line for line in job if line.split("=", 1)[0] in swept]
        print(_summary(i, len(jobs), shown, rec), flush=True)
    for folder in folders:
        print(f"records: {folder}")
    uris = {t.uri for t in trackers.values() if t.uri}
    for uri in sorted(uris):
        print(f"mlflow: {uri}")
    return 1 if failed else 0
