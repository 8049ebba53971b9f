"""Find a sweep's output folder from whatever the user typed: the folder or the sweep YAML."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from harness.report.errors import ReportError

__all__ = ["read_sweep_yaml", "resolve_sweep_dir"]

_YAML_SUFFIXES = {".yaml", ".yml"}


def _load_yaml_mapping(path: Path) -> dict[str, Any]:
    """Read a YAML file that must be a mapping, so a bad sweep file fails with its name."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ReportError(f"{path}: cannot read sweep file ({exc})") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ReportError(f"{path}: sweep file is not a mapping")
    return data


def resolve_sweep_dir(arg: str | Path) -> Path:
    """Accept a sweep folder or `sweeps/<name>.yaml`, so `harness report` takes either."""
    path = Path(arg)
    if path.is_dir():
        if (path / "records").is_dir():
            return path
        raise ReportError(f"{path}: not a sweep output folder (no records/ inside)")
    if path.is_file() and path.suffix in _YAML_SUFFIXES:
        data = _load_yaml_mapping(path)
        name = str(data.get("name") or path.stem)
        out = Path(str(data.get("out") or f"runs/{name}"))
        if (out / "records").is_dir():
            return out
        raise ReportError(f"{path}: its sweep output folder {out} has no records/ (not run yet?)")
    raise ReportError(f"{path}: no such sweep output folder or sweep YAML file")


def read_sweep_yaml(sweep_dir: Path) -> tuple[dict[str, Any], str | None]:
    """The sweep file as run (parsed and verbatim), so the header can say what was asked for."""
    path = sweep_dir / "sweep.yaml"
    if not path.is_file():
        return {}, None
    try:
        return _load_yaml_mapping(path), path.read_text(encoding="utf-8")
    except ReportError:
        return {}, path.read_text(encoding="utf-8", errors="replace")
