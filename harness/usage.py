"""What `harness trial --help` and `--cfg` print: the config groups, the main keys, a config.

The help is read from conf/ itself (the groups are the registry; the comments in
conf/config.yaml document the keys), so it cannot drift from what composes.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence

from omegaconf import OmegaConf
from omegaconf.errors import OmegaConfBaseException

from harness.config import GROUPS, compose_config, compose_trial, group_options
from harness.errors import ConfigError
from harness.paths import CONFIG_PATH_ENV, conf_dir

__all__ = ["CFG_PARTS", "config_text", "trial_help"]

CFG_PARTS = ("job", "hydra", "all")  # as Hydra's `--cfg`
_KEY = re.compile(r"^(?P<indent> *)(?P<key>\w+):\s*(?P<value>[^#]*?)\s*(?:#\s*(?P<doc>.*))?$")
_MORE = re.compile(r"^\s+#\s*(?P<doc>.*)$")

FLAGS = """\
flags:
  -h, --help             this help: config groups, their options and the main keys
  -m, --multirun         run the product of comma-separated values, one trial each
                         (strategy=full,lora dataset.train_size=100,300: 4 trials; no Optuna)
  -c, --cfg {job,hydra,all}
                         print the composed config (YAML) and exit; nothing is trained
  --resolve              with --cfg: resolve ${...} interpolations
  -cd, --config-dir DIR  also search DIR for options (DIR/strategy/mine.yaml: strategy=mine);
                         repeatable. ${ENV} ({pathsep}-separated) does the same
"""


def _key_docs() -> list[tuple[str, str, str]]:
    """(dotted key, default, comment) for each documented key of conf/config.yaml."""
    rows: list[tuple[str, str, str]] = []
    parent = ""
    last: int | None = None
    for line in (conf_dir() / "config.yaml").read_text(encoding="utf-8").splitlines():
        more = _MORE.match(line)
        if more and last is not None:
            key, value, doc = rows[last]
            rows[last] = (key, value, f"{doc} {more['doc']}".strip())
            continue
        m = _KEY.match(line)
        last = None
        if not m:  # blank, a section comment, an item of the defaults list
            continue
        if not m["indent"]:
            parent = "" if m["value"] or m["key"] == "defaults" else f"{m['key']}."
            if not parent and m["key"] != "defaults":
                rows.append((m["key"], m["value"], m["doc"] or ""))
                last = len(rows) - 1
            continue
        if not parent:  # nested under `defaults` or a valued key: not a main key
            continue
        rows.append((parent + m["key"], m["value"], m["doc"] or ""))
        last = len(rows) - 1
    return rows


def trial_help() -> str:
    """`harness trial --help`: usage, flags, every group with its options, the main keys."""
    import os

    choices = compose_config([]).hydra.runtime.choices
    lines = [
        "usage: harness trial [-h] [-m] [--cfg {job,hydra,all}] [--resolve] [--config-dir DIR]"
        " [key=value ...]",
        "",
        "One fine-tuning trial, composed by Hydra from conf/ and the overrides: group=option,",
        "key=value, +key=value (add), ~key (delete); e.g. strategy=top_k strategy.k=2",
        "",
        FLAGS.replace("{ENV}", CONFIG_PATH_ENV).replace("{pathsep}", os.pathsep),
        "config groups (group=option; * the default):",
    ]
    for group in GROUPS:
        opts = [f"{o}*" if o == choices.get(group) else o for o in group_options(group)]
        lines.append(
            textwrap.fill(
                ", ".join(opts), 100, initial_indent=f"  {group:<15}", subsequent_indent=" " * 17
            )
        )
    lines += ["", "main keys (key=value; default shown; a group's own keys: --cfg job):"]
    for key, value, doc in _key_docs():
        lines.append(f"  {f'{key}={value}':<30} {doc}".rstrip())
    return "\n".join(lines)


def config_text(overrides: Sequence[str], part: str, resolve: bool = False) -> str:
    """The composed config as YAML, like Hydra's `--cfg job|hydra|all` (hydra: Hydra's own node)."""
    cfg = compose_trial(overrides)  # with the head the task picks, as the trial will run
    job = OmegaConf.masked_copy(cfg, [str(k) for k in cfg if k != "hydra"])
    texts = []
    if part in ("hydra", "all"):
        texts.append(OmegaConf.to_yaml(OmegaConf.masked_copy(cfg, ["hydra"])))
    if part in ("job", "all"):
        if resolve:
            try:
                OmegaConf.resolve(job)
            except OmegaConfBaseException as exc:
                key = str(getattr(exc, "full_key", "") or "--resolve")
                raise ConfigError(key, str(exc).splitlines()[0]) from None
        texts.append(OmegaConf.to_yaml(job))
    return "".join(texts).rstrip("\n")
