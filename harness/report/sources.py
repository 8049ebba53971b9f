"""The report's input: one sweep folder, or several combined (`harness report DIR DIR ...`).

Combined sweeps become one records table in which every cell's group names its dataset
(`dataset=<name>`, from the grid axis when the sweep had one, else from the records), so
single-dataset sweeps combine exactly like one sweep with a `dataset` grid axis.
"""

from __future__ import annotations

import dataclasses
import json
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from harness.report.errors import ReportError
from harness.report.load import arrange_records, read_records
from harness.report.options import ReportOptions, report_options
from harness.report.paths import read_sweep_yaml
from harness.report.score import Score, score_of
from harness.report.summary import grid_from_sweep

__all__ = ["Sweeps", "group_axes", "join_group", "read_sweeps"]


def group_axes(group: str) -> dict[str, str]:
    """`dataset=trec,head=mlp` as {axis: value} (the summary's `group` column, parsed)."""
    pairs = (part.partition("=") for part in str(group).split(","))
    return {key: value for key, sep, value in pairs if sep}


def join_group(axes: Mapping[str, Any]) -> str:
    """The inverse of `group_axes`: axes sorted by name, as the records loader writes them."""
    return ",".join(f"{k}={axes[k]}" for k in sorted(axes))


@dataclass(frozen=True)
class Sweeps:
    """The sweep folders of one report, each with its sweep file as run (parsed and verbatim)."""

    dirs: tuple[Path, ...]
    metas: tuple[dict[str, Any], ...]
    texts: tuple[str | None, ...]
    pick: str | None = None  # `sweep=NAME`: only that sweep's records (one folder holding two)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(
            str(m.get("name") or d.name) for d, m in zip(self.dirs, self.metas, strict=True)
        )

    @property
    def name(self) -> str:
        """The report's title: the sweep's name, or `a + b` for combined sweeps."""
        return " + ".join(self.names)

    @property
    def combined(self) -> bool:
        return len(self.dirs) > 1

    def grid(self) -> dict[str, list[Any]]:
        """Strategies and sizes any of the sweep files asked for (never-run cells show as missing)."""
        out: dict[str, list[Any]] = {}
        for meta in self.metas:
            for axis, values in grid_from_sweep(meta).items():
                out[axis] = [*out.get(axis, []), *(v for v in values if v not in out.get(axis, []))]
        return out

    def score(self) -> Score:
        """The one metric every sweep ranks by; combined sweeps must agree on it."""
        scores = {score_of(meta) for meta in self.metas}
        if len(scores) > 1:
            found = ", ".join(sorted(f"val_{s.name}" for s in scores))
            raise ReportError(f"search.metric: the sweeps rank by different metrics ({found})")
        return scores.pop()

    def options(self, overrides: Mapping[str, str] | None = None) -> ReportOptions:
        """One margin and alpha (they must agree, or be set on the command line); the seed plan
        that allows for every sweep's looks (smallest min, largest max)."""
        found = [report_options(meta, overrides) for meta in self.metas]
        if len({(o.margin, o.alpha) for o in found}) > 1:
            raise ReportError(
                "report.margin: the sweeps declare different margins or alphas; set both with "
                "report.margin=POINTS report.alpha=A"
            )
        low, high = min(o.seeds_min for o in found), max(o.seeds_max for o in found)
        return dataclasses.replace(
            found[0], seeds_min=low, seeds_max=high, look_step=min(o.look_step for o in found)
        )

    def records(self) -> pd.DataFrame:
        """Every record of every sweep as one table (one sweep: exactly `load_records`)."""
        return self.load()[0]

    def load(self) -> tuple[pd.DataFrame, list[str]]:
        """The records table, and the record files that could not be read (listed in the
        report; also warned about)."""
        if not self.combined:
            frame, bad = read_records(self.dirs[0], self.pick)
            return frame, _warned(bad)
        frames: list[pd.DataFrame] = []
        unreadable: list[str] = []
        owner: dict[str, Path] = {}
        for i, (folder, name) in enumerate(zip(self.dirs, self.names, strict=True)):
            found, bad = read_records(folder)
            unreadable += [f"{folder.name}/{b}" for b in bad]
            frame = _with_dataset(found, name)
            for group in sorted(set(frame["group"])):
                if group in owner:
                    raise ReportError(
                        f"{folder}: its cells [{group}] are also in {owner[group]}; combine sweeps "
                        "over different datasets (or give one a dataset grid axis)"
                    )
                owner[group] = folder
            prefix = name if self.names.count(name) == 1 else f"{name}#{i + 1}"  # keys stay unique
            frame["record_path"] = f"{prefix}/" + frame["record_path"].astype(str)
            frames.append(frame)
        return arrange_records(pd.concat(frames, ignore_index=True)), _warned(unreadable)


def _warned(bad: list[str]) -> list[str]:
    if bad:
        listing = "; ".join(bad)
        warnings.warn(f"skipped {len(bad)} unreadable record(s): {listing}", stacklevel=3)
    return bad


def _with_dataset(frame: pd.DataFrame, sweep: str) -> pd.DataFrame:
    """Put the dataset into every row's group unless the sweep had a dataset grid axis."""
    named = frame["dataset"].dropna().astype(str)
    named = named[named != "nan"]
    usual = named.mode().iloc[0] if not named.empty else sweep

    def group(row: pd.Series) -> str:
        axes = group_axes(str(row["group"]))
        if "dataset" not in axes:
            own = str(row["dataset"])
            axes["dataset"] = usual if row["dataset"] is None or own in ("nan", "None") else own
        return join_group(axes)

    out = frame.copy()
    out["group"] = [group(row) for _, row in out.iterrows()]
    return out


def _picked_meta(folder: Path, pick: str) -> dict[str, Any]:
    """`sweep=NAME` when the folder's sweep file is another sweep's: what the records say of
    NAME's sweep (its selection metric); the grid and report options are unknown."""
    for path in sorted((folder / "records").rglob("*.json")):
        try:
            rec = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(rec, dict) and rec.get("sweep") == pick and rec.get("selection_metric"):
            return {"name": pick, "search": {"metric": f"val_{rec['selection_metric']}"}}
    return {"name": pick}


def read_sweeps(dirs: Sequence[Path], pick: str | None = None) -> Sweeps:
    """Read each folder's sweep file; the same folder twice is a mistake, not a larger sample."""
    resolved = [Path(d) for d in dirs]
    if not resolved:
        raise ReportError("expected at least one sweep folder or sweep file, got 0")
    if pick is not None and len(resolved) > 1:
        raise ReportError("sweep=NAME picks one sweep of one folder: give one folder")
    seen: set[Path] = set()
    for d in resolved:
        if d.resolve() in seen:
            raise ReportError(f"{d}: given twice")
        seen.add(d.resolve())
    read = [read_sweep_yaml(d) for d in resolved]
    if pick is not None and (read[0][0].get("name") or resolved[0].name) != pick:  # another's file
        read = [(_picked_meta(resolved[0], pick), None)]
    return Sweeps(tuple(resolved), tuple(m for m, _ in read), tuple(t for _, t in read), pick)
